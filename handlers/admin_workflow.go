package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/policies"
)

// The rest of the editorial workflow: comparing revisions, restoring an old
// one as the new draft, previewing a draft, and the trash.

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
	ctx := c.Request.Context()
	values, err := adminQuery(c, "from", "to")
	if err != nil {
		return err
	}
	l, err := h.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.allow(c, l.scopes, policies.ActionRead); err != nil {
		return err
	}
	number := func(name string, def *int) (*int, error) {
		raw := values.Get(name)
		if raw == "" {
			return def, nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > l.doc.Version {
			return nil, invalidField(name, fmt.Sprintf("must be a revision number from 1 to %d", l.doc.Version))
		}
		return &n, nil
	}
	draft := l.doc.Version
	from, err := number("from", l.doc.PublishedRevision)
	if err != nil {
		return err
	}
	to, err := number("to", &draft)
	if err != nil {
		return err
	}
	var before, after any = map[string]any{}, nil
	if from != nil {
		if before, err = h.revisionJSON(c, l.doc.ID, *from); err != nil {
			return err
		}
	}
	if after, err = h.revisionJSON(c, l.doc.ID, *to); err != nil {
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
	l, rev, err := h.revisionFor(c, policies.ActionUpdate)
	if err != nil {
		return err
	}
	base, err := ifMatch(c, l.doc.Version)
	if err != nil {
		return err
	}
	var next any = &models.OfficeContent{}
	if h.kind == models.KindDepartment {
		next = &models.DepartmentContent{}
	}
	if err := json.Unmarshal([]byte(rev.Content), next); err != nil {
		return err
	}
	return h.save(c, l, base, next, fmt.Sprintf("Restored from revision %d", rev.Number))
}

// preview renders the draft in the public shape.
func (h *contentHandlers) preview(c *gin.Context) error {
	ctx := c.Request.Context()
	l, err := h.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.allow(c, l.scopes, policies.ActionRead); err != nil {
		return err
	}
	var body []byte
	if h.kind == models.KindOffice {
		rows, contents, err := models.DepartmentDrafts(ctx, h.s.db, l.doc.ID)
		if err != nil {
			return err
		}
		deps := make([]catalog.DraftDepartment, len(rows))
		for i, r := range rows {
			deps[i] = catalog.DraftDepartment{ID: r.ID, Content: contents[i], UpdatedAt: r.UpdatedAt.UTC()}
		}
		body = catalog.PreviewOffice(l.doc.ID, *l.office, l.doc.UpdatedAt.UTC(), deps)
	} else {
		office, err := h.officeAsSeenBy(c, l.department.OfficeID)
		if err != nil {
			return err
		}
		body = catalog.PreviewDepartment(catalog.DraftDepartment{ID: l.doc.ID, Content: *l.department, UpdatedAt: l.doc.UpdatedAt.UTC()},
			l.department.OfficeID, office)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", body)
	return nil
}

// officeAsSeenBy is the office of a department preview: its draft for a
// user who may read the office, else what the public sees of it.
func (h *contentHandlers) officeAsSeenBy(c *gin.Context, officeID string) (models.OfficeContent, error) {
	ctx := c.Request.Context()
	row, draft, err := models.GetOffice(ctx, h.s.db, officeID)
	if err != nil {
		return models.OfficeContent{}, err
	}
	if h.s.enforcer.Allow(currentUser(c).ID, []string{policies.OfficeScope(officeID)}, policies.ObjectOffices, policies.ActionRead) {
		return *draft, nil
	}
	var public models.OfficeContent
	if row.PublishedRevision == nil {
		return public, nil
	}
	rev, err := models.GetRevision(ctx, h.s.db, models.KindOffice, officeID, *row.PublishedRevision)
	if err != nil {
		return public, err
	}
	err = json.Unmarshal([]byte(rev.Content), &public)
	return public, err
}

type trashItem struct {
	Type      string    `json:"type"`
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	OfficeID  string    `json:"office_id,omitempty"` // departments: where it goes back to
	DeletedAt time.Time `json:"deleted_at"`
}

// trashScopes is the scope chain of a trashed document.
func (s *Server) trashScopes(c *gin.Context, d *models.TrashedDocument) []string {
	if d.Kind == models.KindOffice {
		return []string{policies.OfficeScope(d.ID)}
	}
	if _, err := models.OfficeSlug(c.Request.Context(), s.db, d.OfficeID); err != nil {
		return []string{policies.DepartmentScope(d.ID)} // its office is gone: only department grants reach it
	}
	return []string{policies.DepartmentScope(d.ID), policies.OfficeScope(d.OfficeID)}
}

// listTrash shows the trashed items the user may restore.
func (s *Server) listTrash(c *gin.Context) error {
	values, err := adminQuery(c)
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	all, err := models.ListTrash(c.Request.Context(), s.db)
	if err != nil {
		return err
	}
	user := currentUser(c).ID
	items := []trashItem{}
	for i := range all {
		d := &all[i]
		if s.enforcer.Allow(user, s.trashScopes(c, d), d.Kind.Plural(), policies.ActionRestore) {
			items = append(items, trashItem{Type: d.Kind.Plural(), ID: d.ID, Slug: d.Slug, Name: d.Name, OfficeID: d.OfficeID, DeletedAt: d.DeletedAt})
		}
	}
	total := len(items)
	writeList(c, items[min(offset, total):min(offset+limit, total)], int64(total), limit, offset)
	return nil
}

// restoreFromTrash brings a trashed item back as it was.
func (s *Server) restoreFromTrash(c *gin.Context) error {
	kind, ok := models.ParseKind(c.Param("type"))
	if !ok {
		return errNotFound("no such type: use offices or departments")
	}
	ctx := c.Request.Context()
	d, err := models.GetTrashed(ctx, s.db, kind, strings.ToLower(c.Param("id")))
	if err != nil {
		return err
	}
	if !s.enforcer.Allow(currentUser(c).ID, s.trashScopes(c, d), kind.Plural(), policies.ActionRestore) {
		return errForbidden("your role does not allow this here")
	}
	if err := models.RestoreFromTrash(ctx, s.db, actor(c), kind, d.ID); err != nil {
		return err
	}
	s.applyLocally(ctx, models.ContentEvent(kind, d.ID))
	h := &contentHandlers{s: s, kind: kind, object: kind.Plural()}
	return h.respondCurrent(c, d.ID)
}
