package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the Go runtime's soft memory limit for `bureau
// serve` unless BUREAU_MEMORY_LIMIT or GOMEMLIMIT says otherwise. The
// collector otherwise lets the heap reach twice what is live before it
// runs; under a crawl of large list pages that doubled heap, plus pages
// being built, took a 20,000-department directory (about 190 MB live) to
// 760-900 MB. The limit makes the collector run sooner as the heap nears it,
// so the process stays near 320 MiB (bench/README.md). A directory whose
// live heap nears the limit (about 9 kB per department, compressed copies
// included: some 30,000 departments) needs a higher one, or the collector
// runs ever more often, up to half the CPU; serve warns when that is so.
const defaultMemoryLimit = 320 << 20

// parseMemoryLimit reads BUREAU_MEMORY_LIMIT: a number of bytes with an
// optional KiB, MiB or GiB suffix, or "off" (0) for no limit of Bureau's.
func parseMemoryLimit(raw string) (int64, error) {
	if raw == "off" || raw == "0" {
		return 0, nil
	}
	n, unit := raw, int64(1)
	for suffix, size := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if v, ok := strings.CutSuffix(raw, suffix); ok {
			n, unit = v, size
		}
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v <= 0 || v > (1<<62)/unit || v*unit < 64<<20 {
		return 0, fmt.Errorf("BUREAU_MEMORY_LIMIT: %q must be a size of at least 64MiB such as 512MiB or 2GiB, or off", raw)
	}
	return v * unit, nil
}

// warnIfNearMemoryLimit says so when the loaded catalog leaves the
// collector little room under the soft memory limit: it would then run
// often and cost CPU on every request.
func warnIfNearMemoryLimit(log *slog.Logger) {
	limit := debug.SetMemoryLimit(-1) // reads it
	if limit == math.MaxInt64 {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	// The compressed copies made after the load add about a third.
	if live := sample[0].Value.Uint64(); live*4/3 > uint64(limit)/2 {
		log.Warn("the loaded content is large for the memory limit: raise BUREAU_MEMORY_LIMIT",
			"live_heap_mib", live>>20, "limit_mib", limit>>20)
	}
}
