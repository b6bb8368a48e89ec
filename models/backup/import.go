package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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

// Imported is what an import restored.
type Imported struct {
	Stored Counts // the records written, by kind
	// DroppedGrants is how many grants of the file were not written: files
	// from before grants named documents by id may hold grants on a scope
	// no document has, which grant nothing.
	DroppedGrants int64
}

func (im Imported) String() string {
	if im.DroppedGrants == 0 {
		return im.Stored.String()
	}
	return im.Stored.describe(map[string]string{
		grantKind: fmt.Sprintf("%d more of the file dropped: their scope names no document", im.DroppedGrants),
	})
}

// Import restores a file written by Export into db, which must be migrated.
// It runs in one transaction: a file that is refused, for any reason at
// any line, changes nothing. Running servers on db reload everything once
// it commits. It returns the records it restored.
func Import(ctx context.Context, db *gorm.DB, r io.Reader, opts ImportOptions) (Imported, error) {
	var imported Imported
	err := models.Write(ctx, db, func(tx *gorm.DB) error {
		if err := lockTables(tx); err != nil {
			return err
		}
		if err := prepareTarget(tx, opts.Replace); err != nil {
			return err
		}
		var err error
		if imported, err = load(ctx, tx, r, opts.Progress); err != nil {
			return err
		}
		if err := resetSequences(tx); err != nil {
			return err
		}
		return models.Changed(tx, models.EventAll)
	})
	if err != nil {
		return Imported{}, err
	}
	return imported, nil
}

// loader is one import under way.
type loader struct {
	ctx      context.Context
	tx       *gorm.DB
	rd       *reader
	sections []section
	current  int // the section being read; earlier ones are written and checked
	st       *loadState
	counts   Counts
}

func load(ctx context.Context, tx *gorm.DB, r io.Reader, progressTo io.Writer) (Imported, error) {
	rd := &reader{lines: bufio.NewScanner(r), sum: sha256.New()}
	rd.lines.Buffer(make([]byte, 0, 64<<10), maxLine)
	if err := readHeader(rd); err != nil {
		return Imported{}, err
	}
	l := &loader{ctx: ctx, tx: tx, rd: rd, sections: newSections(), st: newLoadState(), counts: Counts{}}
	p := newProgress(progressTo, "import")
	var total int64
	for {
		b, err := rd.next()
		if err == io.EOF {
			return Imported{}, rd.fail("the file ends without its end record: it is truncated")
		}
		if err != nil {
			return Imported{}, err
		}
		var rec struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := strictJSON(b, &rec); err != nil {
			if rd.atEnd() {
				return Imported{}, rd.fail("the file ends in the middle of a record: it is truncated")
			}
			return Imported{}, rd.fail("not a record of a Bureau export: %v", err)
		}
		if len(rec.Data) == 0 {
			return Imported{}, rd.fail("a %q record without data", rec.Type)
		}
		if rec.Type == endType {
			if err := l.end(rec.Data); err != nil {
				return Imported{}, err
			}
			return l.imported(), nil
		}
		rd.sum.Write(b)
		rd.sum.Write([]byte{'\n'})
		if err := l.record(rec.Type, rec.Data); err != nil {
			return Imported{}, err
		}
		total++
		p.tick(total, rec.Type)
	}
}

// record checks one record and queues it, writing a batch when one is full.
func (l *loader) record(kind string, data []byte) error {
	at := indexOf(l.sections, kind)
	switch {
	case at < 0:
		return l.rd.fail("unknown record type %q", kind)
	case at < l.current:
		return l.rd.fail("a %s record after the %s records: records come table by table, in the order Export writes them", kind, l.sections[l.current].kind())
	}
	if err := l.closeSections(at); err != nil {
		return err
	}
	l.st.line = l.rd.line
	if err := l.sections[at].load(data, l.st); err != nil {
		return l.rd.fail("%v", err)
	}
	if err := l.sections[at].flush(l.ctx, l.tx, false); err != nil {
		return l.rd.fail("%v", err)
	}
	l.counts[kind]++
	return nil
}

// imported is what the import wrote: the records read, less the grants
// dropped.
func (l *loader) imported() Imported {
	stored := Counts{}
	for kind, n := range l.counts {
		stored[kind] = n
	}
	stored[grantKind] -= l.st.droppedGrants
	return Imported{Stored: stored, DroppedGrants: l.st.droppedGrants}
}

// end checks the end record against what was read, then the sections
// still open, and that nothing follows.
func (l *loader) end(data []byte) error {
	if err := checkTrailer(l.rd, data, l.counts); err != nil {
		return err
	}
	if err := l.closeSections(len(l.sections)); err != nil {
		return err
	}
	if _, err := l.rd.next(); err != io.EOF {
		if err != nil {
			return err
		}
		return l.rd.fail("data after the end record")
	}
	return nil
}

// closeSections writes and checks every section before the one at until.
func (l *loader) closeSections(until int) error {
	for ; l.current < until; l.current++ {
		sec := l.sections[l.current]
		if err := sec.flush(l.ctx, l.tx, true); err != nil {
			return err
		}
		if err := sec.finish(l.st); err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				return err
			}
			return l.rd.fail("%v", err)
		}
	}
	return nil
}

func indexOf(sections []section, kind string) int {
	for i, s := range sections {
		if s.kind() == kind {
			return i
		}
	}
	return -1
}
