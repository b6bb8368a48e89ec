// Package backup writes a Bureau instance to one file and reads it back,
// on either database engine.
//
// The file is JSON Lines. The first line is a header whose first field is
// the format version. Then one line per row, table by table, each
// {"type": kind, "data": {...}}; the last line is an "end" record with the
// number of records of each kind and a SHA-256 of the record lines, so a
// truncated or altered file is refused rather than half restored.
//
// It holds everything that rebuilds the instance: offices and departments
// with every revision, publication pointers, trash state and timestamps;
// users with their password hashes, token versions and activity; grants;
// the audit log. It never holds refresh tokens (sessions end with a move),
// the JWT secret (it is configuration, not data) or the SQLite events table
// (messages between running processes).
package backup

import (
	"fmt"
	"strings"
	"time"
)

// FormatVersion is the version of the file layout this package writes and
// the only one it reads. A change to any record's fields is a new version.
const FormatVersion = 1

// application marks a Bureau export, so another JSON Lines file is not
// taken for one.
const application = "bureau"

// header is the first line. Format comes first so that any later version
// can still be recognised and refused with a clear message.
type header struct {
	Format      int       `json:"format"`
	Application string    `json:"application"`
	ExportedAt  time.Time `json:"exported_at"`
}

// envelope is every other line.
type envelope struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// endType is the type of the last record.
const endType = "end"

// trailer is the data of the end record.
type trailer struct {
	Counts Counts `json:"counts"`
	SHA256 string `json:"sha256"` // of every line between the header and this one
}

// Counts is how many records of each kind a file holds.
type Counts map[string]int64

// String lists the counts in file order, for messages.
func (c Counts) String() string { return c.describe(nil) }

// describe is String with a note after the count of some kinds.
func (c Counts) describe(notes map[string]string) string {
	s := ""
	for _, sec := range newSections() {
		if s != "" {
			s += ", "
		}
		n := c[sec.kind()]
		label := strings.ReplaceAll(sec.kind(), "_", " ")
		if n != 1 {
			label += "s"
		}
		s += fmt.Sprintf("%d %s", n, label)
		if note := notes[sec.kind()]; note != "" {
			s += " (" + note + ")"
		}
	}
	return s
}

// FileError is a refused file: what is wrong and at which line.
type FileError struct {
	Line int
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// recordError names the record a problem is about.
func recordError(kind, id, format string, args ...any) error {
	return fmt.Errorf("%s %s: %s", kind, id, fmt.Sprintf(format, args...))
}

// storedTime is t as the database keeps it after an import on either
// engine: UTC, to the microsecond (what PostgreSQL keeps). Exports write
// it so, so the file of a copy is the file of its original.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func storedTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := storedTime(*t)
	return &v
}
