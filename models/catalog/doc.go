package catalog

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Doc is a prepared public answer: the exact bytes to send, the validators
// that go with them and, above compressMinBytes, the same bytes gzip- and
// brotli-compressed (see compress.go for when those are made).
//
// A Doc is passed by value; its compressed copies sit behind a pointer, so
// every copy of a Doc (an unchanged document shared by two catalog states,
// a list page handed out by the cache) sees them once they are made.
type Doc struct {
	// Body is nil for an office's document as the catalog keeps it: its
	// bytes are parts, most of them shared with its departments' documents
	// (see renderOffice); Catalog.Office hands out a joined copy.
	Body         []byte
	parts        [][]byte
	ETag         string // strong, quoted; the identity representation's
	LastModified time.Time
	LastModHTTP  string // LastModified in HTTP date format, formatted once

	// Header values ready to assign (ETag, Last-Modified, Content-Length):
	// shared, never modified.
	ETagH, LastModH, LengthH []string

	compressed *compressed // nil: too small to be worth compressing
}

// Encoded is one compressed representation of a Doc, with its own strong
// ETag (RFC 9110 8.8.3: the bytes differ, so the tag must too) and the
// header values to send it with.
type Encoded struct {
	Coding string // "br" or "gzip", as in Content-Encoding
	Body   []byte
	ETag   string
	// Header values ready to assign: shared, never modified.
	ETagH, LengthH, CodingH []string
}

// compressed holds a Doc's compressed representations once made: ready is
// set after they are written, so a reader that sees ready also sees them.
type compressed struct {
	levels  *codecLevels
	once    sync.Once
	ready   atomic.Bool
	codings []string // the ones made, in the server's preference: br, then gzip
	br, gz  Encoded

	// A list page's copies are made one coding at a time, by the first
	// request that accepts it (see newDoc).
	lazy           bool
	brOnce, gzOnce sync.Once
	lazyBr, lazyGz atomic.Pointer[Encoded] // nil until made, or when not smaller
}

// compressMinBytes is the size below which an answer is sent as it is:
// under about one TCP segment, compression saves no round trip and the
// gzip framing (18 bytes) and CPU are not worth it. Every published
// department (2 kB and up) and office is above it; a short error is not.
const compressMinBytes = 1024

func makeDoc(body []byte, modified time.Time) Doc {
	sum := sha256.Sum256(body)
	return makeDocTagged(body, etagOf(sum[:]), modified)
}

// etagOf makes a strong ETag from a digest.
func etagOf(sum []byte) string { return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"` }

// makeDocTagged is makeDoc with an ETag the caller derived (list pages
// hash their items' ETags instead of the whole body).
func makeDocTagged(body []byte, etag string, modified time.Time) Doc {
	modified = modified.UTC().Truncate(time.Second)
	d := Doc{Body: body, ETag: etag, LastModified: modified}
	if !modified.IsZero() {
		d.LastModHTTP = modified.Format(http.TimeFormat)
	}
	d.fill()
	return d
}

func (d *Doc) fill() {
	d.ETagH = []string{d.ETag}
	if d.LastModHTTP != "" {
		d.LastModH = []string{d.LastModHTTP}
	}
	d.LengthH = []string{strconv.Itoa(d.length())}
}

// length is the size of the identity body, whole or in parts.
func (d *Doc) length() int {
	if d.Body != nil || d.parts == nil {
		return len(d.Body)
	}
	n := 0
	for _, p := range d.parts {
		n += len(p)
	}
	return n
}

// body returns the identity bytes, joining the parts into a new slice when
// the Doc holds them in parts.
func (d *Doc) body() []byte {
	if d.Body != nil || d.parts == nil {
		return d.Body
	}
	return joinParts(d.parts, d.length())
}

func joinParts(parts [][]byte, size int) []byte {
	b := make([]byte, 0, size)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// makePartsDoc prepares a document kept in parts, hashed as the bytes they
// join to: the ETag is the same as a whole body's would be.
func makePartsDoc(parts [][]byte, modified time.Time) Doc {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	d := makeDocTagged(nil, etagOf(h.Sum(nil)), modified)
	d.parts = parts
	d.fill()
	return d
}

// newDoc prepares an answer built on demand, a list page. Its compressed
// copies are made once each, at the fast levels, by the first request that
// accepts that coding, then kept with the page for every later one; never
// per request. Not when the page is built: building a page of 20 costs
// about 0.1 ms and compressing it both ways about 0.8 ms more (measured:
// 0.38 ms against 1.95 ms per built page on the loaded bench machine), so a
// crawler or a client that takes neither coding would pay five times over
// for copies nobody reads, and a browser (which takes br) pays for br only.
func newDoc(body []byte, modified time.Time) Doc {
	sum := sha256.Sum256(body)
	return newDocTagged(body, etagOf(sum[:]), modified)
}

// newDocTagged is newDoc with an ETag the caller derived.
func newDocTagged(body []byte, etag string, modified time.Time) Doc {
	d := makeDocTagged(body, etag, modified)
	if len(d.Body) >= compressMinBytes {
		d.compressed = &compressed{levels: &pageLevels, lazy: true, codings: bothCodings}
	}
	return d
}

var bothCodings = []string{"br", "gzip"}

// newPublishedDoc prepares an office's or department's document, read many
// times per publication: compressed at the better, slower levels, but not
// here. The catalog compresses them all in one pass (compressPending),
// after the load and before a refreshed state is swapped in; previews,
// which render the same way, are never compressed.
func newPublishedDoc(body []byte, modified time.Time) Doc {
	d := makeDoc(body, modified)
	d.attachCompression(&documentLevels)
	return d
}

// NewStaticDoc prepares a fixed answer (the OpenAPI document, the API
// docs page): compressed at once at the document levels.
func NewStaticDoc(body []byte) Doc {
	d := makeDoc(body, time.Time{})
	d.attachCompression(&documentLevels)
	d.compress()
	return d
}

func (d *Doc) attachCompression(levels *codecLevels) {
	if d.length() >= compressMinBytes {
		d.compressed = &compressed{levels: levels}
	}
}

// compress makes the compressed representations if they are due and not
// made yet; concurrent callers wait for the one doing it.
func (d Doc) compress() {
	c := d.compressed
	if c == nil || c.lazy {
		return
	}
	c.once.Do(func() {
		base := strings.TrimSuffix(d.ETag, `"`)
		body := d.body() // joined for the time it takes, for an office
		if b := c.levels.brotli(body); len(b) < len(body) {
			c.br = newEncoded("br", b, base)
			c.codings = append(c.codings, "br")
		}
		if b := c.levels.gzip(body); len(b) < len(body) {
			c.gz = newEncoded("gzip", b, base)
			c.codings = append(c.codings, "gzip")
		}
		c.ready.Store(true)
	})
}

func newEncoded(coding string, body []byte, baseTag string) Encoded {
	tag := baseTag + "-" + coding + `"`
	return Encoded{Coding: coding, Body: body, ETag: tag,
		ETagH: []string{tag}, LengthH: []string{strconv.Itoa(len(body))}, CodingH: []string{coding}}
}

// pending reports whether the compressed copies are due but not made.
func (d Doc) pending() bool {
	return d.compressed != nil && !d.compressed.lazy && !d.compressed.ready.Load()
}

// Codings lists the content codings this Doc can be sent in besides
// identity, in the server's order of preference (br, then gzip); nil while
// they are not made or the Doc is too small to compress.
func (d Doc) Codings() []string {
	if c := d.compressed; c != nil && (c.lazy || c.ready.Load()) {
		return c.codings
	}
	return nil
}

// Encoding returns the representation in coding ("br" or "gzip"), or nil
// when there is none: identity is then the answer. A list page's copy is
// made here the first time it is asked for.
func (d Doc) Encoding(coding string) *Encoded {
	c := d.compressed
	if c != nil && c.lazy {
		return d.lazyEncoding(coding)
	}
	if c == nil || !c.ready.Load() {
		return nil
	}
	switch {
	case coding == "br" && c.br.Body != nil:
		return &c.br
	case coding == "gzip" && c.gz.Body != nil:
		return &c.gz
	}
	return nil
}

func (d Doc) lazyEncoding(coding string) *Encoded {
	c := d.compressed
	var once *sync.Once
	var slot *atomic.Pointer[Encoded]
	var compress func([]byte) []byte
	switch coding {
	case "br":
		once, slot, compress = &c.brOnce, &c.lazyBr, c.levels.brotli
	case "gzip":
		once, slot, compress = &c.gzOnce, &c.lazyGz, c.levels.gzip
	default:
		return nil
	}
	once.Do(func() {
		if b := compress(d.Body); len(b) < len(d.Body) {
			e := newEncoded(coding, b, strings.TrimSuffix(d.ETag, `"`))
			slot.Store(&e)
		}
	})
	return slot.Load()
}

// MatchesETag reports whether tag (quoted, without W/) names any
// representation of this Doc: identity, "-br" or "-gzip". All of them stand
// for the same content, so a client holding any one of them is current,
// whichever representation it would be sent now.
func (d Doc) MatchesETag(tag string) bool {
	if tag == d.ETag {
		return true
	}
	base := d.ETag[:max(len(d.ETag)-1, 0)]
	if d.compressed == nil || len(base) == 0 || !strings.HasPrefix(tag, base) {
		return false
	}
	suffix := tag[len(base):]
	return suffix == `-br"` || suffix == `-gzip"`
}

// Size is every byte this Doc keeps alive or will: the struct, its body,
// its parts, its compressed copies and the header values, for a cache that
// bounds what it keeps. A list page's copies not made yet count as a
// quarter of the body each (the fast levels make 17-23% of a page of 20;
// more only for pages of a few kilobytes), so the figure does not grow
// after the page is cached. Update it when Doc gains a field that holds
// memory (TestSizeCountsEveryDocField fails until then).
func (d Doc) Size() int {
	n := int(unsafe.Sizeof(d)) + len(d.Body) + len(d.ETag) + len(d.LastModHTTP) + d.compressedSize()
	for _, h := range [][]string{d.ETagH, d.LastModH, d.LengthH} {
		// The slice's backing array and the string it holds; ETagH and
		// LastModH share their strings with ETag and LastModHTTP.
		n += cap(h) * int(unsafe.Sizeof(""))
	}
	for _, v := range d.LengthH {
		n += len(v)
	}
	n += cap(d.parts) * int(unsafe.Sizeof([]byte(nil)))
	for _, p := range d.parts {
		n += len(p)
	}
	return n
}

// compressedSize is what the compressed copies hold or will hold (see Size).
func (d Doc) compressedSize() int {
	c := d.compressed
	switch {
	case c == nil:
		return 0
	case c.lazy:
		return 2 * (len(d.Body)/4 + 256)
	case c.ready.Load():
		return len(c.br.Body) + len(c.gz.Body) + len(c.br.ETag) + len(c.gz.ETag) + 256
	}
	return 0
}

// advance keeps Last-Modified moving forward when the bytes change for a
// reason with no newer publication time (a department withdrawn from its
// office, say): an If-Modified-Since client must never get a 304 for
// changed content.
func (d *Doc) advance(prev Doc, at time.Time) {
	if prev.ETag == "" || prev.ETag == d.ETag || d.LastModified.After(prev.LastModified) {
		return
	}
	d.LastModified = at.UTC().Truncate(time.Second)
	if !d.LastModified.After(prev.LastModified) {
		d.LastModified = prev.LastModified.Add(time.Second)
	}
	d.LastModHTTP = d.LastModified.Format(http.TimeFormat)
	d.fill()
}
