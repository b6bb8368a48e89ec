package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestFewerCollectionsDuringTheLoad checks the collector's setting inside
// and after withFewerCollections: raised under a memory limit only, an
// operator's higher GOGC or off kept, and restored afterwards.
func TestFewerCollectionsDuringTheLoad(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		name         string
		limit        int64
		gogc, during int
	}{
		{"under a limit", 320 << 20, 100, loadGCPercent},
		{"no limit", math.MaxInt64, 100, 100},
		{"a higher GOGC", 320 << 20, 800, 800},
		{"GOGC off", 320 << 20, -1, -1},
	} {
		debug.SetMemoryLimit(tc.limit)
		debug.SetGCPercent(tc.gogc)
		during := 0
		if err := withFewerCollections(func() error {
			during = debug.SetGCPercent(0)
			debug.SetGCPercent(during)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		after := debug.SetGCPercent(100)
		if during != tc.during || after != tc.gogc {
			t.Errorf("%s: GOGC %d during the load and %d after, want %d and %d", tc.name, during, after, tc.during, tc.gogc)
		}
	}
}
