package models

import (
	"context"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// MigrateTo applies the migrations up to and including id, so a test can
// fill the schema of an older release and then migrate it.
func MigrateTo(ctx context.Context, db *gorm.DB, id string) error {
	return gormigrate.New(db.WithContext(ctx), migrateOptions, migrations).MigrateTo(id)
}

// RollbackTo undoes the applied migrations newer than id.
func RollbackTo(ctx context.Context, db *gorm.DB, id string) error {
	return gormigrate.New(db.WithContext(ctx), migrateOptions, migrations).RollbackTo(id)
}
