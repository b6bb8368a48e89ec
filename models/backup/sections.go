package backup

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"bureau/models"
)

// section is one table of the file: how its rows are read in an export,
// and checked and written back in an import.
type section interface {
	kind() string
	// export streams the rows to emit, in a stable order.
	export(ctx context.Context, tx *gorm.DB, emit func(row any) error) error
	// load decodes one record, checks it against the file so far and
	// queues it for writing.
	load(data []byte, st *loadState) error
	// flush writes the queued rows once a batch is full, or all of them
	// when all is set (at the end of the section).
	flush(ctx context.Context, tx *gorm.DB, all bool) error
	// finish checks what needs the whole section (a document's revisions).
	finish(st *loadState) error
}

// newSections lists the sections in file order: a record may refer only to
// records of earlier sections (a department to its office, a revision to
// its document, a grant to its user). Each call returns fresh sections,
// since they hold the rows queued by one import.
func newSections() []section {
	return []section{
		offices(),
		departments(),
		revisions(),
		users(),
		grants(),
		auditEvents(),
	}
}

// rowPtr is what a record type provides: *T checks itself and puts its
// times in stored form.
type rowPtr[T any] interface {
	*T
	normalize()
	check(st *loadState) error
}

// batchSize is how many rows one INSERT writes at most, and batchBytes
// about how much text: a few revisions of very long documents make a batch
// of their own rather than an INSERT of hundreds of megabytes.
const (
	batchSize  = 500
	batchBytes = 4 << 20
)

// table is a section over one database table whose rows map onto the
// record type T.
type table[T any, P rowPtr[T]] struct {
	name string
	// query selects the rows in export order.
	query func(tx *gorm.DB) *gorm.DB
	// insert writes rows; nil writes T as it is (T names its table).
	insert func(tx *gorm.DB, rows []T) error
	// done checks the section as a whole; may be nil.
	done func(st *loadState) error

	pending      []T
	pendingBytes int
}

func (t *table[T, P]) kind() string { return t.name }

func (t *table[T, P]) export(ctx context.Context, tx *gorm.DB, emit func(any) error) error {
	rows, err := t.query(tx.WithContext(ctx)).Rows()
	if err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row T
		if err := tx.ScanRows(rows, &row); err != nil {
			return fmt.Errorf("read %s: %w", t.name, err)
		}
		P(&row).normalize()
		if err := emit(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", t.name, err)
	}
	return nil
}

func (t *table[T, P]) load(data []byte, st *loadState) error {
	var row T
	if err := strictJSON(data, &row); err != nil {
		return fmt.Errorf("%s record: %w", t.name, err)
	}
	P(&row).normalize()
	if err := P(&row).check(st); err != nil {
		return err
	}
	t.pending = append(t.pending, row)
	t.pendingBytes += len(data)
	return nil
}

func (t *table[T, P]) flush(ctx context.Context, tx *gorm.DB, all bool) error {
	if len(t.pending) == 0 || (!all && len(t.pending) < batchSize && t.pendingBytes < batchBytes) {
		return nil
	}
	var err error
	if t.insert != nil {
		err = t.insert(tx.WithContext(ctx), t.pending)
	} else {
		err = tx.WithContext(ctx).CreateInBatches(t.pending, batchSize).Error
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", t.name, err)
	}
	t.pending, t.pendingBytes = t.pending[:0], 0
	return nil
}

func (t *table[T, P]) finish(st *loadState) error {
	if t.done == nil {
		return nil
	}
	return t.done(st)
}

// byText orders by text columns the same way on both engines: bytewise.
// PostgreSQL would otherwise use the database's collation, and two exports
// of the same data would list rows in different orders. cols are constants.
func byText(tx *gorm.DB, cols ...string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += c
		if models.DialectOf(tx) == models.Postgres {
			out += ` COLLATE "C"`
		}
	}
	return out
}
