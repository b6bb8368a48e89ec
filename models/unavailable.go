package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnavailable: the database cannot do the work right now (down,
// unreachable, overloaded, or past the request's deadline). Retrying later
// may succeed; handlers answer 503 with Retry-After.
var ErrUnavailable = errors.New("database unavailable")

// IsUnavailable reports whether err means the database could not do the work
// now, rather than that the work itself is wrong: a deadline or statement
// timeout, a lost or refused connection, PostgreSQL shutting down or out of
// connections, or SQLite still locked past its busy timeout.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) {
		return true
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) || pgconn.Timeout(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableSQLState(pgErr.Code)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff { // the primary result code
		case sqliteBusy, sqliteLocked, sqliteInterrupt:
			return true
		}
	}
	return false
}

// SQLite primary result codes (sqlite3.h).
const (
	sqliteBusy      = 5
	sqliteLocked    = 6
	sqliteInterrupt = 9 // a query interrupted because its context ended
)

// unavailableSQLState picks the PostgreSQL error codes that say "not now"
// rather than "not this": connection exceptions (class 08), a cancelled or
// timed-out statement, a lock not obtained in time, too many connections,
// and a server shutting down or starting up.
func unavailableSQLState(code string) bool {
	if strings.HasPrefix(code, "08") {
		return true
	}
	switch code {
	case "57014", // query_canceled (statement_timeout)
		"55P03", // lock_not_available (lock_timeout)
		"53300", // too_many_connections
		"57P01", // admin_shutdown
		"57P02", // crash_shutdown
		"57P03": // cannot_connect_now
		return true
	}
	return false
}
