package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// Publishing, withdrawing and trashing a document. Each checks its own
// right (publish, unpublish, delete: not update) and If-Match, and answers
// with the state its own transaction created.

// ifMatch checks If-Match (RFC 9110 section 13.1.1) against the current
// version and returns the version the write is based on. Missing: 428. "*"
// matches any current version. A well-formed list of entity tags without
// the current one (a weak tag never matches: If-Match compares strongly) is
// a 412 with the current version; a malformed header is a 400.
func ifMatch(c *gin.Context, current int) (int, error) {
	raw := strings.TrimSpace(strings.Join(c.Request.Header.Values("If-Match"), ", "))
	switch {
	case raw == "":
		return 0, problem(http.StatusPreconditionRequired, "precondition-required",
			"send the version you edited as If-Match (the ETag of your last read)")
	case raw == "*":
		return current, nil
	}
	tags, ok := parseEntityTags(raw)
	if !ok {
		return 0, invalidField("If-Match", `must be the ETag of your last read, such as "v3"`)
	}
	for _, t := range tags {
		if !t.weak && t.tag == versionETag(current) {
			return current, nil
		}
	}
	return 0, &models.VersionMismatchError{Current: current}
}

type entityTag struct {
	tag  string // with its quotes, as in an ETag header
	weak bool
}

// parseEntityTags reads a comma-separated list of entity tags (RFC 9110
// section 8.8.3: W/ optional, then a quoted opaque tag). It fails on
// anything else.
func parseEntityTags(s string) ([]entityTag, bool) {
	var tags []entityTag
	for {
		s = strings.TrimLeft(s, " \t")
		var t entityTag
		if rest, ok := strings.CutPrefix(s, "W/"); ok {
			t.weak, s = true, rest
		}
		if !strings.HasPrefix(s, `"`) {
			return nil, false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 || !validETagChars(s[1:1+end]) {
			return nil, false
		}
		t.tag, s = s[:end+2], strings.TrimLeft(s[end+2:], " \t")
		tags = append(tags, t)
		if s == "" {
			return tags, true
		}
		if s[0] != ',' {
			return nil, false
		}
		s = s[1:]
	}
}

// validETagChars checks etagc: visible characters but '"', and obs-text.
func validETagChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// draftForWrite loads the document for action and checks that If-Match
// names its current version.
func (h *contentHandlers) draftForWrite(c *gin.Context, action string) (*models.Draft, error) {
	d, err := h.draftFor(c, action)
	if err != nil {
		return nil, err
	}
	if _, err := ifMatch(c, d.Version); err != nil {
		return nil, err
	}
	return d, nil
}

func (h *contentHandlers) publish(c *gin.Context) error {
	d, err := h.draftForWrite(c, policies.ActionPublish)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	published, err := models.Publish(ctx, h.s.db, actor(c), h.kind, d.ID, d.Version)
	if err != nil {
		return err
	}
	writeDraft(c, http.StatusOK, published)
	return nil
}

func (h *contentHandlers) unpublish(c *gin.Context) error {
	d, err := h.draftForWrite(c, policies.ActionUnpublish)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	withdrawn, err := models.Unpublish(ctx, h.s.db, actor(c), h.kind, d.ID, d.Version)
	if err != nil {
		return err
	}
	writeDraft(c, http.StatusOK, withdrawn)
	return nil
}

// trash moves the document to the trash (DELETE).
func (h *contentHandlers) trash(c *gin.Context) error {
	d, err := h.draftForWrite(c, policies.ActionDelete)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := models.Trash(ctx, h.s.db, actor(c), h.kind, d.ID, d.Version); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
