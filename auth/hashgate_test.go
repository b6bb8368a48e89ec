package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitFor polls until cond holds; the gate's queue is filled by goroutines.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHashGateBoundsSlotsAndQueue(t *testing.T) {
	ctx := context.Background()
	g := NewHashGate(1, 1, time.Minute)
	release, err := g.Hold(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// One caller may wait for the held slot...
	queued := make(chan error, 1)
	ran := false
	go func() { queued <- g.Run(ctx, func() { ran = true }) }()
	waitFor(t, "one caller queued", func() bool { return g.Waiting() == 1 })
	// ...the next is refused at once, without running its work.
	if err := g.Run(ctx, func() { t.Error("refused work ran") }); !errors.Is(err, ErrHashBusy) {
		t.Fatalf("past the queue: %v, want ErrHashBusy", err)
	}
	release()
	if err := <-queued; err != nil || !ran {
		t.Fatalf("queued caller: %v, ran %v", err, ran)
	}
	if g.Waiting() != 0 {
		t.Errorf("waiting %d after drain", g.Waiting())
	}
	// The gate is whole again.
	if err := g.Run(ctx, func() {}); err != nil {
		t.Errorf("after release: %v", err)
	}
}

func TestHashGateWaitIsBounded(t *testing.T) {
	ctx := context.Background()
	g := NewHashGate(1, 4, 20*time.Millisecond)
	release, err := g.Hold(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	start := time.Now()
	if err := g.Run(ctx, func() { t.Error("timed-out work ran") }); !errors.Is(err, ErrHashBusy) {
		t.Fatalf("after maxWait: %v, want ErrHashBusy", err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond || waited > 2*time.Second {
		t.Errorf("waited %v, want about 20ms", waited)
	}
}

func TestHashGateCallerGone(t *testing.T) {
	g := NewHashGate(1, 1, time.Minute)
	release, err := g.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Run(ctx, func() { t.Error("cancelled work ran") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
}
