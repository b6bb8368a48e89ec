package backup

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"reflect"

	"bureau/models/strictjson"
)

// maxLine bounds one line of the file: a revision of the largest document
// Bureau accepts is well under a megabyte.
const maxLine = 16 << 20

// reader reads the file line by line, hashing the record lines.
type reader struct {
	lines *bufio.Scanner
	line  int
	sum   hash.Hash
}

func (rd *reader) next() ([]byte, error) {
	if !rd.lines.Scan() {
		err := rd.lines.Err()
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &FileError{Line: rd.line + 1, Err: fmt.Errorf("the line is longer than %d MiB", maxLine>>20)}
		}
		if err != nil {
			return nil, fmt.Errorf("read the file after line %d: %w", rd.line, err)
		}
		return nil, io.EOF
	}
	rd.line++
	return rd.lines.Bytes(), nil
}

// atEnd reports whether the line just read was the last (it consumes the
// next one: use it only to word an error).
func (rd *reader) atEnd() bool { return !rd.lines.Scan() && rd.lines.Err() == nil }

func (rd *reader) fail(format string, args ...any) error {
	return &FileError{Line: rd.line, Err: fmt.Errorf(format, args...)}
}

// strictJSON decodes one JSON object that has only the fields of v, each
// once and spelt exactly (encoding/json alone takes "ID" for "id" and the
// last of two "id"s), in valid UTF-8: what the API demands of a request.
func strictJSON(b []byte, v any) error {
	if err := strictjson.Check(b, reflect.TypeOf(v).Elem()); err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func readHeader(rd *reader) error {
	b, err := rd.next()
	if err == io.EOF {
		return &FileError{Line: 1, Err: errors.New("the file is empty")}
	}
	if err != nil {
		return err
	}
	var h struct {
		Format      *int   `json:"format"`
		Application string `json:"application"`
	}
	if err := json.Unmarshal(b, &h); err != nil || h.Format == nil || h.Application != application {
		return rd.fail("not a Bureau export: the first line must be its header, with a format version")
	}
	if *h.Format != FormatVersion {
		return rd.fail("the file has format version %d; this Bureau reads format version %d only", *h.Format, FormatVersion)
	}
	return nil
}

func checkTrailer(rd *reader, data []byte, counts Counts) error {
	var end trailer
	if err := strictJSON(data, &end); err != nil {
		return rd.fail("the end record is damaged: %v", err)
	}
	for _, sec := range newSections() {
		kind := sec.kind()
		if end.Counts[kind] != counts[kind] {
			return rd.fail("the end record counts %d %s records but the file holds %d: records are missing or extra", end.Counts[kind], kind, counts[kind])
		}
	}
	for kind := range end.Counts {
		if indexOf(newSections(), kind) < 0 {
			return rd.fail("the end record counts records of an unknown type %q", kind)
		}
	}
	if hex.EncodeToString(rd.sum.Sum(nil)) != end.SHA256 {
		return rd.fail("the records do not match the checksum of the end record: the file was altered or damaged")
	}
	return nil
}
