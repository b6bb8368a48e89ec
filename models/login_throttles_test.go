package models_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// throttlesOnEachDB runs fn on a migrated database of each engine.
func throttlesOnEachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) { fn(t, dbtest.Migrated(t, target.URL)) })
	}
}

// inParallel runs fn in n goroutines at once and waits for them all.
func inParallel(n int, fn func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(fn)
	}
	wg.Wait()
}

func TestLoginThrottleWindow(t *testing.T) {
	ctx := context.Background()
	throttlesOnEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.UnixMilli(time.Now().UnixMilli()) // stored to the millisecond
		for i := 1; i <= 3; i++ {
			at := start.Add(time.Duration(i) * time.Second)
			ok, _, err := models.ReserveAttempt(ctx, db, "b", 3, 5*time.Second, at)
			if err != nil || !ok {
				t.Fatalf("attempt %d: %v %v", i, ok, err)
			}
			if err := models.ConfirmFailure(ctx, db, "b", time.Minute, at); err != nil {
				t.Fatal(err)
			}
		}
		ok, refusal, err := models.ReserveAttempt(ctx, db, "b", 3, 5*time.Second, start.Add(10*time.Second))
		if err != nil || ok {
			t.Fatalf("4th attempt: %v %v", ok, err)
		}
		// The window opened with the first failure, at start+1s.
		if want := (models.AttemptRefusal{Failures: true, RetryAfter: 51 * time.Second}); refusal != want {
			t.Errorf("refusal %+v, want %+v", refusal, want)
		}
		if n, _ := models.Attempts(ctx, db, "b", start.Add(10*time.Second)); n != 3 {
			t.Errorf("refused attempt was counted: %d", n)
		}
		// After the window, a fresh one.
		later := start.Add(2 * time.Minute)
		if n, _ := models.Attempts(ctx, db, "b", later); n != 0 {
			t.Errorf("expired window still counts %d", n)
		}
		if ok, _, _ := models.ReserveAttempt(ctx, db, "b", 3, 5*time.Second, later); !ok {
			t.Error("refused in a new window")
		}
		if err := models.ConfirmFailure(ctx, db, "b", time.Minute, later); err != nil {
			t.Fatal(err)
		}
		if n, _ := models.Attempts(ctx, db, "b", later); n != 1 {
			t.Errorf("new window counts %d, want 1", n)
		}
		// Cleared failures are forgotten.
		if err := models.ClearFailures(ctx, db, "b"); err != nil {
			t.Fatal(err)
		}
		if n, _ := models.Attempts(ctx, db, "b", later); n != 0 {
			t.Errorf("cleared bucket counts %d", n)
		}
		// Marks last until their time; purging drops only what is over.
		if err := models.MarkBucket(ctx, db, "known", later.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := models.PurgeLoginThrottles(ctx, db, later.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var rows []string
		db.Model(&models.LoginThrottle{}).Order("bucket").Pluck("bucket", &rows)
		if len(rows) != 1 || rows[0] != "known" {
			t.Errorf("after purge: %v, want [known]", rows)
		}
	})
}

// Attempts in flight hold a place only until they are settled or lapse,
// and a limit they fill says so: the wait is theirs, not the window's.
func TestLoginThrottleReservations(t *testing.T) {
	ctx := context.Background()
	throttlesOnEachDB(t, func(t *testing.T, db *gorm.DB) {
		start := time.UnixMilli(time.Now().UnixMilli())
		reserve := func(at time.Duration) (bool, models.AttemptRefusal) {
			t.Helper()
			ok, refusal, err := models.ReserveAttempt(ctx, db, "r", 3, 10*time.Second, start.Add(at))
			if err != nil {
				t.Fatal(err)
			}
			return ok, refusal
		}
		// One confirmed failure and two in flight fill a limit of 3.
		reserve(0)
		if err := models.ConfirmFailure(ctx, db, "r", time.Minute, start); err != nil {
			t.Fatal(err)
		}
		reserve(time.Second)
		reserve(2 * time.Second)
		ok, refusal := reserve(3 * time.Second)
		if want := (models.AttemptRefusal{Failures: false, RetryAfter: 9 * time.Second}); ok || refusal != want {
			t.Fatalf("full of reservations: %v %+v, want refused %+v", ok, refusal, want)
		}
		// A reservation given back makes room at once.
		if err := models.ReleaseAttempt(ctx, db, "r", start.Add(4*time.Second)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := reserve(4 * time.Second); !ok {
			t.Fatal("no room after a reservation was given back")
		}
		// Cleared failures make room; purging keeps a row whose only
		// life is its reservations.
		if err := models.ClearFailures(ctx, db, "r"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := reserve(5 * time.Second); !ok {
			t.Fatal("no room after the failures were cleared")
		}
		if err := models.PurgeLoginThrottles(ctx, db, start.Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := reserve(5 * time.Second); ok {
			t.Fatal("purging dropped reservations in flight")
		}
		// Unsettled reservations lapse: the last was taken at 5s, for 10s.
		if ok, _ := reserve(15*time.Second - time.Millisecond); ok {
			t.Fatal("reservations lapsed early")
		}
		if ok, _ := reserve(15 * time.Second); !ok {
			t.Fatal("lapsed reservations still hold the limit")
		}
		// A failure confirmed after its reservation lapsed still counts.
		if err := models.ConfirmFailure(ctx, db, "r", time.Minute, start.Add(16*time.Second)); err != nil {
			t.Fatal(err)
		}
		if n, _ := models.Attempts(ctx, db, "r", start.Add(16*time.Second)); n != 1 {
			t.Errorf("failures after a late settlement: %d, want 1", n)
		}
	})
}

// Concurrent attempts (as from several instances) never overrun the limit.
func TestLoginThrottleConcurrent(t *testing.T) {
	ctx := context.Background()
	throttlesOnEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now()
		var allowed atomic.Int64
		inParallel(20, func() {
			ok, _, err := models.ReserveAttempt(ctx, db, "race", 7, time.Minute, now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
		if allowed.Load() != 7 {
			t.Errorf("%d attempts allowed, want 7", allowed.Load())
		}
	})
}

// Concurrent guessers that each try again as soon as a place frees up get,
// all together, exactly the limit of failures: settling a reservation as a
// failure and taking a new one cannot race past it.
func TestLoginThrottleConcurrentFailures(t *testing.T) {
	ctx := context.Background()
	throttlesOnEachDB(t, func(t *testing.T, db *gorm.DB) {
		now := time.Now()
		var guesses atomic.Int64
		inParallel(20, func() {
			for {
				ok, refusal, err := models.ReserveAttempt(ctx, db, "guess", 7, time.Minute, now)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok && refusal.Failures {
					return
				}
				if !ok {
					continue // places are in flight: they settle shortly
				}
				guesses.Add(1)
				if err := models.ConfirmFailure(ctx, db, "guess", time.Hour, now); err != nil {
					t.Error(err)
					return
				}
			}
		})
		if n, _ := models.Attempts(ctx, db, "guess", now); guesses.Load() != 7 || n != 7 {
			t.Errorf("%d guesses admitted, %d failures counted; want 7", guesses.Load(), n)
		}
	})
}
