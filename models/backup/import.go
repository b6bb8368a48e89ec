package backup

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"gorm.io/gorm"

	"bureau/models"
)

// ImportOptions say how to import.
type ImportOptions struct {
	// Replace empties a database that holds data first, in the same
	// transaction; without it such a database is refused.
	Replace bool
	// Progress, when not nil, gets a line now and then on long imports.
	Progress io.Writer
}

// NotEmptyError refuses an import into a database that holds data.
type NotEmptyError struct {
	Holds string // what it holds, e.g. "8 documents, 2 users"
}

func (e *NotEmptyError) Error() string {
	return "the database is not empty (it holds " + e.Holds + "); import restores into an empty database, or replaces everything with --replace"
}

// maxLine bounds one line of the file: a revision of the largest document
// Bureau accepts is well under a megabyte.
const maxLine = 16 << 20

// Import restores a file written by Export into db, which must be migrated.
// It runs in one transaction: a file that is refused, for any reason at
// any line, changes nothing. Running servers on db reload everything once
// it commits. It returns the records it restored.
func Import(ctx context.Context, db *gorm.DB, r io.Reader, opts ImportOptions) (Counts, error) {
	var counts Counts
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockTables(tx); err != nil {
			return err
		}
		if err := prepareTarget(tx, opts.Replace); err != nil {
			return err
		}
		var err error
		if counts, err = load(ctx, tx, r, opts.Progress); err != nil {
			return err
		}
		if err := resetSequences(tx); err != nil {
			return err
		}
		return models.Notify(ctx, tx, models.EventAll)
	})
	return counts, err
}

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

func load(ctx context.Context, tx *gorm.DB, r io.Reader, progressTo io.Writer) (Counts, error) {
	rd := &reader{lines: bufio.NewScanner(r), sum: sha256.New()}
	rd.lines.Buffer(make([]byte, 0, 64<<10), maxLine)
	if err := readHeader(rd); err != nil {
		return nil, err
	}
	sections := newSections()
	st := newLoadState()
	current := 0
	// closeSections writes and checks every section before the one named until.
	closeSections := func(until int) error {
		for ; current < until; current++ {
			if err := sections[current].flush(ctx, tx, true); err != nil {
				return err
			}
			if err := sections[current].finish(st); err != nil {
				var fe *FileError
				if errors.As(err, &fe) {
					return err
				}
				return rd.fail("%v", err)
			}
		}
		return nil
	}
	counts := Counts{}
	p := newProgress(progressTo, "import")
	var total int64
	for {
		b, err := rd.next()
		if err == io.EOF {
			return nil, rd.fail("the file ends without its end record: it is truncated")
		}
		if err != nil {
			return nil, err
		}
		var rec struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := strictJSON(b, &rec); err != nil {
			if rd.atEnd() {
				return nil, rd.fail("the file ends in the middle of a record: it is truncated")
			}
			return nil, rd.fail("not a record of a Bureau export: %v", err)
		}
		if len(rec.Data) == 0 {
			return nil, rd.fail("a %q record without data", rec.Type)
		}
		if rec.Type == endType {
			if err := checkTrailer(rd, rec.Data, counts); err != nil {
				return nil, err
			}
			if err := closeSections(len(sections)); err != nil {
				return nil, err
			}
			if _, err := rd.next(); err != io.EOF {
				if err != nil {
					return nil, err
				}
				return nil, rd.fail("data after the end record")
			}
			return counts, nil
		}
		rd.sum.Write(b)
		rd.sum.Write([]byte{'\n'})
		at := indexOf(sections, rec.Type)
		switch {
		case at < 0:
			return nil, rd.fail("unknown record type %q", rec.Type)
		case at < current:
			return nil, rd.fail("a %s record after the %s records: records come table by table, in the order Export writes them", rec.Type, sections[current].kind())
		}
		if err := closeSections(at); err != nil {
			return nil, err
		}
		st.line = rd.line
		if err := sections[at].load(rec.Data, st); err != nil {
			return nil, rd.fail("%v", err)
		}
		if err := sections[at].flush(ctx, tx, false); err != nil {
			return nil, rd.fail("%v", err)
		}
		counts[rec.Type]++
		total++
		p.tick(total, rec.Type)
	}
}

func indexOf(sections []section, kind string) int {
	for i, s := range sections {
		if s.kind() == kind {
			return i
		}
	}
	return -1
}

// strictJSON decodes one JSON value that has only the fields of v.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value on the line")
	}
	return nil
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

// instanceTables are the tables an import fills, children before parents
// (the order to empty them in). The events table is not one: it carries
// messages between running processes, and the import sends one.
var instanceTables = []string{"refresh_tokens", "revisions", "departments", "offices", "audit_events", "users"}

// lockTables keeps running servers on PostgreSQL from writing while the
// import replaces what they would write to; they read on meanwhile, and
// their writes proceed on the imported data once it commits. On SQLite the
// import's transaction holds the single write lock already.
func lockTables(tx *gorm.DB) error {
	if models.DialectOf(tx) != models.Postgres {
		return nil
	}
	return tx.Exec("LOCK TABLE " + strings.Join(instanceTables, ", ") + ", casbin_rule IN EXCLUSIVE MODE").Error
}

// prepareTarget refuses a database that holds data, or with replace
// empties it.
func prepareTarget(tx *gorm.DB, replace bool) error {
	var documents, revisions, users, grants, audit int64
	for _, c := range []struct {
		n     *int64
		query *gorm.DB
	}{
		{&documents, tx.Table("offices")},
		{&documents, tx.Table("departments")},
		{&revisions, tx.Table("revisions")},
		{&users, tx.Table("users")},
		{&grants, tx.Table("casbin_rule").Where("ptype = ?", "g")},
		{&audit, tx.Table("audit_events")},
	} {
		var n int64
		if err := c.query.Count(&n).Error; err != nil {
			return err
		}
		*c.n += n
	}
	if documents+revisions+users+grants+audit == 0 {
		return nil
	}
	if !replace {
		return &NotEmptyError{Holds: fmt.Sprintf("%d offices and departments, %d revisions, %d users, %d grants, %d audit events", documents, revisions, users, grants, audit)}
	}
	for _, t := range instanceTables {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return tx.Exec("DELETE FROM casbin_rule WHERE ptype = ?", "g").Error
}

// resetSequences moves PostgreSQL's id sequences past the ids the file
// brought, so the next audit event or grant does not collide with one.
// SQLite does this by itself.
func resetSequences(tx *gorm.DB) error {
	if models.DialectOf(tx) != models.Postgres {
		return nil
	}
	for _, t := range []string{"audit_events", "casbin_rule", "revisions"} {
		err := tx.Exec("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)", t).Error
		if err != nil {
			return fmt.Errorf("reset the id sequence of %s: %w", t, err)
		}
	}
	return nil
}
