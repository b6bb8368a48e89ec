package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

// Migrating and loading the demo content costs more than copying the result,
// so a package's tests share one template per database engine, built on first
// use, and each test gets a private copy of it: a file copy on SQLite, a
// CREATE DATABASE ... TEMPLATE on PostgreSQL (measured faster than migrating
// and seeding a fresh schema; see the harness note in handlers/env_test.go).
// The copies are as isolated as fresh databases: nothing a test writes
// reaches the template or another test.

// templates are this test process's template databases.
var templates struct {
	mu       sync.Mutex
	inMain   bool
	sqlite   *builtTemplate
	postgres *builtTemplate
	drops    sync.WaitGroup // copies being dropped
}

type builtTemplate struct {
	once sync.Once
	err  error
	// path is the SQLite template file; name the PostgreSQL template database.
	path, name string
	// admin creates and drops the copies, connected to the base database.
	admin *gorm.DB
}

// Main runs a package's tests and then removes the templates Seeded built.
// A package that uses Seeded or EachSeeded calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
func Main(m *testing.M) int {
	templates.mu.Lock()
	templates.inMain = true
	templates.mu.Unlock()
	code := m.Run()
	templates.drops.Wait()
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if tpl := templates.sqlite; tpl != nil && tpl.path != "" {
		_ = os.RemoveAll(filepath.Dir(tpl.path))
	}
	if tpl := templates.postgres; tpl != nil && tpl.admin != nil {
		if tpl.name != "" {
			tpl.admin.Exec(`DROP DATABASE IF EXISTS "` + tpl.name + `" WITH (FORCE)`)
		}
		_ = models.Close(tpl.admin)
	}
	return code
}

// Engines names the database engines every database test must pass on:
// "sqlite", and "postgres" when BUREAU_TEST_POSTGRES_URL is set.
func Engines() []string {
	if os.Getenv("BUREAU_TEST_POSTGRES_URL") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Seeded lists the same targets as Targets, each a private database already
// migrated and loaded with the demo content.
func Seeded(t testing.TB) []Target {
	t.Helper()
	var targets []Target
	for _, engine := range Engines() {
		targets = append(targets, SeededOn(t, engine))
	}
	return targets
}

// SeededOn is a private, migrated database holding the demo content, on one
// engine ("sqlite" or "postgres").
func SeededOn(t testing.TB, engine string) Target {
	t.Helper()
	sqliteTpl, postgresTpl := templateSlots(t)
	switch engine {
	case "sqlite":
		return Target{Name: engine, URL: copySQLite(t, sqliteTpl)}
	case "postgres":
		base := os.Getenv("BUREAU_TEST_POSTGRES_URL")
		if base == "" {
			t.Skip("needs PostgreSQL (BUREAU_TEST_POSTGRES_URL)")
		}
		return Target{Name: engine, URL: copyPostgres(t, postgresTpl, base)}
	}
	t.Fatalf("no database engine %q", engine)
	return Target{}
}

// EachSeeded runs fn once per target, as subtests, with an open database of
// its own, migrated and holding the demo content.
func EachSeeded(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, target := range Seeded(t) {
		t.Run(target.Name, func(t *testing.T) {
			fn(t, Open(t, target.URL))
		})
	}
}

func templateSlots(t testing.TB) (sqliteTpl, postgresTpl *builtTemplate) {
	t.Helper()
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if !templates.inMain {
		t.Fatal("dbtest.Seeded needs the package's TestMain to call dbtest.Main, which removes the templates afterwards")
	}
	if templates.sqlite == nil {
		templates.sqlite, templates.postgres = &builtTemplate{}, &builtTemplate{}
	}
	return templates.sqlite, templates.postgres
}

// seedTimeout bounds building a template, so a write that deadlocks (on
// SQLite's single connection, say) fails the tests instead of hanging them.
const seedTimeout = 2 * time.Minute

// seed migrates db and loads the demo content: what every template holds.
func seed(db *gorm.DB) error {
	ctx, cancel := context.WithTimeout(context.Background(), seedTimeout)
	defer cancel()
	if err := models.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := models.SeedDemo(ctx, db); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	return nil
}

func copySQLite(t testing.TB, tpl *builtTemplate) string {
	t.Helper()
	tpl.once.Do(func() { tpl.path, tpl.err = buildSQLiteTemplate() })
	if tpl.err != nil {
		t.Fatalf("sqlite template: %v", tpl.err)
	}
	dst := filepath.Join(t.TempDir(), "bureau.db")
	if err := copyFile(tpl.path, dst); err != nil {
		t.Fatalf("copy the sqlite template: %v", err)
	}
	return "sqlite:" + dst
}

// buildSQLiteTemplate seeds a scratch database and writes it, compacted and
// without a write-ahead log, to template.db beside it.
func buildSQLiteTemplate() (string, error) {
	dir, err := os.MkdirTemp("", "bureau-dbtest-")
	if err != nil {
		return "", err
	}
	db, err := models.Open(context.Background(), "sqlite:"+filepath.Join(dir, "build.db"), nil)
	if err != nil {
		return "", err
	}
	defer models.Close(db)
	if err := seed(db); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "template.db")
	if err := db.Exec("VACUUM INTO ?", path).Error; err != nil {
		return "", fmt.Errorf("vacuum into: %w", err)
	}
	return path, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func copyPostgres(t testing.TB, tpl *builtTemplate, base string) string {
	t.Helper()
	tpl.once.Do(func() { tpl.admin, tpl.name, tpl.err = buildPostgresTemplate(base) })
	if tpl.err != nil {
		t.Fatalf("postgres template: %v", tpl.err)
	}
	name := uniqueName("t_")
	if err := tpl.admin.Exec(`CREATE DATABASE "` + name + `" TEMPLATE "` + tpl.name + `"`).Error; err != nil {
		t.Fatalf("copy the postgres template: %v", err)
	}
	// Registered before the test opens the copy, so it runs after the
	// test's own connections are closed. DROP DATABASE waits for a
	// checkpoint (seconds on a busy server), so it runs in the background,
	// where concurrent drops share checkpoints; Main waits for them.
	t.Cleanup(func() {
		templates.drops.Add(1)
		go func() {
			defer templates.drops.Done()
			tpl.admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
		}()
	})
	return withDatabase(t, base, name)
}

// buildPostgresTemplate creates and seeds a database to copy. It must have no
// open connection when copied, so the seeding connection is closed at once.
func buildPostgresTemplate(base string) (*gorm.DB, string, error) {
	admin, err := models.Open(context.Background(), base, nil)
	if err != nil {
		return nil, "", err
	}
	name := uniqueName("bureau_tpl_")
	if err := admin.Exec(`CREATE DATABASE "` + name + `"`).Error; err != nil {
		return admin, "", err
	}
	u, err := databaseURL(base, name)
	if err != nil {
		return admin, name, err
	}
	db, err := models.Open(context.Background(), u, nil)
	if err != nil {
		return admin, name, err
	}
	err = seed(db)
	if cerr := models.Close(db); err == nil {
		err = cerr
	}
	return admin, name, err
}

func uniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("BUREAU_TEST_POSTGRES_URL: %v", err)
	}
	return u
}

// databaseURL is base pointing at another database on the same server.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String(), nil
}
