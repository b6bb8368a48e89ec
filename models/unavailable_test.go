package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"bureau/models"
	"bureau/models/dbtest"
)

// TestStatementTimeoutCutsLongStatements: a pool opened with a statement
// timeout gives up on a statement past it, even without a context
// deadline, with an error the handlers answer as 503.
func TestStatementTimeoutCutsLongStatements(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := models.OpenWith(ctx, target.URL, nil, models.OpenOptions{StatementTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer models.Close(db)
			var long string
			switch target.Name {
			case "postgres":
				long = "SELECT pg_sleep(3)"
			default:
				// SQLite's long wait is another connection's write lock.
				other := dbtest.Migrated(t, target.URL)
				tx := other.Begin()
				defer tx.Rollback()
				if err := tx.Exec("CREATE TABLE held (id INTEGER)").Error; err != nil {
					t.Fatal(err)
				}
				long = "CREATE TABLE waiting (id INTEGER)"
			}
			start := time.Now()
			err = db.WithContext(ctx).Exec(long).Error
			if err == nil || !models.IsUnavailable(err) {
				t.Fatalf("%s: err %v, want an unavailable error", long, err)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("%s gave up after %s; the timeout is 200ms", long, elapsed)
			}
		})
	}
}

// TestIsUnavailableKeepsRealErrorsApart: only "not now" errors are 503s;
// a missing row, a conflict or bad SQL stay what they are.
func TestIsUnavailableKeepsRealErrorsApart(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("load office: %w", context.DeadlineExceeded), true},
		{models.ErrUnavailable, true},
		{models.ErrNotFound, false},
		{models.ErrConflict, false},
		{errors.New("something else"), false},
		{nil, false},
	} {
		if got := models.IsUnavailable(tc.err); got != tc.want {
			t.Errorf("IsUnavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestIsUnavailableOnRealDatabaseErrors: errors the databases really give
// for a broken statement or a taken key are not outages.
func TestIsUnavailableOnRealDatabaseErrors(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			db := dbtest.Migrated(t, target.URL)
			if err := db.Exec("SELECT * FROM no_such_table").Error; err == nil || models.IsUnavailable(err) {
				t.Errorf("a missing table: %v, unavailable %v", err, models.IsUnavailable(err))
			}
			if err := db.Exec("CREATE TABLE twice (id INTEGER PRIMARY KEY)").Error; err != nil {
				t.Fatal(err)
			}
			db.Exec("INSERT INTO twice (id) VALUES (1)")
			if err := db.Exec("INSERT INTO twice (id) VALUES (1)").Error; err == nil || models.IsUnavailable(err) {
				t.Errorf("a duplicate key: %v, unavailable %v", err, models.IsUnavailable(err))
			}
		})
	}
}
