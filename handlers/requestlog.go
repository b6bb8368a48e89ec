package handlers

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// LogHandler is slog's text or JSON handler, plus a direct path for the
// one line written per request. slog's handlers are general: they walk the
// attributes as values, check each for quoting through interfaces and take
// about 1.5 µs per request line, the largest single cost of a public GET
// after the write itself (bench/README.md). The request line has fixed
// fields of known kinds, so it is appended to a pooled buffer here instead,
// byte for byte as slog would write it (TestRequestLineMatchesSlog), and
// written with one Write, under the same lock as every other line.
//
// Every other record goes through slog's own handler unchanged.
type LogHandler struct {
	inner slog.Handler
	json  bool
	level slog.Leveler
	out   *lockedWriter
}

// lockedWriter makes each line one uninterrupted Write, whichever path
// wrote it (slog's handlers lock only among themselves).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// NewLogHandler returns slog's JSON handler (asJSON) or text handler over w,
// with level.
func NewLogHandler(w io.Writer, asJSON bool, level slog.Leveler) *LogHandler {
	out := &lockedWriter{w: w}
	opts := &slog.HandlerOptions{Level: level}
	h := &LogHandler{json: asJSON, level: level, out: out}
	if asJSON {
		h.inner = slog.NewJSONHandler(out, opts)
	} else {
		h.inner = slog.NewTextHandler(out, opts)
	}
	return h
}

func (h *LogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.Handle(ctx, r)
}

// WithAttrs and WithGroup give a plain slog handler: a line with
// attributes of its own is not a request line.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.inner.WithAttrs(attrs) }
func (h *LogHandler) WithGroup(name string) slog.Handler       { return h.inner.WithGroup(name) }

// requestLine is the fields of one request's log line, in their order.
type requestLine struct {
	time       time.Time
	level      slog.Level
	requestID  string
	method     string
	path       string
	route      string
	status     int
	bytes      int
	durationMS float64
	clientIP   string
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeRequest writes the request line; the caller checked Enabled.
func (h *LogHandler) writeRequest(l *requestLine) {
	bp := lineBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	if h.json {
		b = l.appendJSON(b)
	} else {
		b = l.appendText(b)
	}
	_, _ = h.out.Write(b)
	*bp = b
	lineBuffers.Put(bp)
}

func (l *requestLine) appendText(b []byte) []byte {
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, l.time)
	b = append(b, " level="...)
	b = append(b, l.level.String()...)
	b = append(b, " msg=request request_id="...)
	b = appendTextString(b, l.requestID)
	b = append(b, " method="...)
	b = appendTextString(b, l.method)
	b = append(b, " path="...)
	b = appendTextString(b, l.path)
	b = append(b, " route="...)
	b = appendTextString(b, l.route)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(l.bytes), 10)
	b = append(b, " duration_ms="...)
	b = strconv.AppendFloat(b, l.durationMS, 'g', -1, 64)
	b = append(b, " client_ip="...)
	b = appendTextString(b, l.clientIP)
	return append(b, '\n')
}

func (l *requestLine) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	// slog's JSON handler keeps every digit, as encoding/json does.
	b = l.time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, l.level.String()...)
	b = append(b, `","msg":"request","request_id":`...)
	b = appendJSONString(b, l.requestID)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, l.method)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, l.path)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, l.route)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(l.bytes), 10)
	b = append(b, `,"duration_ms":`...)
	// encoding/json's form, which slog uses for floats: no exponent in
	// the range a duration in milliseconds can take (1e-3 to 1e21).
	b = strconv.AppendFloat(b, l.durationMS, 'f', -1, 64)
	b = append(b, `,"client_ip":`...)
	b = appendJSONString(b, l.clientIP)
	return append(b, "}\n"...)
}

// appendRFC3339Millis writes t as slog's text handler does: RFC 3339 with
// exactly three digits of milliseconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros; a tenth of a millisecond more
	// keeps four digits, and the fourth is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendTextString quotes s when slog's text handler would: when empty or
// holding a space, '=', a quote, a control or unprintable character, or
// invalid UTF-8 (a backslash alone does not).
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func textNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONString writes s as a JSON string the way slog's JSON handler
// does: quotes, backslashes and control characters escaped, invalid UTF-8
// replaced, U+2028 and U+2029 escaped; <, > and & as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
