package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"bureau/models"
)

// Problem is an RFC 9457 problem detail, the one shape of every error answer.
type Problem struct {
	Type    string              `json:"type"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	Detail  string              `json:"detail,omitempty"`
	Errors  []models.FieldError `json:"errors,omitempty"`
	Current *int                `json:"current_version,omitempty"` // on 412: the version to merge with
	Checks  map[string]string   `json:"checks,omitempty"`          // on /readyz: each dependency's state

	retryAfter int // seconds; sets Retry-After on 429 and 503
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

const problemBase = "urn:bureau:problem:"

func problem(status int, name, detail string) *Problem {
	return &Problem{Type: problemBase + name, Title: http.StatusText(status), Status: status, Detail: detail}
}

// Errors handlers return for common cases.
func errNotFound(detail string) *Problem { return problem(http.StatusNotFound, "not-found", detail) }
func errBadRequest(detail string) *Problem {
	return problem(http.StatusBadRequest, "bad-request", detail)
}
func errUnauthorized(detail string) *Problem {
	return problem(http.StatusUnauthorized, "unauthorized", detail)
}
func errForbidden(detail string) *Problem {
	return problem(http.StatusForbidden, "forbidden", detail)
}

// errInvalid is a 400 naming each bad field.
func errInvalid(errs ...models.FieldError) *Problem {
	p := problem(http.StatusBadRequest, "validation", "the request has invalid fields")
	p.Errors = errs
	return p
}

func invalidField(field, message string) *Problem {
	return errInvalid(models.FieldError{Field: field, Message: message})
}

// handlerFunc is a Gin handler that returns its error; handle turns it into
// the one problem answer, so handlers never write error bodies themselves.
type handlerFunc func(c *gin.Context) error

func (s *Server) handle(fn handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.writeError(c, err)
		}
	}
}

// writeError maps model and handler errors to problem answers. Anything
// unexpected is logged with the request id and answered as a bare 500: no
// database or internal text reaches the client.
func (s *Server) writeError(c *gin.Context, err error) {
	var (
		p        *Problem
		invalid  *models.ValidationError
		conflict *models.ConflictError
		mismatch *models.VersionMismatchError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &p):
	case errors.As(err, &invalid):
		p = errInvalid(invalid.Errors...)
	case errors.As(err, &conflict):
		p = problem(http.StatusConflict, "conflict", "the request conflicts with the current state (see errors)")
		p.Errors = []models.FieldError{{Field: conflict.Field, Message: conflict.Message}}
	case errors.As(err, &mismatch):
		p = problem(http.StatusPreconditionFailed, "version-mismatch", mismatch.Error())
		current := mismatch.Current
		p.Current = &current
	case errors.Is(err, models.ErrNotFound):
		p = errNotFound("no such item")
	case errors.As(err, &tooLarge):
		p = problem(http.StatusRequestEntityTooLarge, "too-large", "the request body is larger than "+strconv.FormatInt(tooLarge.Limit, 10)+" bytes")
	case models.IsUnavailable(err):
		// Down, frozen or past the deadline: worth retrying, not a bug. The
		// database's own words stay in the log.
		s.log.WarnContext(c.Request.Context(), "database unavailable", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		p = problem(http.StatusServiceUnavailable, "unavailable", "the database is not available right now; try again shortly")
		p.retryAfter = unavailableRetryAfter
	default:
		s.log.ErrorContext(c.Request.Context(), "request failed", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		p = problem(http.StatusInternalServerError, "internal", "something went wrong; the request id is "+requestID(c))
	}
	writeProblem(c, p)
}

// unavailableRetryAfter (seconds) is how soon a client should retry after a
// database outage or timeout: writes resume within a second of its end.
const unavailableRetryAfter = 2

func writeProblem(c *gin.Context, p *Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		slog.Error("marshal problem", "error", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	if p.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(p.retryAfter))
	}
	c.Header("Cache-Control", "no-store")
	c.Data(p.Status, "application/problem+json", body)
	c.Abort()
}
