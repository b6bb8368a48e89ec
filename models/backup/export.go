package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"

	"gorm.io/gorm"

	"bureau/models"
)

// Export writes the whole instance to w, one row at a time, as read in one
// snapshot: a single read-only transaction, so a server may go on serving
// and writing meanwhile and the file still shows one moment. It returns
// what it wrote. progress, when not nil, gets a line now and then on long
// exports.
func Export(ctx context.Context, db *gorm.DB, w io.Writer, progressTo io.Writer) (Counts, error) {
	out := bufio.NewWriterSize(w, 256<<10)
	counts := Counts{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := writeLine(out, header{Format: FormatVersion, Application: application, ExportedAt: models.Now()}); err != nil {
			return err
		}
		sum := sha256.New()
		records := json.NewEncoder(io.MultiWriter(out, sum))
		records.SetEscapeHTML(false)
		p := newProgress(progressTo, "export")
		var total int64
		for _, sec := range newSections() {
			kind := sec.kind()
			counts[kind] = 0
			err := sec.export(ctx, tx, func(row any) error {
				counts[kind]++
				total++
				p.tick(total, kind)
				return records.Encode(envelope{Type: kind, Data: row})
			})
			if err != nil {
				return err
			}
		}
		end := envelope{Type: endType, Data: trailer{Counts: counts, SHA256: hex.EncodeToString(sum.Sum(nil))}}
		if err := writeLine(out, end); err != nil {
			return err
		}
		return out.Flush()
	}, snapshot(db))
	return counts, err
}

// snapshot asks for a read-only transaction that sees one moment. On
// PostgreSQL that is REPEATABLE READ; on SQLite a read-only transaction is
// a deferred BEGIN, whose reads (in WAL mode) all see the database as at
// the first one, without taking the write lock that BEGIN IMMEDIATE, used
// for Bureau's writes, would hold for the whole export.
func snapshot(db *gorm.DB) *sql.TxOptions {
	if models.DialectOf(db) == models.Postgres {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{ReadOnly: true}
}

func writeLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
