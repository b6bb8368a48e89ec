// Package bench holds the public read benchmark (run.sh) and, here, the
// in-process measurements used to explain its figures:
//
//	go test ./bench -run '^$' -bench . -benchmem -cpuprofile cpu.out
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./bench -run CatalogMemory -v
//
// Without BENCH_DATABASE_URL the memory test is skipped, so `go test ./...`
// stays fast.
package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
)

// demoServer is Bureau's router over the demo content, logging as
// configured by logger.
func demoServer(b *testing.B, logger *slog.Logger) http.Handler {
	b.Helper()
	ctx := context.Background()
	db, err := models.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bureau.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = models.Close(db) })
	if err := models.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	if _, err := models.SeedDemo(ctx, db); err != nil {
		b.Fatal(err)
	}
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	return handlers.NewServer(handlers.Deps{DB: db, Catalog: cat, Log: logger, Options: handlers.DefaultOptions()}).Router()
}

// discardWriter is an http.ResponseWriter that keeps nothing, so the
// benchmark measures Bureau rather than a recorder's buffer.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchGet(b *testing.B, h http.Handler, target string, header ...string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

func etagOf(b *testing.B, h http.Handler, target string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", target, rec.Code)
	}
	return rec.Header().Get("ETag")
}

// BenchmarkPublicGet is the work Bureau does for one public GET, without the
// network: routing, middleware, metrics, the log line and the write. The
// log goes through handlers.LogHandler as cmd/bureau sets it up (text in
// development, JSON in production), written nowhere.
func BenchmarkPublicGet(b *testing.B) {
	for _, v := range []struct {
		name   string
		logger *slog.Logger
	}{
		{"log", slog.New(handlers.NewLogHandler(io.Discard, false, slog.LevelInfo))},
		{"json", slog.New(handlers.NewLogHandler(io.Discard, true, slog.LevelInfo))},
		{"nolog", slog.New(handlers.NewLogHandler(io.Discard, false, slog.LevelWarn))},
	} {
		h := demoServer(b, v.logger)
		etag := etagOf(b, h, "/api/v1/offices/occs")
		b.Run("occs-200/"+v.name, func(b *testing.B) { benchGet(b, h, "/api/v1/offices/occs") })
		b.Run("occs-304/"+v.name, func(b *testing.B) { benchGet(b, h, "/api/v1/offices/occs", "If-None-Match", etag) })
		b.Run("departments-20/"+v.name, func(b *testing.B) { benchGet(b, h, "/api/v1/departments?limit=20") })
		for _, accept := range []string{"gzip", "br", "gzip, deflate, br, zstd"} {
			b.Run("occs-200-"+strings.ReplaceAll(accept, " ", "")+"/"+v.name, func(b *testing.B) {
				benchGet(b, h, "/api/v1/offices/occs", "Accept-Encoding", accept)
			})
		}
	}
}

// BenchmarkBare is the bare server's handler doing the same map lookup and
// header copy as bench/bare, for scale.
func BenchmarkBare(b *testing.B) {
	h := demoServer(b, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/offices/occs", nil))
	header, body := rec.Header().Clone(), rec.Body.Bytes()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	benchGet(b, bare, "/api/v1/offices/occs")
}

// keep holds the catalog so a heap profile taken after the test sees it.
var keep *catalog.Catalog

// TestCatalogMemory loads the published content of BENCH_DATABASE_URL (a
// database made by bench/seed) and reports the live heap it takes; with
// BENCH_HEAPPROFILE=FILE it writes a heap profile there.
func TestCatalogMemory(t *testing.T) {
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		t.Skip("set BENCH_DATABASE_URL to a seeded database")
	}
	ctx := context.Background()
	db, err := models.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep = catalog.New(db, nil)
	if err := keep.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	peak := after.HeapAlloc - before.HeapAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	offices, departments := keep.Counts()
	t.Logf("%d offices, %d departments: live heap %.1f MB (%.1f kB per department); %.1f MB allocated while loading, %.1f MB on the heap before the first GC",
		offices, departments, float64(after.HeapAlloc-before.HeapAlloc)/1e6,
		float64(after.HeapAlloc-before.HeapAlloc)/1e3/float64(max(departments, 1)),
		float64(after.TotalAlloc-before.TotalAlloc)/1e6, float64(peak)/1e6)
	// What one publication costs on a catalog this size: Refresh reloads
	// the document and rebuilds the indexes and orderings.
	var id string
	if err := db.Table("departments").Select("id").Where("published_revision IS NOT NULL").Limit(1).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("no published department: %v", err)
	}
	runtime.ReadMemStats(&before)
	start := time.Now()
	const refreshes = 5
	for range refreshes {
		if err := keep.Refresh(ctx, models.ContentEvent(models.KindDepartment, id)); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start) / refreshes
	runtime.ReadMemStats(&after)
	t.Logf("one department publication (Catalog.Refresh): %v, %.1f MB allocated", elapsed.Round(time.Millisecond),
		float64(after.TotalAlloc-before.TotalAlloc)/1e6/refreshes)
	if path := os.Getenv("BENCH_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
	}
	runtime.KeepAlive(keep)
}
