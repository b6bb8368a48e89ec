package handlers

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"bureau/models"
)

// decodeJSON reads a JSON object body into dst, which must be a pointer to a
// request type holding only the fields a client may set. Keys must match
// exactly; unknown fields are refused by name, so an attempt to set "role"
// or "id" fails loudly instead of being ignored or, worse, applied (see
// checkJSONShape for the rest).
func decodeJSON(c *gin.Context, dst any) error {
	_, err := decodeJSONBody(c, dst)
	return err
}

// decodeJSONBody is decodeJSON that also returns the raw body, for merge
// patches that must tell a null from an absent field.
func decodeJSONBody(c *gin.Context, dst any) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, err // a *http.MaxBytesError answers 413
	}
	if err := checkJSONShape(body, reflect.TypeOf(dst).Elem()); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return nil, jsonProblem(err)
	}
	return body, nil
}

// jsonProblem answers a decode error the shape check did not foresee,
// without echoing Go type names.
func jsonProblem(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	return errBadRequest("the body could not be read as JSON")
}

// pagination reads limit and offset (admin lists share the public rules).
func pagination(values url.Values) (limit, offset int, err error) {
	limit, offset = defaultLimit, 0
	var bad []models.FieldError
	if v := values.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > maxLimit {
			bad = append(bad, models.FieldError{Field: "limit", Message: "must be a whole number from 1 to 100"})
		}
		limit = n
	}
	if v := values.Get("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > maxOffset {
			bad = append(bad, models.FieldError{Field: "offset", Message: "must be a whole number from 0 to 1000000"})
		}
		offset = n
	}
	if len(bad) > 0 {
		return 0, 0, errInvalid(bad...)
	}
	return limit, offset, nil
}

// adminQuery checks an admin list's query string against allowed names.
func adminQuery(c *gin.Context, allowed ...string) (url.Values, error) {
	raw := c.Request.URL.RawQuery
	if err := checkQuery(raw, append(allowed, "limit", "offset")); err != nil {
		return nil, err
	}
	values, _ := url.ParseQuery(raw)
	for name, vs := range values {
		// PostgreSQL refuses NUL and invalid UTF-8 in text: a client's
		// mistake, not a 500.
		if strings.ContainsRune(vs[0], 0) || !utf8.ValidString(vs[0]) {
			return nil, invalidField(name, "must be text without NUL characters")
		}
	}
	return values, nil
}

// adminPage checks an admin list's query string and reads its page.
func adminPage(c *gin.Context, allowed ...string) (values url.Values, limit, offset int, err error) {
	if values, err = adminQuery(c, allowed...); err != nil {
		return nil, 0, 0, err
	}
	limit, offset, err = pagination(values)
	return values, limit, offset, err
}

type listMeta struct {
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

func writeList(c *gin.Context, data any, total int64, limit, offset int) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"data": data, "meta": listMeta{Total: total, Limit: limit, Offset: offset}})
}

func writeData(c *gin.Context, status int, data any) {
	c.Header("Cache-Control", "no-store")
	c.JSON(status, gin.H{"data": data})
}
