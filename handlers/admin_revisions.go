package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// History: a document's revisions, one revision, the difference between
// two, and restoring an old one as the new draft.

type revisionView struct {
	Number     int       `json:"number"`
	AuthorID   *string   `json:"author_id"`
	AuthorName string    `json:"author_name"` // as the author is named today; "" for Bureau itself
	Message    string    `json:"message"`
	CreatedAt  time.Time `json:"created_at"`
	Published  bool      `json:"published"`
	Draft      bool      `json:"draft"`
	Content    any       `json:"content,omitempty"`
}

func (h *contentHandlers) revisions(c *gin.Context) error {
	ctx := c.Request.Context()
	draft, err := h.draftFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	_, limit, offset, err := adminPage(c)
	if err != nil {
		return err
	}
	revs, total, err := models.ListRevisions(ctx, h.s.db, h.kind, draft.ID, limit, offset)
	if err != nil {
		return err
	}
	views := make([]revisionView, len(revs))
	for i, r := range revs {
		views[i] = revisionView{Number: r.Number, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Message: r.Message,
			CreatedAt: r.CreatedAt, Published: isPublished(draft, r.Number), Draft: r.Number == draft.Version}
	}
	writeList(c, views, total, limit, offset)
	return nil
}

func isPublished(d *models.Draft, number int) bool {
	return d.PublishedRevision != nil && *d.PublishedRevision == number
}

func (h *contentHandlers) revision(c *gin.Context) error {
	draft, rev, err := h.revisionFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	author, err := models.AuthorName(c.Request.Context(), h.s.db, rev.AuthorID)
	if err != nil {
		return err
	}
	writeData(c, http.StatusOK, revisionView{Number: rev.Number, AuthorID: rev.AuthorID, AuthorName: author, Message: rev.Message,
		CreatedAt: rev.CreatedAt.UTC(), Published: isPublished(draft, rev.Number), Draft: rev.Number == draft.Version,
		Content: json.RawMessage(rev.Content)})
	return nil
}

// revisionFor loads the document and the revision a route names, once the
// user may do action on the document.
func (h *contentHandlers) revisionFor(c *gin.Context, action string) (*models.Draft, *models.Revision, error) {
	draft, err := h.draftFor(c, action)
	if err != nil {
		return nil, nil, err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 || strconv.Itoa(n) != c.Param("n") {
		return nil, nil, errNotFound("no such revision")
	}
	rev, err := models.GetRevision(c.Request.Context(), h.s.db, h.kind, draft.ID, n)
	return draft, rev, err
}

type fieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from,omitempty"`
	To    any    `json:"to,omitempty"`
}

type diffView struct {
	From    *int          `json:"from"`
	To      int           `json:"to"`
	Changes []fieldChange `json:"changes"`
}

// diff compares two revisions field by field; `to` defaults to the draft
// and `from` to the published revision (nothing, if never published).
func (h *contentHandlers) diff(c *gin.Context) error {
	values, err := adminQuery(c, "from", "to")
	if err != nil {
		return err
	}
	draft, err := h.draftFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	number := func(name string, def *int) (*int, error) {
		raw := values.Get(name)
		if raw == "" {
			return def, nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > draft.Version {
			return nil, invalidField(name, fmt.Sprintf("must be a revision number from 1 to %d", draft.Version))
		}
		return &n, nil
	}
	latest := draft.Version
	from, err := number("from", draft.PublishedRevision)
	if err != nil {
		return err
	}
	to, err := number("to", &latest)
	if err != nil {
		return err
	}
	var before, after any = map[string]any{}, nil
	if from != nil {
		if before, err = h.revisionJSON(c, draft.ID, *from); err != nil {
			return err
		}
	}
	if after, err = h.revisionJSON(c, draft.ID, *to); err != nil {
		return err
	}
	changes := []fieldChange{}
	diffJSON("", before, after, &changes)
	writeData(c, http.StatusOK, diffView{From: from, To: *to, Changes: changes})
	return nil
}

func (h *contentHandlers) revisionJSON(c *gin.Context, id string, n int) (any, error) {
	rev, err := models.GetRevision(c.Request.Context(), h.s.db, h.kind, id, n)
	if err != nil {
		return nil, err
	}
	var v any
	err = json.Unmarshal([]byte(rev.Content), &v)
	return v, err
}

// diffJSON appends the differences between two decoded JSON values, with
// paths such as "contacts[0].phones[1].number".
func diffJSON(path string, a, b any, out *[]fieldChange) {
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffJSON(p, am[k], bm[k], out)
		}
		return
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	if aIsList && bIsList {
		for i := 0; i < max(len(al), len(bl)); i++ {
			var x, y any
			if i < len(al) {
				x = al[i]
			}
			if i < len(bl) {
				y = bl[i]
			}
			diffJSON(fmt.Sprintf("%s[%d]", path, i), x, y, out)
		}
		return
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		*out = append(*out, fieldChange{Field: path, From: a, To: b})
	}
}

// restoreRevision makes revision n the new draft. It is an edit like any
// other: If-Match, and the same rights as a PATCH making the same change.
func (h *contentHandlers) restoreRevision(c *gin.Context) error {
	draft, rev, err := h.revisionFor(c, policies.ActionUpdate)
	if err != nil {
		return err
	}
	base, err := ifMatch(c, draft.Version)
	if err != nil {
		return err
	}
	next := h.emptyContent()
	if err := json.Unmarshal([]byte(rev.Content), next); err != nil {
		return err
	}
	return h.save(c, draft, base, next, fmt.Sprintf("Restored from revision %d", rev.Number))
}
