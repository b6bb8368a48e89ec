package models

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
)

// LoginThrottle is one sign-in counter: how many attempts a bucket (a
// client address, an address and account, an account) failed in its current
// window, and how many are in flight. The counters live in the database so
// that every instance on one PostgreSQL counts together; on SQLite the table
// serves the one process.
//
// An attempt is reserved before its password is checked (so parallel
// requests cannot overrun a limit between the check and the count) and then
// either confirmed as a failure or given back. Reservations are kept apart
// from failures because they mean different waits: a failure counts for the
// bucket's whole window, a reservation only until its request has checked
// the password, a second or two. A reservation whose request died (an
// instance stopped mid-attempt) lapses at PendingUntil: the pending count
// then means nothing, as Count does after WindowEnd.
//
// A bucket name is a digest chosen by the caller (so no email or address is
// stored here). Times are Unix milliseconds: plain integers compare alike
// on both engines, whatever the driver does with time zones. Rows with no
// live failures or reservations are dead and PurgeLoginThrottles deletes
// them, which keeps the table as small as the traffic of the last window.
type LoginThrottle struct {
	Bucket       string `gorm:"primaryKey;size:64"`
	Count        int64  `gorm:"not null"`           // confirmed failures in the window
	WindowEnd    int64  `gorm:"not null;index"`     // Unix ms; Count means nothing after it
	Pending      int64  `gorm:"not null;default:0"` // attempts in flight
	PendingUntil int64  `gorm:"not null;default:0"` // Unix ms; Pending means nothing after it
}

// The live part of a row, as SQL: what has lapsed counts zero.
const (
	liveFailuresSQL = `(CASE WHEN login_throttles.window_end <= @now THEN 0 ELSE login_throttles.count END)`
	livePendingSQL  = `(CASE WHEN login_throttles.pending_until <= @now THEN 0 ELSE login_throttles.pending END)`
)

// reserveAttemptSQL reserves an attempt in one atomic statement, and
// refuses (updating nothing, returning no row) when the live failures and
// reservations already reach the limit. The reservations' expiry moves to
// the newest one's, so none lapses while a later one is in flight.
// INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING runs the same on
// PostgreSQL and SQLite (3.35+); concurrent callers on any instance see one
// another, so a limit cannot be overrun by racing it.
const reserveAttemptSQL = `INSERT INTO login_throttles (bucket, count, window_end, pending, pending_until)
VALUES (@bucket, 0, 0, 1, @pending_until)
ON CONFLICT (bucket) DO UPDATE SET
  pending = ` + livePendingSQL + ` + 1,
  pending_until = CASE WHEN login_throttles.pending_until > excluded.pending_until
    THEN login_throttles.pending_until ELSE excluded.pending_until END
WHERE ` + liveFailuresSQL + ` + ` + livePendingSQL + ` < @limit
RETURNING pending`

// countFailureSQL counts a failure, opening a window with the first one or
// restarting an expired one, and gives back @reserved reservations (1 when
// the failure was reserved, 0 for a plain tally).
const countFailureSQL = `INSERT INTO login_throttles (bucket, count, window_end, pending, pending_until)
VALUES (@bucket, 1, @window_end, 0, 0)
ON CONFLICT (bucket) DO UPDATE SET
  count = ` + liveFailuresSQL + ` + 1,
  window_end = CASE WHEN login_throttles.window_end <= @now THEN excluded.window_end ELSE login_throttles.window_end END,
  pending = CASE WHEN ` + livePendingSQL + ` > @reserved THEN login_throttles.pending - @reserved ELSE 0 END`

// AttemptRefusal says why ReserveAttempt refused and when to come back.
type AttemptRefusal struct {
	// Failures is true when confirmed failures alone fill the window;
	// false when it is full only because attempts are in flight, which will
	// be settled, one way or the other, as soon as their passwords are checked.
	Failures bool
	// RetryAfter is the time left in the window (Failures) or until the
	// reservations lapse at the latest.
	RetryAfter time.Duration
}

// ReserveAttempt reserves an attempt in bucket, if its live failures and
// reservations are below limit. The reservation lapses after reserveFor
// unless ConfirmFailure or ReleaseAttempt settles it first. A refused
// attempt reserves nothing (hammering does not extend the wait).
func ReserveAttempt(ctx context.Context, db *gorm.DB, bucket string, limit int64, reserveFor time.Duration, now time.Time) (ok bool, refusal AttemptRefusal, err error) {
	var pending []int64
	err = db.WithContext(ctx).Raw(reserveAttemptSQL,
		sql.Named("bucket", bucket), sql.Named("now", now.UnixMilli()),
		sql.Named("pending_until", now.Add(reserveFor).UnixMilli()), sql.Named("limit", limit)).
		Scan(&pending).Error
	if err != nil || len(pending) > 0 {
		return err == nil, AttemptRefusal{}, err
	}
	var t LoginThrottle
	if err := db.WithContext(ctx).Where("bucket = ?", bucket).Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Purged since: whatever filled it is over; come back at once.
			return false, AttemptRefusal{}, nil
		}
		return false, AttemptRefusal{}, err
	}
	nowMs := now.UnixMilli()
	if t.WindowEnd > nowMs && t.Count >= limit {
		return false, AttemptRefusal{Failures: true, RetryAfter: time.UnixMilli(t.WindowEnd).Sub(now)}, nil
	}
	return false, AttemptRefusal{RetryAfter: max(time.UnixMilli(t.PendingUntil).Sub(now), 0)}, nil
}

// ConfirmFailure turns a reservation in bucket into a failure, which
// counts for window from the window's first failure.
func ConfirmFailure(ctx context.Context, db *gorm.DB, bucket string, window time.Duration, now time.Time) error {
	return countFailure(ctx, db, bucket, window, now, 1)
}

// CountFailure counts a failure in bucket without any reservation or limit
// (a tally that other decisions read).
func CountFailure(ctx context.Context, db *gorm.DB, bucket string, window time.Duration, now time.Time) error {
	return countFailure(ctx, db, bucket, window, now, 0)
}

func countFailure(ctx context.Context, db *gorm.DB, bucket string, window time.Duration, now time.Time, reserved int64) error {
	return db.WithContext(ctx).Exec(countFailureSQL,
		sql.Named("bucket", bucket), sql.Named("now", now.UnixMilli()),
		sql.Named("window_end", now.Add(window).UnixMilli()), sql.Named("reserved", reserved)).Error
}

// ReleaseAttempt gives back a reservation in bucket, for an attempt that
// turned out not to count (a correct password, a request that never got to
// check one).
func ReleaseAttempt(ctx context.Context, db *gorm.DB, bucket string, now time.Time) error {
	return db.WithContext(ctx).Model(&LoginThrottle{}).
		Where("bucket = ? AND pending > 0 AND pending_until > ?", bucket, now.UnixMilli()).
		UpdateColumn("pending", gorm.Expr("pending - 1")).Error
}

// Attempts returns how many failures bucket holds in its current window.
func Attempts(ctx context.Context, db *gorm.DB, bucket string, now time.Time) (int64, error) {
	var counts []int64
	err := db.WithContext(ctx).Model(&LoginThrottle{}).
		Where("bucket = ? AND window_end > ?", bucket, now.UnixMilli()).
		Pluck("count", &counts).Error
	if err != nil || len(counts) == 0 {
		return 0, err
	}
	return counts[0], nil
}

// ClearFailures forgets bucket's failures. Its reservations stay: they
// belong to attempts still in flight, which settle them.
func ClearFailures(ctx context.Context, db *gorm.DB, bucket string) error {
	return db.WithContext(ctx).Model(&LoginThrottle{}).Where("bucket = ?", bucket).
		UpdateColumns(map[string]any{"count": 0, "window_end": 0}).Error
}

// MarkBucket sets bucket to one until until: a flag (e.g. "this address has
// signed in to this account") that Attempts reads as 1 while it lasts.
func MarkBucket(ctx context.Context, db *gorm.DB, bucket string, until time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO login_throttles (bucket, count, window_end, pending, pending_until) VALUES (?, 1, ?, 0, 0)
ON CONFLICT (bucket) DO UPDATE SET count = 1, window_end = excluded.window_end`, bucket, until.UnixMilli()).Error
}

// PurgeLoginThrottles deletes the counters with no live failures and no
// live reservations.
func PurgeLoginThrottles(ctx context.Context, db *gorm.DB, now time.Time) error {
	nowMs := now.UnixMilli()
	return db.WithContext(ctx).Where("window_end <= ? AND pending_until <= ?", nowMs, nowMs).Delete(&LoginThrottle{}).Error
}
