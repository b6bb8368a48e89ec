package catalog

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"gorm.io/gorm"

	"bureau/models"
)

// largeCatalog loads the database BENCH_DATABASE_URL names, one made by
// bench/seed, and logs what loading cost.
func largeCatalog(b *testing.B) *Catalog {
	b.Helper()
	db := largeDB(b)
	ctx := context.Background()
	cat := New(db, nil)
	start, cpu0 := time.Now(), processCPU()
	if err := cat.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("LoadAll: %v wall, %v CPU (all threads)", time.Since(start).Round(time.Millisecond), (processCPU() - cpu0).Round(time.Millisecond))
	return cat
}

// largeDB opens the database BENCH_DATABASE_URL names (a copy: SQLite
// writes to the file it opens), or skips.
func largeDB(b *testing.B) *gorm.DB {
	b.Helper()
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("set BENCH_DATABASE_URL to a database made by bench/seed")
	}
	db, err := models.Open(context.Background(), url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = models.Close(db) })
	return db
}

// BenchmarkListPages measures list pages: a cached page (the common case)
// and pages built at distinct offsets (what a crawler costs):
//
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./models/catalog -run '^$' -bench ListPages
func BenchmarkListPages(b *testing.B) {
	cat := largeCatalog(b)
	_, total := cat.Counts()
	b.Run("cached", func(b *testing.B) {
		q := ListQuery{Limit: 20, Offset: 100}
		cat.ListDepartments(q)
		for b.Loop() {
			cat.ListDepartments(q)
		}
	})
	b.Run("built", func(b *testing.B) {
		i := 0
		for b.Loop() {
			cat.ListDepartments(ListQuery{Limit: 20, Offset: 1000 + i%(total-1020)})
			i++
		}
	})
}

// BenchmarkSearchLarge measures uncached q= list pages (limit 20, the
// page built and its ETag made, as a request pays it) on a database made
// by bench/seed, and reports the p50 and p99 latency:
//
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./models/catalog -run '^$' -bench SearchLarge -benchtime 5000x
//
// The queries are what visitors type, taken from the data: name words and
// their typeahead prefixes, streets, phone numbers in three forms, email
// local parts, summary words, and a few one- and two-letter prefixes (the
// worst case: they match most of the directory).
func BenchmarkSearchLarge(b *testing.B) {
	cat := largeCatalog(b)
	s := cat.state.Load()
	queries := benchQueries(b, s)
	start := time.Now()
	var fresh searchable[*department]
	fresh.build(s, func() []*department { return s.departmentsBy("office") }, func(d *department) []uint32 { return d.searchTerms(s.dict) })
	built := time.Since(start)
	s.departmentList(ListQuery{Limit: 20, Q: "students"})
	// The orderings a sorted search uses are made on first use after each
	// publication (see state.departmentsBy), not per query.
	s.departmentList(ListQuery{Limit: 20, Q: "students", Sort: "name"})
	b.Logf("department index built in %v (in the background after each publication); %d queries, e.g. %q", built.Round(time.Millisecond), len(queries), queries[:8])

	type timed struct {
		q ListQuery
		d time.Duration
	}
	var slowest []timed
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	// On a shared machine wall time includes waiting for a CPU; the
	// thread's own CPU time does not, so both are reported.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		q := ListQuery{Limit: 20, Q: queries[i%len(queries)]}
		if i%10 == 9 {
			q.Sort = "name" // now and then a sorted search
		}
		i++
		c0 := threadCPU()
		t := time.Now()
		s.departmentList(q)
		d := time.Since(t)
		cpu = append(cpu, threadCPU()-c0)
		lat = append(lat, d)
		if len(slowest) < 6 || d > slowest[0].d {
			slowest = append(slowest, timed{q, d})
			slices.SortFunc(slowest, func(a, b timed) int { return int(a.d - b.d) })
			slowest = slowest[max(0, len(slowest)-6):]
		}
	}
	b.Logf("slowest: %v", slowest)
	slices.Sort(lat)
	slices.Sort(cpu)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds()), "cpu-p50-µs")
	b.ReportMetric(float64(cpu[len(cpu)*99/100].Microseconds()), "cpu-p99-µs")
}

func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

func benchQueries(b *testing.B, s *state) []string {
	var out []string
	add := func(q string) {
		if q = strings.TrimSpace(q); q != "" {
			out = append(out, q)
		}
	}
	prefixes := func(w string) {
		for n := 3; n <= len(w); n += 2 {
			add(w[:n])
		}
	}
	list := s.departmentsBy("office")
	for i := 0; i < len(list); i += 97 {
		var d struct {
			Name     string `json:"name"`
			Summary  string `json:"summary"`
			Contacts []struct {
				Address *struct{ Street string } `json:"address"`
				Phones  []struct{ Number, E164 string }
				Emails  []struct{ Address string }
			} `json:"contacts"`
		}
		if err := json.Unmarshal(list[i].item, &d); err != nil {
			b.Fatal(err)
		}
		name := strings.Fields(d.Name)
		prefixes(strings.ToLower(name[0]))
		if len(name) > 2 {
			add(name[0] + " " + name[2][:min(4, len(name[2]))])
		}
		summary := strings.Fields(strings.Trim(d.Summary, "."))
		add(summary[1] + " " + summary[3])
		for _, c := range d.Contacts {
			if c.Address != nil {
				street := strings.Fields(c.Address.Street)
				add(street[len(street)-2][:min(6, len(street[len(street)-2]))])
				add(c.Address.Street)
			}
			for _, p := range c.Phones {
				add(p.Number)
				add(p.Number[4:])
				add(p.E164)
			}
			for _, e := range c.Emails {
				local, _, _ := strings.Cut(e.Address, "@")
				add(local[:min(12, len(local))])
			}
		}
	}
	out = append(out, "s", "c", "st", "chicago", "educ", "zzz", "students career success")
	return out
}

// BenchmarkLoadLarge measures what LoadAll does before the catalog is
// served (reading and decoding every published document, then building
// the state), without the background work that follows (compression, the
// search index) and without returning memory to the system:
//
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./models/catalog -run '^$' -bench LoadLarge -benchtime 5x
func BenchmarkLoadLarge(b *testing.B) {
	db := largeDB(b)
	ctx := context.Background()
	var decode, build, cpu, gc time.Duration
	for b.Loop() {
		cpu0, gc0, start := processCPU(), gcCPU(), time.Now()
		offices, departments, unrendered, err := loadEverything(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		decoded := time.Now()
		buildState(offices, departments, unrendered)
		decode += decoded.Sub(start)
		build += time.Since(decoded)
		cpu += processCPU() - cpu0
		gc += gcCPU() - gc0
	}
	n := float64(b.N)
	b.ReportMetric(float64(decode.Milliseconds())/n, "decode-ms")
	b.ReportMetric(float64(build.Milliseconds())/n, "build-ms")
	b.ReportMetric(float64(cpu.Milliseconds())/n, "cpu-ms")
	b.ReportMetric(float64(gc.Milliseconds())/n, "gc-cpu-ms")
}

// gcCPU is the CPU time the collector has taken from the program (its
// marking on otherwise idle CPUs is not counted: nothing waited for it).
func gcCPU() time.Duration {
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/idle:cpu-seconds"}}
	metrics.Read(samples)
	return time.Duration((samples[0].Value.Float64() - samples[1].Value.Float64()) * float64(time.Second))
}

// BenchmarkDecodeLarge compares decoding a bench/seed database's
// department revisions with encoding/json and with decodeContent:
//
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./models/catalog -run '^$' -bench DecodeLarge
func BenchmarkDecodeLarge(b *testing.B) {
	db := largeDB(b)
	var contents []string
	if err := db.Table("revisions").Where("entity_type = ?", models.KindDepartment).Limit(2000).Pluck("content", &contents).Error; err != nil {
		b.Fatal(err)
	}
	for _, dec := range []struct {
		name   string
		decode func(string, any) error
	}{
		{"encoding-json", func(s string, v any) error { return json.Unmarshal([]byte(s), v) }},
		{"decodeContent", decodeContent},
	} {
		b.Run(dec.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				var c models.DepartmentContent
				if err := dec.decode(contents[i%len(contents)], &c); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
