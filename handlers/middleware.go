package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// requestIDs makes cheap unique ids: a random per-process prefix and a
// counter. They are made idBlock at a time, as one string and one slice of
// header values, so that a request's id and its X-Request-Id value cost no
// allocation of their own (two per request otherwise, a sixth of Bureau's
// own on a public GET).
type requestIDs struct {
	prefix string
	mu     sync.Mutex
	n      uint64
	block  []string // ids made and not handed out yet
}

const idBlock = 64

func newRequestIDs() *requestIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:])}
}

// next returns a fresh id as a header value of length and capacity 1, so
// that appending to it never writes into its neighbour's. A mutex where a
// counter alone used one atomic add: it is uncontended for 63 requests in
// 64 and costs about 20 ns, against two allocations (and their share of
// the collector's work) saved on every request.
func (r *requestIDs) next() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.block) == 0 {
		r.block = r.makeBlock()
	}
	v := r.block[:1:1]
	r.block = r.block[1:]
	return v
}

func (r *requestIDs) makeBlock() []string {
	var ends [idBlock]int
	b := make([]byte, 0, idBlock*(len(r.prefix)+8))
	for i := range ends {
		r.n++
		b = strconv.AppendUint(append(append(b, r.prefix...), '-'), r.n, 36)
		ends[i] = len(b)
	}
	all := string(b)
	ids := make([]string, idBlock)
	start := 0
	for i, end := range ends {
		ids[i] = all[start:end]
		start = end
	}
	return ids
}

// assignRequestID tags the request with an id (a well-formed X-Request-ID
// from a proxy is kept) that appears in the answer's header and in every
// log line, and returns it.
func (s *Server) assignRequestID(c *gin.Context) string {
	v := c.Request.Header["X-Request-Id"]
	if len(v) == 0 || !wellFormedRequestID(v[0]) {
		v = s.ids.next()
	} else {
		v = []string{v[0]}
	}
	c.Writer.Header()["X-Request-Id"] = v
	return v[0]
}

// wellFormedRequestID accepts 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-':
// safe in a header and in a log line as it is.
func wellFormedRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
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
	// request. The label set is bounded (see observe), so is this map; it
	// is copied on the rare miss and read without a lock.
	children atomic.Pointer[map[observedKey]*observedSeries]
	mu       sync.Mutex // serialises the copies
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
	m.children.Store(&map[observedKey]*observedSeries{})
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *metrics) series(method, route string, status int) *observedSeries {
	k := observedKey{method, route, status}
	if v, ok := (*m.children.Load())[k]; ok {
		return v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.children.Load()
	if v, ok := old[k]; ok {
		return v
	}
	v := &observedSeries{
		requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(method, route),
	}
	next := make(map[observedKey]*observedSeries, len(old)+1)
	maps.Copy(next, old)
	next[k] = v
	m.children.Store(&next)
	return v
}

// observe tags each request with an id, answers a panic with a 500, and
// records metrics and one structured log line per request, the panic's
// included. Routes are labelled by template ("/api/v1/offices/:slug"),
// never by raw path, and every unmatched path shares one label, as every
// unknown method does, so label cardinality stays bounded whatever clients
// send.
//
// One Gin handler rather than three: each layer of the chain costs a call
// through c.Next on every request.
func (s *Server) observe() gin.HandlerFunc {
	fast, _ := s.log.Handler().(*LogHandler)
	return func(c *gin.Context) {
		id := s.assignRequestID(c)
		start := time.Now()
		s.nextRecovering(c)
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
			time: start.Add(elapsed), level: level, requestID: id,
			method: c.Request.Method, path: c.Request.URL.Path, route: route,
			status: status, bytes: c.Writer.Size(),
			durationMS: float64(elapsed.Microseconds()) / 1000, clientIP: s.logClientIP(c),
		}
		if fast != nil {
			fast.writeRequest(&line)
			return
		}
		_ = s.log.Handler().Handle(ctx, line.record())
	}
}

// logClientIP is c.ClientIP() for the log line. In the common case, an
// IPv4 peer when no proxy is trusted, that is the peer's address as
// net/http wrote it, and this returns it without gin's parsing and
// formatting (an allocation per request); anything else asks gin.
func (s *Server) logClientIP(c *gin.Context) string {
	if len(s.opts.TrustedProxies) > 0 {
		return c.ClientIP()
	}
	// Gin trusts a Unix socket's peer and reads X-Forwarded-For then.
	if la, ok := c.Request.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && strings.HasPrefix(la.Network(), "unix") {
		return c.ClientIP()
	}
	host, _, err := net.SplitHostPort(strings.TrimSpace(c.Request.RemoteAddr))
	if err != nil {
		return ""
	}
	// A parsed IPv4 address has a single spelling: net.IP.String gives
	// back exactly host.
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		return host
	}
	return c.ClientIP()
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

// nextRecovering runs the rest of the chain and turns a panic into a
// logged 500 problem instead of a dropped connection.
func (s *Server) nextRecovering(c *gin.Context) {
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

// everyRequest sets what every answer carries (security headers, and
// Connection: close while draining), caps the request body and answers
// admin preflights: one Gin handler for what needs no layer of its own.
func (s *Server) everyRequest(c *gin.Context) {
	h := c.Writer.Header()
	s.closeWhileDraining(h)
	setSecurityHeaders(h)
	s.limitBody(c)
	s.adminPreflight(c)
}

// limitBody caps request bodies; reading past the cap fails with
// http.MaxBytesError, which answers 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
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

// setSecurityHeaders sets what is safe for every answer: JSON, docs and
// the admin app.
func setSecurityHeaders(h http.Header) {
	h["X-Content-Type-Options"] = hNosniff
	h["Referrer-Policy"] = hNoReferrer
	h["X-Frame-Options"] = hDeny
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
