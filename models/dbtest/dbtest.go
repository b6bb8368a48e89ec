// Package dbtest gives each test its own empty database: a fresh SQLite file,
// and, when BUREAU_TEST_POSTGRES_URL is set, a fresh PostgreSQL schema too.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
)

// Target is one database a test runs against.
type Target struct {
	Name string // "sqlite" or "postgres"
	URL  string // a Bureau database URL that opens this very database
}

// Targets lists the databases every database test must pass on.
func Targets(t testing.TB) []Target {
	t.Helper()
	targets := []Target{{Name: "sqlite", URL: "sqlite:" + filepath.Join(t.TempDir(), "bureau.db")}}
	if base := os.Getenv("BUREAU_TEST_POSTGRES_URL"); base != "" {
		targets = append(targets, Target{Name: "postgres", URL: freshSchema(t, base)})
	}
	return targets
}

// Each runs fn once per target, as subtests, with an open unmigrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, target := range Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			fn(t, Open(t, target.URL))
		})
	}
}

// Open connects to url and closes the connection when the test ends.
func Open(t testing.TB, databaseURL string) *gorm.DB {
	t.Helper()
	db, err := models.Open(context.Background(), databaseURL, nil)
	if err != nil {
		t.Fatalf("open %s: %v", databaseURL, err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	return db
}

// Migrated opens a database and applies every migration.
func Migrated(t testing.TB, databaseURL string) *gorm.DB {
	t.Helper()
	db := Open(t, databaseURL)
	if err := models.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// EachMigrated is Each with every migration applied.
func EachMigrated(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, target := range Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			fn(t, Migrated(t, target.URL))
		})
	}
}

// freshSchema creates a uniquely named schema, drops it after the test, and
// returns base with search_path pointing at it, so tests never share tables.
func freshSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin := Open(t, base)
	if err := admin.Exec(`CREATE SCHEMA "` + schema + `"`).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		cleanup, err := models.Open(context.Background(), base, nil)
		if err != nil {
			return
		}
		defer models.Close(cleanup)
		cleanup.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("BUREAU_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
