package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

var incomingRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestIDs makes cheap unique ids: a random per-process prefix and a counter.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:])}
}

func (r *requestIDs) next() string {
	// Built in a stack buffer: one allocation per request, not two.
	var buf [32]byte
	b := append(append(buf[:0], r.prefix...), '-')
	return string(strconv.AppendUint(b, r.n.Add(1), 36))
}

// requestID tags each request with an id (a well-formed X-Request-ID from a
// proxy is kept) that appears in the answer's header and in every log line.
func requestIDMiddleware(ids *requestIDs) gin.HandlerFunc {
	return func(c *gin.Context) {
		var id string
		if v := c.Request.Header["X-Request-Id"]; len(v) > 0 {
			id = v[0]
		}
		if id == "" || !incomingRequestID.MatchString(id) {
			id = ids.next()
		}
		c.Writer.Header()["X-Request-Id"] = []string{id}
		c.Next()
	}
}

func requestID(c *gin.Context) string {
	if v := c.Writer.Header()["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// children caches the series of each (method, route, status): asking
	// the vectors for them hashes the labels and takes a lock, twice per
	// request. The label set is bounded (see observe), so is this.
	children sync.Map // observedKey -> *observedSeries
}

type observedKey struct {
	method, route string
	status        int
}

type observedSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bureau_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "bureau_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) series(method, route string, status int) *observedSeries {
	k := observedKey{method, route, status}
	if v, ok := m.children.Load(k); ok {
		return v.(*observedSeries)
	}
	v, _ := m.children.LoadOrStore(k, &observedSeries{
		requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(method, route),
	})
	return v.(*observedSeries)
}

// observe records metrics and one structured log line per request. Routes
// are labelled by template ("/api/v1/offices/:slug"), never by raw path, and
// every unmatched path shares one label, as every unknown method does, so
// label cardinality stays bounded whatever clients send.
func (s *Server) observe() gin.HandlerFunc {
	fast, _ := s.log.Handler().(*LogHandler)
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		series := s.metrics.series(metricMethod(c.Request.Method), route, status)
		series.requests.Inc()
		series.duration.Observe(elapsed.Seconds())
		ctx := c.Request.Context()
		if !s.log.Enabled(ctx, level) {
			return // nothing below is computed for a line nobody keeps
		}
		line := requestLine{
			time: start.Add(elapsed), level: level, requestID: requestID(c),
			method: c.Request.Method, path: c.Request.URL.Path, route: route,
			status: status, bytes: c.Writer.Size(),
			durationMS: float64(elapsed.Microseconds()) / 1000, clientIP: c.ClientIP(),
		}
		if fast != nil {
			fast.writeRequest(&line)
			return
		}
		_ = s.log.Handler().Handle(ctx, line.record())
	}
}

// record is the line as a slog record, for a logger that is not a
// LogHandler (tests capture lines with their own handlers). No caller PC:
// Logger.LogAttrs would walk the stack for one, and no handler prints it.
func (l *requestLine) record() slog.Record {
	r := slog.NewRecord(l.time, l.level, "request", 0)
	r.AddAttrs(
		slog.String("request_id", l.requestID),
		slog.String("method", l.method),
		slog.String("path", l.path),
		slog.String("route", l.route),
		slog.Int("status", l.status),
		slog.Int("bytes", l.bytes),
		slog.Float64("duration_ms", l.durationMS),
		slog.String("client_ip", l.clientIP),
	)
	return r
}

// metricMethod is the method as a metrics label: any method a client may
// make up ("M0000001") counts as "other", so labels stay a fixed set.
func metricMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// recoverer turns a panic into a logged 500 problem instead of a dropped
// connection.
func (s *Server) recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.writeError(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// limitBody caps request bodies; reading past the cap fails with
// http.MaxBytesError, which answers 413.
func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
		}
		c.Next()
	}
}

// dbDeadline bounds every database statement a request runs: handlers pass
// the request's context to the database, so a frozen database answers 503
// (models.IsUnavailable) instead of holding the request. Public reads serve
// from memory and go without.
func (s *Server) dbDeadline() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.opts.DBTimeout <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.DBTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// securityHeaders are safe for every answer: JSON, docs and the admin app.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h["X-Content-Type-Options"] = hNosniff
	h["Referrer-Policy"] = hNoReferrer
	h["X-Frame-Options"] = hDeny
	c.Next()
}

// publicCORS lets any website read the public API, without credentials.
func publicCORS(c *gin.Context) {
	h := c.Writer.Header()
	h["Access-Control-Allow-Origin"] = hStar
	h["Access-Control-Expose-Headers"] = hExpose
	if c.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "If-None-Match, If-Modified-Since")
		h.Set("Access-Control-Max-Age", "86400")
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// Header values shared by every answer: assigned, never modified.
var (
	hNosniff    = []string{"nosniff"}
	hNoReferrer = []string{"no-referrer"}
	hDeny       = []string{"DENY"}
	hStar       = []string{"*"}
	hExpose     = []string{"ETag, Last-Modified, X-Request-ID"}
)
