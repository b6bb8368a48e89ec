package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/models/catalog"
)

// The public read API. Every answer is prepared bytes from the catalog; a
// request costs a map lookup (or a page of a sorted slice) and a write.

func (s *Server) getOffice(c *gin.Context) error {
	if err := checkQuery(c.Request.URL.RawQuery, nil); err != nil {
		return err
	}
	doc, ok := s.catalog.Office(c.Param("slug"))
	if !ok {
		return errNotFound("no published office has this slug")
	}
	s.writeDoc(c, doc)
	return nil
}

func (s *Server) getDepartment(c *gin.Context) error {
	if err := checkQuery(c.Request.URL.RawQuery, nil); err != nil {
		return err
	}
	doc, ok := s.catalog.Department(c.Param("slug"))
	if !ok {
		return errNotFound("no published department has this slug")
	}
	s.writeDoc(c, doc)
	return nil
}

var officeListParams = []string{"limit", "offset", "sort", "q"}
var departmentListParams = []string{"limit", "offset", "sort", "q", "office"}

func (s *Server) listOffices(c *gin.Context) error {
	q, err := parseListQuery(c.Request.URL.RawQuery, officeListParams, catalog.OfficeSortFields())
	if err != nil {
		return err
	}
	s.writeDoc(c, s.catalog.ListOffices(q))
	return nil
}

func (s *Server) listDepartments(c *gin.Context) error {
	q, err := parseListQuery(c.Request.URL.RawQuery, departmentListParams, catalog.DepartmentSortFields())
	if err != nil {
		return err
	}
	s.writeDoc(c, s.catalog.ListDepartments(q))
	return nil
}

// writeDoc sends a prepared public answer with its validators, compressed
// when the client accepts it, or 304 when the client's copy is current.
func (s *Server) writeDoc(c *gin.Context, doc catalog.Doc) {
	writePrepared(c, doc, jsonContentType, s.cacheControlH)
}

// writePrepared sends doc in the representation the client's
// Accept-Encoding picks: same status, Cache-Control, Last-Modified and
// (set by the middleware) CORS headers whichever it is; its own ETag,
// Content-Length and Content-Encoding. A 304 carries the ETag of the
// representation a 200 would have sent (RFC 9110 15.4.5), and no
// Content-Type, Content-Length or Content-Encoding.
func writePrepared(c *gin.Context, doc catalog.Doc, contentType, cacheControl []string) {
	h := c.Writer.Header()
	body, etag, length, coding := doc.Body, doc.ETagH, doc.LengthH, []string(nil)
	if codings := doc.Codings(); codings != nil {
		var accept string
		if v := c.Request.Header["Accept-Encoding"]; len(v) > 0 {
			accept = v[0]
		}
		if enc := doc.Encoding(negotiateEncoding(accept, codings...)); enc != nil {
			body, etag, length, coding = enc.Body, enc.ETagH, enc.LengthH, enc.CodingH
		}
	}
	// Always, even before the copies are made or for a small answer: a
	// cache must know this URL may vary by Accept-Encoding.
	h["Vary"] = hVaryAcceptEncoding
	h["Etag"] = etag
	if doc.LastModH != nil {
		h["Last-Modified"] = doc.LastModH
	}
	h["Cache-Control"] = cacheControl
	if notModified(c.Request, doc) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	h["Content-Type"] = contentType
	h["Content-Length"] = length
	if coding != nil {
		h["Content-Encoding"] = coding
	}
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		c.Writer.WriteHeaderNow()
		return
	}
	_, _ = c.Writer.Write(body)
}

var (
	jsonContentType     = []string{"application/json"}
	hVaryAcceptEncoding = []string{"Accept-Encoding"}
)

// notModified applies RFC 9110: If-None-Match wins over If-Modified-Since,
// and compares weakly (a CDN may have weakened our ETag). The tag of any
// representation matches: a client holding the identity answer is as
// current as one holding the brotli one.
func notModified(r *http.Request, doc catalog.Doc) bool {
	if v := r.Header["If-None-Match"]; len(v) > 0 && v[0] != "" {
		return etagListMatches(v[0], doc.MatchesETag)
	}
	if v := r.Header["If-Modified-Since"]; len(v) > 0 && v[0] != "" && !doc.LastModified.IsZero() {
		t, err := http.ParseTime(v[0])
		return err == nil && !doc.LastModified.After(t)
	}
	return false
}

// etagListMatches walks an If-None-Match list in place (no allocation on
// the hot path) and reports whether "*" or a tag, weak or not, matches.
func etagListMatches(list string, matches func(tag string) bool) bool {
	for rest := list; rest != ""; {
		var tag string
		tag, rest, _ = strings.Cut(rest, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || matches(tag) {
			return true
		}
	}
	return false
}

const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 1_000_000
	maxQuery     = 200
)

// checkQuery refuses parameters outside allowed and repeated parameters, so
// a typo ("limt=5") is an error rather than silently ignored.
func checkQuery(raw string, allowed []string) error {
	if raw == "" {
		return nil // the common case, on the hot path
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return errBadRequest("the query string is malformed")
	}
	if bad := unknownParams(values, allowed); len(bad) > 0 {
		return errInvalid(bad...)
	}
	return nil
}

// unknownParams names parameters outside allowed and repeated ones, sorted.
func unknownParams(values url.Values, allowed []string) []models.FieldError {
	var bad []models.FieldError
	for name, vs := range values {
		switch {
		case !slices.Contains(allowed, name):
			bad = append(bad, models.FieldError{Field: name, Message: "is not a known parameter" + knownParams(allowed)})
		case len(vs) > 1:
			bad = append(bad, models.FieldError{Field: name, Message: "may be given only once"})
		}
	}
	slices.SortFunc(bad, func(a, b models.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return bad
}

func knownParams(allowed []string) string {
	if len(allowed) == 0 {
		return " (this resource takes none)"
	}
	return " (known: " + strings.Join(allowed, ", ") + ")"
}

// parseListQuery validates a list request's query string completely before
// anything is looked up.
func parseListQuery(raw string, allowed, sortFields []string) (catalog.ListQuery, error) {
	q := catalog.ListQuery{Limit: defaultLimit}
	values, err := url.ParseQuery(raw)
	if err != nil {
		return q, errBadRequest("the query string is malformed")
	}
	// Every bad parameter is named at once: unknown ones and bad values.
	bad := unknownParams(values, allowed)
	if v, ok := values["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxLimit {
			bad = append(bad, models.FieldError{Field: "limit", Message: "must be a whole number from 1 to 100"})
		}
		q.Limit = n
	}
	if v, ok := values["offset"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 || n > maxOffset {
			bad = append(bad, models.FieldError{Field: "offset", Message: "must be a whole number from 0 to 1000000"})
		}
		q.Offset = n
	}
	if v, ok := values["sort"]; ok {
		field := strings.TrimPrefix(v[0], "-")
		if !slices.Contains(sortFields, field) {
			bad = append(bad, models.FieldError{Field: "sort", Message: "must be one of " + strings.Join(sortFields, ", ") + ", optionally prefixed with - for descending"})
		}
		q.Sort = v[0]
	}
	if v, ok := values["q"]; ok {
		if !utf8.ValidString(v[0]) || utf8.RuneCountInString(v[0]) > maxQuery || strings.TrimSpace(v[0]) == "" {
			bad = append(bad, models.FieldError{Field: "q", Message: "must be 1 to 200 characters of text"})
		}
		q.Q = v[0]
	}
	if v, ok := values["office"]; ok {
		if !models.ValidSlug(v[0]) {
			bad = append(bad, models.FieldError{Field: "office", Message: "must be an office slug"})
		}
		q.Office = v[0]
	}
	if len(bad) > 0 {
		return q, errInvalid(bad...)
	}
	return q, nil
}
