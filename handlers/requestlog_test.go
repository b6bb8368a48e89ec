package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRequestLineMatchesSlog checks that the request line LogHandler writes
// itself is byte for byte what slog's own handler writes for the same
// record, in both formats, whatever the path and ids hold.
func TestRequestLineMatchesSlog(t *testing.T) {
	paths := []string{
		"/api/v1/offices/occs", "", "/a b", "/a=b", `/a"b`, `/a\b`, "/tab\there", "/nl\nx", "/\x00\x1f\x7f",
		"/é/ü/✓", "/\u00a0nbsp", "/\u2028\u2029", "/bad\xffutf8", "/<script>&amp;", "/%20", "/\u200bzero",
	}
	durations := []float64{0, 0.001, 0.123, 1, 12.5, 1000, 123456.789, 1e9}
	times := []time.Time{
		time.Date(2026, 12, 1, 13, 5, 40, 0, time.UTC),
		time.Date(2026, 12, 1, 13, 5, 40, 999_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120_000_000, time.FixedZone("x", -5*3600)),
		time.Now(),
	}
	for _, asJSON := range []bool{false, true} {
		for i, path := range paths {
			line := requestLine{
				time: times[i%len(times)], level: []slog.Level{slog.LevelInfo, slog.LevelError}[i%2],
				requestID: []string{"ab12cd34-1z", "", "a.b_c-d"}[i%3], method: []string{"GET", "HEAD", "M E"}[i%3],
				path: path, route: []string{"/api/v1/offices/:slug", "unmatched"}[i%2],
				status: []int{200, 304, 503}[i%3], bytes: i * 1000, durationMS: durations[i%len(durations)],
				clientIP: []string{"127.0.0.1", "2001:db8::1", ""}[i%3],
			}
			var fast, want bytes.Buffer
			NewLogHandler(&fast, asJSON, slog.LevelDebug).writeRequest(&line)
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var h slog.Handler = slog.NewTextHandler(&want, opts)
			if asJSON {
				h = slog.NewJSONHandler(&want, opts)
			}
			if err := h.Handle(context.Background(), line.record()); err != nil {
				t.Fatal(err)
			}
			if fast.String() != want.String() {
				t.Errorf("json=%v, path %q:\n got %s\nwant %s", asJSON, path, fast.String(), want.String())
			}
		}
	}
}

// TestRequestLogThroughTheRouter checks that a server logging through a
// LogHandler writes one request line per request, at its level: INFO
// lines dropped at warn, kept at info; other lines go through slog.
func TestRequestLogThroughTheRouter(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		var out bytes.Buffer
		log := slog.New(NewLogHandler(&out, false, level))
		r := NewServer(Deps{Log: log}).Router()
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		log.Warn("other line", "k", "v w")
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		wantLines := 1
		if level == slog.LevelInfo {
			wantLines = 2
			if !strings.Contains(lines[0], " level=INFO msg=request request_id="+rec.Header().Get("X-Request-Id")+" method=GET path=/healthz route=/healthz status=200 ") {
				t.Errorf("request line: %s", lines[0])
			}
		}
		if len(lines) != wantLines || !strings.HasSuffix(lines[len(lines)-1], `level=WARN msg="other line" k="v w"`) {
			t.Errorf("at %s: %q", level, out.String())
		}
	}
}
