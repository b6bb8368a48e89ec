package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
	return OpenWith(ctx, databaseURL, log, OpenOptions{})
}

// OpenOptions tune a connection pool for its use.
type OpenOptions struct {
	// StatementTimeout, when set, bounds how long one statement may run or
	// wait for a lock: PostgreSQL cancels it (statement_timeout), SQLite
	// gives up waiting for another process's write lock (busy timeout,
	// which a cancelled context cannot cut short). The server sets it to
	// its request deadline, so a frozen database cannot hold a request past
	// it; migrations and exports run without.
	StatementTimeout time.Duration
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, databaseURL string, log *slog.Logger, opts OpenOptions) (*gorm.DB, error) {
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
	case isPostgresURL(databaseURL):
		dsn := databaseURL
		if opts.StatementTimeout > 0 {
			dsn = withStatementTimeout(databaseURL, opts.StatementTimeout)
		}
		db, err = gorm.Open(postgres.Open(dsn), cfg)
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
		// short lock waits (another process writing) instead of failing
		// with SQLITE_BUSY.
		busy := 10 * time.Second
		if opts.StatementTimeout > 0 {
			busy = opts.StatementTimeout
		}
		dsn := path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")&_pragma=synchronous(NORMAL)&_txlock=immediate"
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

// withStatementTimeout returns a PostgreSQL database URL whose sessions
// cancel any statement running (or waiting for a lock) longer than d. A
// timeout already in the URL is kept.
func withStatementTimeout(databaseURL string, d time.Duration) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL // the driver reports the bad URL
	}
	q := u.Query()
	if q.Has("statement_timeout") || strings.Contains(q.Get("options"), "statement_timeout") {
		return databaseURL
	}
	// pgx sends unknown URL parameters as run-time settings of the session.
	q.Set("statement_timeout", strconv.FormatInt(d.Milliseconds(), 10))
	u.RawQuery = q.Encode()
	return u.String()
}

func isPostgresURL(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
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
