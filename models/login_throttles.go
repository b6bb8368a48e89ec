package models

import (
	"context"
	"math"
	"time"

	"gorm.io/gorm"
)

// LoginThrottle is one sign-in counter: how many attempts a bucket (a
// client address, an address and account, an account) made in its current
// window. The counters live in the database so that every instance on one
// PostgreSQL counts together; on SQLite the table serves the one process.
//
// A bucket name is a digest chosen by the caller (so no email or address is
// stored here). Times are Unix milliseconds: plain integers compare alike
// on both engines, whatever the driver does with time zones. Rows past their
// window are dead and PurgeLoginThrottles deletes them, which keeps the
// table as small as the traffic of the last window.
type LoginThrottle struct {
	Bucket    string `gorm:"primaryKey;size:64"`
	Count     int64  `gorm:"not null"`
	WindowEnd int64  `gorm:"not null;index"` // Unix ms; the row means nothing after it
}

// takeAttemptSQL counts an attempt in one atomic statement: it opens a
// window with the first attempt, restarts an expired one, and refuses
// (updating nothing, returning no row) when the window already holds the limit.
// INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING runs the same on
// PostgreSQL and SQLite (3.35+); concurrent callers on any instance see one
// another, so a limit cannot be overrun by racing it.
const takeAttemptSQL = `INSERT INTO login_throttles (bucket, count, window_end) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET
  count = CASE WHEN login_throttles.window_end <= ? THEN 1 ELSE login_throttles.count + 1 END,
  window_end = CASE WHEN login_throttles.window_end <= ? THEN excluded.window_end ELSE login_throttles.window_end END
WHERE login_throttles.window_end <= ? OR login_throttles.count < ?
RETURNING count`

// TakeAttempt counts one attempt in bucket, whose window lasts window from
// its first attempt, and reports whether it is within limit. A refused attempt
// is not counted (hammering does not extend the wait); retryAfter is then
// the time left in the window.
func TakeAttempt(ctx context.Context, db *gorm.DB, bucket string, limit int64, window time.Duration, now time.Time) (ok bool, retryAfter time.Duration, err error) {
	nowMs := now.UnixMilli()
	var counts []int64
	err = db.WithContext(ctx).Raw(takeAttemptSQL, bucket, now.Add(window).UnixMilli(), nowMs, nowMs, nowMs, limit).Scan(&counts).Error
	if err != nil || len(counts) > 0 {
		return err == nil, 0, err
	}
	var t LoginThrottle
	if err := db.WithContext(ctx).Where("bucket = ?", bucket).Take(&t).Error; err != nil {
		return false, 0, translateReadError(err)
	}
	return false, max(time.UnixMilli(t.WindowEnd).Sub(now), 0), nil
}

// CountAttempt counts an attempt in bucket without any limit (a tally that
// other decisions read).
func CountAttempt(ctx context.Context, db *gorm.DB, bucket string, window time.Duration, now time.Time) error {
	_, _, err := TakeAttempt(ctx, db, bucket, math.MaxInt64, window, now)
	return err
}

// ReturnAttempt gives back one attempt taken from bucket, for an attempt
// that turned out not to count (a correct password, a request that never got
// to check one).
func ReturnAttempt(ctx context.Context, db *gorm.DB, bucket string, now time.Time) error {
	return db.WithContext(ctx).Model(&LoginThrottle{}).
		Where("bucket = ? AND count > 0 AND window_end > ?", bucket, now.UnixMilli()).
		UpdateColumn("count", gorm.Expr("count - 1")).Error
}

// Attempts returns how many attempts bucket holds in its current window.
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

// ClearAttempts forgets bucket.
func ClearAttempts(ctx context.Context, db *gorm.DB, bucket string) error {
	return db.WithContext(ctx).Where("bucket = ?", bucket).Delete(&LoginThrottle{}).Error
}

// MarkBucket sets bucket to one until until: a flag (e.g. "this address has
// signed in to this account") that Attempts reads as 1 while it lasts.
func MarkBucket(ctx context.Context, db *gorm.DB, bucket string, until time.Time) error {
	return db.WithContext(ctx).Exec(`INSERT INTO login_throttles (bucket, count, window_end) VALUES (?, 1, ?)
ON CONFLICT (bucket) DO UPDATE SET count = 1, window_end = excluded.window_end`, bucket, until.UnixMilli()).Error
}

// PurgeLoginThrottles deletes the counters whose window is over.
func PurgeLoginThrottles(ctx context.Context, db *gorm.DB, now time.Time) error {
	return db.WithContext(ctx).Where("window_end <= ?", now.UnixMilli()).Delete(&LoginThrottle{}).Error
}
