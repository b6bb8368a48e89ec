package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrHashBusy reports that every hashing slot is taken and the wait queue is
// full (or the wait took too long): the caller should answer "try again
// shortly" instead of piling up more work.
var ErrHashBusy = errors.New("auth: password hashing is at capacity")

// HashGate bounds argon2id work. Each hash holds DefaultParams.Memory (64
// MiB) for its duration and sign-in needs no account, so an unbounded queue
// lets anonymous clients grow memory and latency without limit. The gate
// runs at most slots hashes at once, lets at most queue more wait for a
// slot, and gives up on a waiter after maxWait; anything beyond is refused
// at once with ErrHashBusy, which costs nothing.
type HashGate struct {
	slots   chan struct{}
	maxWait time.Duration

	mu      sync.Mutex
	waiting int
	queue   int
}

// NewHashGate returns a gate with the given number of concurrent slots, wait
// queue length and longest wait. It panics if slots < 1, queue < 0 or
// maxWait <= 0, which are programming errors.
func NewHashGate(slots, queue int, maxWait time.Duration) *HashGate {
	if slots < 1 || queue < 0 || maxWait <= 0 {
		panic("auth: NewHashGate needs slots >= 1, queue >= 0 and maxWait > 0")
	}
	return &HashGate{slots: make(chan struct{}, slots), queue: queue, maxWait: maxWait}
}

// Run runs fn in a slot. It returns ErrHashBusy without running fn when no
// slot frees up in time or the queue is full, and ctx's error when the
// caller goes away while waiting.
func (g *HashGate) Run(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		if err := g.wait(ctx); err != nil {
			return err
		}
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}

// wait queues for a slot; on success the caller holds one.
func (g *HashGate) wait(ctx context.Context) error {
	g.mu.Lock()
	if g.waiting >= g.queue {
		g.mu.Unlock()
		return ErrHashBusy
	}
	g.waiting++
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
	}()

	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return ErrHashBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Waiting reports how many callers are queued for a slot (for metrics and
// tests).
func (g *HashGate) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting
}

// Hold takes a slot until release is called, waiting like Run does. Tests use
// it to fill the gate deterministically.
func (g *HashGate) Hold(ctx context.Context) (release func(), err error) {
	done := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- g.Run(ctx, func() {
			held <- nil
			<-done
		})
	}()
	if err := <-held; err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }, nil
}
