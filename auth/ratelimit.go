package auth

import (
	"sync"
	"time"
)

// defaultMaxKeys caps how many keys a Limiter tracks. At roughly 100 bytes an
// entry, 100k keys is about 10 MB.
const defaultMaxKeys = 100_000

// Limiter counts attempts per key (an account, a client address) in fixed
// windows: the first attempt opens a window of the configured length, and at
// most max attempts are allowed in it. A fixed window can let up to 2*max
// attempts through around a window boundary; for login throttling that is an
// acceptable price for one counter per key instead of a log of timestamps.
//
// Memory is bounded. Expired entries are swept at most every quarter window
// (amortised O(1) per call). When maxKeys live entries exist, a new key is
// refused until a sweep frees room, rather than evicting a live entry: evicting
// would let an attacker spraying fresh keys reset the counter of the account
// it is guessing. The cost is that, under such a flood, new keys are refused
// for up to about 1.25 windows; keys already tracked are unaffected.
//
// A Limiter is safe for concurrent use. It is per process: with several API
// nodes each enforces its own limit.
type Limiter struct {
	max     int
	window  time.Duration
	maxKeys int

	mu        sync.Mutex
	entries   map[string]*limiterEntry
	nextSweep time.Time
}

type limiterEntry struct {
	start time.Time // when the current window opened
	count int
}

// NewLimiter returns a Limiter allowing maxAttempts per key per window.
// It panics if maxAttempts < 1 or window <= 0, which are programming errors.
func NewLimiter(maxAttempts int, window time.Duration) *Limiter {
	if maxAttempts < 1 || window <= 0 {
		panic("auth: NewLimiter needs maxAttempts >= 1 and window > 0")
	}
	return &Limiter{
		max:     maxAttempts,
		window:  window,
		maxKeys: defaultMaxKeys,
		entries: make(map[string]*limiterEntry),
	}
}

// Allow records an attempt for key at now and reports whether it may proceed.
// When it may not, retryAfter is how long until it would be allowed (suitable
// for a Retry-After header, after rounding up to seconds). Refused attempts are
// not counted, so hammering does not extend the wait.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()

	// The second test catches the wall clock jumping backwards, which would
	// otherwise postpone sweeping by the size of the jump.
	if !now.Before(l.nextSweep) || l.nextSweep.Sub(now) > l.window {
		l.sweep(now)
	}

	e := l.entries[key]
	if e != nil && !now.Before(e.start.Add(l.window)) {
		// Window over: start afresh, reusing the entry.
		e.start, e.count = now, 0
	}
	if e == nil {
		if len(l.entries) >= l.maxKeys {
			return false, l.nextSweep.Sub(now)
		}
		e = &limiterEntry{start: now}
		l.entries[key] = e
	}
	if e.count >= l.max {
		return false, max(e.start.Add(l.window).Sub(now), 0)
	}
	e.count++
	return true, 0
}

// Reset forgets key, e.g. an account's failures after a successful login.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

// sweep drops entries whose window has ended. Called with l.mu held.
func (l *Limiter) sweep(now time.Time) {
	for k, e := range l.entries {
		if !now.Before(e.start.Add(l.window)) {
			delete(l.entries, k)
		}
	}
	interval := l.window / 4
	if interval <= 0 {
		interval = l.window
	}
	l.nextSweep = now.Add(interval)
}
