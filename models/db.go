package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a *gorm.DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DialectOf tells which engine a connection talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// Open connects to the database named by a Bureau database URL:
// "sqlite:PATH" (the embedded default, a pure-Go SQLite file) or
// "postgres://..." / "postgresql://...". It does not migrate.
func Open(ctx context.Context, databaseURL string, log *slog.Logger) (*gorm.DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:         newGormLogger(log),
		TranslateError: true,
		NowFunc:        Now,
	}
	var (
		db  *gorm.DB
		err error
	)
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err = gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", redactURLError(err, databaseURL))
		}
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("sqlite database URL needs a path, e.g. sqlite:./bureau-data/bureau.db")
		}
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		// WAL lets readers proceed during a write; the busy timeout absorbs
		// short lock waits instead of failing with SQLITE_BUSY.
		dsn := path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		db, err = gorm.Open(sqlite.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// SQLite allows one writer at a time; a single connection serialises
		// writers in Go instead of surfacing "database is locked" to users.
		sqlDB.SetMaxOpenConns(1)
	default:
		return nil, errors.New(`database URL must start with "sqlite:" or "postgres://"`)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", redactURLError(err, databaseURL))
	}
	return db, nil
}

// Now is the time Bureau stores: UTC, to the microsecond. PostgreSQL keeps
// microseconds; SQLite would keep nanoseconds. Storing what both keep makes
// a backup move between engines without changing a timestamp, and so
// without changing a public answer (its updated_at, its ETag).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Close releases the connection pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// redactURLError keeps a password in the database URL out of error text.
func redactURLError(err error, databaseURL string) error {
	u, perr := url.Parse(databaseURL)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// newGormLogger sends GORM's warnings (slow queries) and errors to slog.
// Queries are logged with placeholders only, so no value (a password hash,
// a token digest) ever reaches the log.
func newGormLogger(log *slog.Logger) logger.Interface {
	return logger.New(slogWriter{log}, logger.Config{
		SlowThreshold:             500 * time.Millisecond,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
		Colorful:                  false,
	})
}

type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn("database", "detail", strings.TrimSpace(fmt.Sprintf(format, args...)))
}
