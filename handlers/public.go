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

// writeDoc sends a prepared document with its validators, or 304 when the
// client's copy is current.
func (s *Server) writeDoc(c *gin.Context, doc catalog.Doc) {
	h := c.Writer.Header()
	h["Etag"] = doc.ETagH
	if doc.LastModH != nil {
		h["Last-Modified"] = doc.LastModH
	}
	h["Cache-Control"] = s.cacheControlH
	if notModified(c.Request, doc) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = doc.LengthH
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		c.Writer.WriteHeaderNow()
		return
	}
	_, _ = c.Writer.Write(doc.Body)
}

var jsonContentType = []string{"application/json"}

// notModified applies RFC 9110: If-None-Match wins over If-Modified-Since,
// and compares weakly (a CDN may have weakened our ETag).
func notModified(r *http.Request, doc catalog.Doc) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == doc.ETag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !doc.LastModified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !doc.LastModified.After(t)
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
