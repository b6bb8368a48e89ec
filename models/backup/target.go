package backup

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"bureau/models"
)

// NotEmptyError refuses an import into a database that holds data.
type NotEmptyError struct {
	Holds string // what it holds, e.g. "8 offices and departments, 8 revisions, 0 users, ..."
}

func (e *NotEmptyError) Error() string {
	return "the database is not empty (it holds " + e.Holds + "); import restores into an empty database, or replaces everything with --replace"
}

// instanceTables are the tables an import fills, children before parents
// (the order to empty them in). The events table is not one: it carries
// messages between running processes, and the import sends one.
var instanceTables = []string{"refresh_tokens", "grants", "revisions", "departments", "offices", "audit_events", "users"}

// lockTables keeps running servers on PostgreSQL from writing while the
// import replaces what they would write to; they read on meanwhile, and
// their writes proceed on the imported data once it commits. On SQLite the
// import's transaction holds the single write lock already.
func lockTables(tx *gorm.DB) error {
	if models.DialectOf(tx) != models.Postgres {
		return nil
	}
	return tx.Exec("LOCK TABLE " + strings.Join(instanceTables, ", ") + " IN EXCLUSIVE MODE").Error
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
		{&grants, tx.Table("grants")},
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
	return nil
}

// resetSequences moves PostgreSQL's id sequences past the ids the file
// brought, so the next audit event or grant does not collide with one.
// SQLite does this by itself.
func resetSequences(tx *gorm.DB) error {
	if models.DialectOf(tx) != models.Postgres {
		return nil
	}
	for _, t := range []string{"audit_events", "grants", "revisions"} {
		err := tx.Exec("SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX(id) FROM "+t+"), 0) + 1, false)", t).Error
		if err != nil {
			return fmt.Errorf("reset the id sequence of %s: %w", t, err)
		}
	}
	return nil
}
