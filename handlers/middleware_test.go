package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// TestRequestIDsAreUniqueAcrossBlocks: ids handed out concurrently, over
// many blocks, are all different, and a header value cannot be appended
// into the next request's.
func TestRequestIDsAreUniqueAcrossBlocks(t *testing.T) {
	ids := newRequestIDs()
	format := regexp.MustCompile(`^` + ids.prefix + `-[0-9a-z]+$`)
	const workers, each = 4, 3 * idBlock
	got := make(chan []string, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				got <- ids.next()
			}
		})
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for v := range got {
		if len(v) != 1 || cap(v) != 1 {
			t.Fatalf("header value %q has length %d, capacity %d", v, len(v), cap(v))
		}
		if !format.MatchString(v[0]) || seen[v[0]] {
			t.Errorf("id %q: malformed or repeated", v[0])
		}
		seen[v[0]] = true
	}
	a, b := ids.next(), ids.next()
	was := b[0]
	_ = append(a, "appended")
	if b[0] != was {
		t.Errorf("appending to one id's header value changed the next: %q", b[0])
	}
}

// TestWellFormedRequestID agrees with the pattern a proxy's id must match.
func TestWellFormedRequestID(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	for _, id := range []string{
		"", "a", "lb-1234.abc_DEF", strings.Repeat("a", 64), strings.Repeat("a", 65), "a b", "a\n", "a\nb",
		"bad id\"<script>", "é", "a/b", "a:b", "a+b", "-", ".", "_", "Z9", "\x00", "a\x7f", "ab\xff",
	} {
		if got, want := wellFormedRequestID(id), pattern.MatchString(id); got != want {
			t.Errorf("%q: %v, want %v", id, got, want)
		}
	}
}

// TestLogClientIPMatchesGin: the log line's client address is what gin's
// ClientIP gives, for every kind of peer address, with and without
// trusted proxies and forwarding headers, over TCP and a Unix socket.
func TestLogClientIPMatchesGin(t *testing.T) {
	peers := []string{
		"127.0.0.1:40000", "10.1.2.3:1", " 192.0.2.7:80 ", "[::1]:40000", "[2001:DB8::1]:443", "[2001:db8:0:0::1]:1",
		"[::ffff:192.0.2.1]:80", "[fe80::1%eth0]:80", "192.0.2.1", "", "garbage", "[::1", "300.1.1.1:80", "01.2.3.4:80",
	}
	forwarded := []map[string]string{nil, {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "203.0.113.9, 10.0.0.1", "X-Real-Ip": "198.51.100.2"}}
	for _, trusted := range [][]string{nil, {"10.0.0.0/8", "::1"}, {"127.0.0.1"}} {
		s := NewServer(Deps{Options: Options{TrustedProxies: trusted}})
		r := s.Router()
		var got, want string
		r.GET("/ip", func(c *gin.Context) { got, want = s.logClientIP(c), c.ClientIP() })
		for _, peer := range peers {
			for _, h := range forwarded {
				for _, unix := range []bool{false, true} {
					req := httptest.NewRequest(http.MethodGet, "/ip", nil)
					req.RemoteAddr = peer
					for k, v := range h {
						req.Header.Set(k, v)
					}
					if unix {
						req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &net.UnixAddr{Name: "/run/b.sock", Net: "unix"}))
					}
					r.ServeHTTP(httptest.NewRecorder(), req)
					if got != want {
						t.Errorf("trusted %v, peer %q, headers %v, unix %v: %q, gin says %q", trusted, peer, h, unix, got, want)
					}
				}
			}
		}
	}
}

// TestPanicIsAnsweredCountedAndLogged: a handler's panic is a 500 problem
// that carries the request id, counted in the metrics and logged as an
// ERROR request line; http.ErrAbortHandler still aborts the connection.
func TestPanicIsAnsweredCountedAndLogged(t *testing.T) {
	var out bytes.Buffer
	s := NewServer(Deps{Log: slog.New(NewLogHandler(&out, false, slog.LevelInfo))})
	r := s.Router()
	r.GET("/boom", func(c *gin.Context) { panic("boom") })
	r.GET("/abort", func(c *gin.Context) { panic(http.ErrAbortHandler) })

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	id := rec.Header().Get("X-Request-Id")
	if rec.Code != http.StatusInternalServerError || id == "" || !strings.Contains(rec.Body.String(), "the request id is "+id) {
		t.Errorf("answer: %d, id %q, %s", rec.Code, id, rec.Body.String())
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", rec.Header())
	}
	if !strings.Contains(out.String(), "level=ERROR msg=request request_id="+id+" method=GET path=/boom route=/boom status=500 ") {
		t.Errorf("log: %s", out.String())
	}
	metrics := httptest.NewRecorder()
	r.ServeHTTP(metrics, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(metrics.Body.String(), `bureau_http_requests_total{method="GET",route="/boom",status="500"} 1`) {
		t.Errorf("the 500 is not counted:\n%s", metrics.Body.String())
	}

	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/abort", nil))
	t.Error("http.ErrAbortHandler did not propagate")
}

// TestMetricsSeriesAreKept: each (method, route, status) has one series,
// made once, whichever goroutine asks first.
func TestMetricsSeriesAreKept(t *testing.T) {
	m := newMetrics(prometheus.NewRegistry())
	var wg sync.WaitGroup
	got := make([]*observedSeries, 8)
	for i := range got {
		wg.Go(func() { got[i] = m.series("GET", "/r", 200) })
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s != got[0] {
			t.Fatal("two series for one label set")
		}
	}
	if m.series("GET", "/r", 304) == got[0] || m.series("HEAD", "/r", 200) == got[0] || m.series("GET", "/s", 200) == got[0] {
		t.Error("different label sets share a series")
	}
	if m.series("GET", "/r", 200) != got[0] || len(*m.children.Load()) != 4 {
		t.Errorf("series not kept: %d in the cache", len(*m.children.Load()))
	}
}
