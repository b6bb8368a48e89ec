package models_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bureau/models"
	"bureau/models/dbtest"
)

func TestLoginThrottleWindow(t *testing.T) {
	ctx := context.Background()
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			db := dbtest.Migrated(t, target.URL)
			start := time.UnixMilli(time.Now().UnixMilli()) // stored to the millisecond
			for i := 1; i <= 3; i++ {
				ok, _, err := models.TakeAttempt(ctx, db, "b", 3, time.Minute, start.Add(time.Duration(i)*time.Second))
				if err != nil || !ok {
					t.Fatalf("attempt %d: %v %v", i, ok, err)
				}
			}
			ok, wait, err := models.TakeAttempt(ctx, db, "b", 3, time.Minute, start.Add(10*time.Second))
			if err != nil || ok {
				t.Fatalf("4th attempt: %v %v", ok, err)
			}
			// The window opened with the first attempt, at start+1s.
			if want := 51 * time.Second; wait != want {
				t.Errorf("retry after %v, want %v", wait, want)
			}
			if n, _ := models.Attempts(ctx, db, "b", start.Add(10*time.Second)); n != 3 {
				t.Errorf("refused attempt was counted: %d", n)
			}
			// A returned attempt makes room for one more.
			if err := models.ReturnAttempt(ctx, db, "b", start.Add(11*time.Second)); err != nil {
				t.Fatal(err)
			}
			if ok, _, _ := models.TakeAttempt(ctx, db, "b", 3, time.Minute, start.Add(12*time.Second)); !ok {
				t.Error("no room after a returned attempt")
			}
			// After the window, a fresh one.
			later := start.Add(2 * time.Minute)
			if n, _ := models.Attempts(ctx, db, "b", later); n != 0 {
				t.Errorf("expired window still counts %d", n)
			}
			if ok, _, _ := models.TakeAttempt(ctx, db, "b", 3, time.Minute, later); !ok {
				t.Error("refused in a new window")
			}
			if n, _ := models.Attempts(ctx, db, "b", later); n != 1 {
				t.Errorf("new window counts %d, want 1", n)
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
}

// Concurrent attempts (as from several instances) never overrun the limit.
func TestLoginThrottleConcurrent(t *testing.T) {
	ctx := context.Background()
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			db := dbtest.Migrated(t, target.URL)
			now := time.Now()
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					ok, _, err := models.TakeAttempt(ctx, db, "race", 7, time.Minute, now)
					if err != nil {
						t.Error(err)
					}
					if ok {
						allowed.Add(1)
					}
				})
			}
			wg.Wait()
			if allowed.Load() != 7 {
				t.Errorf("%d attempts allowed, want 7", allowed.Load())
			}
		})
	}
}
