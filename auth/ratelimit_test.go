package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func TestLimiterAllowsMaxThenRefuses(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	for i := range 3 {
		if ok, ra := l.Allow("alice", t0.Add(time.Duration(i)*time.Second)); !ok || ra != 0 {
			t.Fatalf("attempt %d refused (retryAfter %v)", i+1, ra)
		}
	}
	ok, ra := l.Allow("alice", t0.Add(10*time.Second))
	if ok {
		t.Fatal("4th attempt allowed")
	}
	if ra != 50*time.Second {
		t.Fatalf("retryAfter %v; want 50s (until the window opened at t0 ends)", ra)
	}
	// Refused attempts are not counted, so hammering does not extend the wait.
	for range 100 {
		l.Allow("alice", t0.Add(20*time.Second))
	}
	if _, ra := l.Allow("alice", t0.Add(30*time.Second)); ra != 30*time.Second {
		t.Fatalf("retryAfter %v after hammering; want 30s", ra)
	}
	// Keys are independent.
	if ok, _ := l.Allow("bob", t0.Add(10*time.Second)); !ok {
		t.Fatal("other key refused")
	}
}

func TestLimiterWindowExpiry(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	l.Allow("k", t0)
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0.Add(59*time.Second)); ok {
		t.Fatal("allowed before window ended")
	}
	if ok, _ := l.Allow("k", t0.Add(time.Minute)); !ok {
		t.Fatal("refused after window ended")
	}
	// The new window opened at t0+1m and has one attempt left.
	if ok, _ := l.Allow("k", t0.Add(61*time.Second)); !ok {
		t.Fatal("second attempt of new window refused")
	}
	if ok, _ := l.Allow("k", t0.Add(62*time.Second)); ok {
		t.Fatal("third attempt of new window allowed")
	}
}

func TestLimiterReset(t *testing.T) {
	l := NewLimiter(1, time.Hour)
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0); ok {
		t.Fatal("allowed over max")
	}
	l.Reset("k")
	if ok, _ := l.Allow("k", t0); !ok {
		t.Fatal("refused after Reset")
	}
	l.Reset("never-seen") // harmless
}

func TestLimiterMemoryBound(t *testing.T) {
	l := NewLimiter(5, time.Minute)
	l.maxKeys = 100
	l.Allow("victim", t0)
	for i := range 1000 {
		l.Allow(fmt.Sprintf("spray-%d", i), t0.Add(time.Second))
	}
	if n := len(l.entries); n > 100 {
		t.Fatalf("%d entries; cap is 100", n)
	}
	// Full: a new key is refused, with a retryAfter pointing at the next sweep.
	ok, ra := l.Allow("newcomer", t0.Add(2*time.Second))
	if ok || ra <= 0 || ra > time.Minute {
		t.Fatalf("new key when full: ok=%v retryAfter=%v; want refused with 0<retryAfter<=1m", ok, ra)
	}
	// A tracked key is still counted, not evicted by the spray.
	for range 4 {
		l.Allow("victim", t0.Add(3*time.Second))
	}
	if ok, _ := l.Allow("victim", t0.Add(3*time.Second)); ok {
		t.Fatal("spraying keys reset a tracked key's counter")
	}
	// Once the windows are over, a sweep frees the space.
	later := t0.Add(2 * time.Minute)
	if ok, _ := l.Allow("newcomer", later); !ok {
		t.Fatal("new key refused after entries expired")
	}
	if n := len(l.entries); n != 1 {
		t.Fatalf("%d entries after sweep; want 1", n)
	}
}

func TestLimiterClockJumpBack(t *testing.T) {
	l := NewLimiter(1, time.Minute)
	l.maxKeys = 10
	future := t0.Add(24 * time.Hour)
	for i := range 10 {
		l.Allow(fmt.Sprintf("k%d", i), future)
	}
	// The clock is corrected back to t0; the entries stamped in the "future"
	// are not expired, but sweeping must not be postponed for a day.
	l.Allow("x", t0)
	if !l.nextSweep.Before(t0.Add(time.Minute)) {
		t.Fatalf("next sweep at %v, long after the corrected clock", l.nextSweep)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(50, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				if ok, _ := l.Allow("shared", t0); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
				l.Allow(fmt.Sprintf("g%d-%d", g, i), t0)
				if i%10 == 0 {
					l.Reset(fmt.Sprintf("g%d-%d", g, i))
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Fatalf("%d attempts allowed concurrently; want exactly 50", allowed)
	}
}

func TestNewLimiterPanicsOnNonsense(t *testing.T) {
	for _, c := range []struct {
		max    int
		window time.Duration
	}{{0, time.Minute}, {1, 0}, {-1, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%d, %v) did not panic", c.max, c.window)
				}
			}()
			NewLimiter(c.max, c.window)
		}()
	}
}
