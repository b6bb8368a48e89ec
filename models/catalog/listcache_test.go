package catalog

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// TestListCacheStaysWithinItsCap replays the memory-exhaustion report (650k
// anonymous list requests, each with a long unique q=): the cache must
// count what an entry really holds, so the heap stays within the cap
// however small the answers are, and pages read often must survive the
// flood.
func TestListCacheStaysWithinItsCap(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		const capBytes = 256 << 10
		cat := New(db, nil, WithListCacheBytes(capBytes))
		if err := cat.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		popular := ListQuery{Limit: 20, Q: "career"}
		for range 20 {
			cat.ListDepartments(popular)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		filler := strings.Repeat("x", 180)
		const flood = 20_000
		for i := range flood {
			// No match: a body of a few dozen bytes, a key of 200.
			cat.ListDepartments(ListQuery{Limit: 20, Q: filler + strconv.Itoa(i)})
			if i%1000 == 0 {
				cat.ListDepartments(popular)
			}
		}
		if w := cat.lists.weight(); w > capBytes {
			t.Errorf("the cache weighs %d bytes, over its cap of %d", w, capBytes)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Everything the flood left cached, cap included, plus slack for
		// the runtime; had all 20,000 pages stayed, this would be ~10 MB.
		if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 2*capBytes+512<<10 {
			t.Errorf("the heap grew by %d bytes under a flood of unique queries (cap %d)", grew, capBytes)
		}
		s := cat.state.Load()
		if _, ok := s.lists.get(listKey{s.gen, popular.key("departments")}); !ok {
			t.Error("a page read again and again was evicted by one-off queries")
		}
		runtime.KeepAlive(cat)
	})
}

// TestSizeCountsEveryDocField guards the cache's accounting: a field
// added to Doc that holds memory must be counted in Doc.Size, which entryCost adds to the key.
func TestSizeCountsEveryDocField(t *testing.T) {
	counted := []string{"Body", "ETag", "LastModified", "LastModHTTP", "ETagH", "LastModH", "LengthH", "compressed", "parts"}
	var fields []string
	for f := range reflect.TypeFor[Doc]().Fields() {
		fields = append(fields, f.Name)
	}
	for _, f := range fields {
		if !slices.Contains(counted, f) {
			t.Errorf("Doc.%s is not counted by Doc.Size: count what it holds, then add it here", f)
		}
	}
	d := newDoc([]byte(`{"data":[]}`), time.Now())
	k := listKey{query: "departments\x00q"}
	if got := entryCost(k, d); got < len(d.Body)+len(d.ETag)+len(k.query)+entryOverhead {
		t.Errorf("entryCost %d counts less than the body, tag and key", got)
	}
}
