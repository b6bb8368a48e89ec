package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"bureau/models"
	"bureau/policies"
)

// Admin content routes: offices and departments by id, drafts included.
// Every read carries the draft's version as ETag; every write must send it
// back as If-Match, so two editors never silently overwrite each other.
// This file holds the routes, the views and how a route's document is
// loaded; admin_drafts.go, admin_publish.go and admin_revisions.go the rest.

// contentRoutes registers the admin routes of one content type.
func (s *Server) contentRoutes(admin *gin.RouterGroup, kind models.Kind) {
	object := kind.Plural()
	base := "/" + object
	h := &contentHandlers{s: s, kind: kind, object: object}
	admin.GET(base, s.requireSomeScope(object, policies.ActionRead), s.handle(h.list))
	admin.POST(base, s.requireSomeScope(object, policies.ActionCreate), s.handle(h.create))
	admin.GET(base+"/:id", s.requireSomeScope(object, policies.ActionRead), s.handle(h.get))
	admin.PATCH(base+"/:id", s.requireSomeScope(object, policies.ActionUpdate), s.handle(h.update))
	admin.DELETE(base+"/:id", s.requireSomeScope(object, policies.ActionDelete), s.handle(h.trash))
	admin.POST(base+"/:id/publish", s.requireSomeScope(object, policies.ActionPublish), s.handle(h.publish))
	admin.POST(base+"/:id/unpublish", s.requireSomeScope(object, policies.ActionUnpublish), s.handle(h.unpublish))
	admin.GET(base+"/:id/revisions", s.requireSomeScope(object, policies.ActionRead), s.handle(h.revisions))
	admin.GET(base+"/:id/revisions/:n", s.requireSomeScope(object, policies.ActionRead), s.handle(h.revision))
	admin.POST(base+"/:id/revisions/:n/restore", s.requireSomeScope(object, policies.ActionUpdate), s.handle(h.restoreRevision))
	admin.GET(base+"/:id/diff", s.requireSomeScope(object, policies.ActionRead), s.handle(h.diff))
	admin.GET("/preview"+base+"/:id", s.requireSomeScope(object, policies.ActionRead), s.handle(h.preview))
}

type contentHandlers struct {
	s      *Server
	kind   models.Kind
	object string
}

// documentView is the admin shape of a document: its draft content and its
// editorial state.
type documentView struct {
	ID                string     `json:"id"`
	Version           int        `json:"version"`
	Status            string     `json:"status"`
	PublishedRevision *int       `json:"published_revision"`
	PublishedAt       *time.Time `json:"published_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func viewOf(d *models.Document) documentView {
	return documentView{ID: d.ID, Version: d.Version, Status: d.Status(), PublishedRevision: d.PublishedRevision,
		PublishedAt: d.PublishedAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

type officeView struct {
	documentView
	models.OfficeContent
}

// departmentView carries its office's current slug and name, read-only, so
// a client can work out the department's scopes and show where it belongs
// without reading the office (which a department-only grant may not allow).
type departmentView struct {
	documentView
	models.DepartmentContent
	OfficeSlug string `json:"office_slug"`
	OfficeName string `json:"office_name"`
}

// listItem is a row of an admin list: no description or contacts.
type listItem struct {
	documentView
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	Acronym    string `json:"acronym"`
	Summary    string `json:"summary"`
	OfficeID   string `json:"office_id,omitempty"`
	OfficeSlug string `json:"office_slug,omitempty"` // departments: the office's current slug and name
	OfficeName string `json:"office_name,omitempty"`
	Position   *int   `json:"position,omitempty"`
}

func viewOfDraft(d *models.Draft) any {
	if d.Department != nil {
		return departmentView{viewOf(&d.Document), *d.Department, d.OfficeRef.Slug, d.OfficeRef.Name}
	}
	return officeView{viewOf(&d.Document), *d.Office}
}

// writeDraft answers with a document in the state d describes, its version
// as ETag. Writes pass the draft their own transaction returned.
func writeDraft(c *gin.Context, status int, d *models.Draft) {
	c.Header("ETag", versionETag(d.Version))
	writeData(c, status, viewOfDraft(d))
}

func versionETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// documentScopes are the grant scopes that reach a document.
type documentScopes struct {
	own    string // office:{id} or department:{id}
	office string // the office it is, or belongs to; "" for a department whose office is gone
}

// scopesOf is the one place that says which grant scopes reach a document
// of kind with id (and, for a department, its office's id). Grants name
// documents by id, so a rename changes no one's rights.
func scopesOf(kind models.Kind, id, officeID string) documentScopes {
	if kind == models.KindOffice {
		scope := policies.OfficeScope(id)
		return documentScopes{own: scope, office: scope}
	}
	s := documentScopes{own: policies.DepartmentScope(id)}
	if officeID != "" {
		s.office = policies.OfficeScope(officeID)
	}
	return s
}

func (s documentScopes) list() []string {
	if s.office == "" || s.office == s.own {
		return []string{s.own}
	}
	return []string{s.own, s.office}
}

// scopesOfDraft are the scopes of a loaded document.
func scopesOfDraft(d *models.Draft) documentScopes {
	if d.Department != nil {
		return scopesOf(models.KindDepartment, d.ID, d.Department.OfficeID)
	}
	return scopesOf(models.KindOffice, d.ID, "")
}

// inScopes turns the scopes where a user may do action on object into a
// filter for the database.
func (s *Server) inScopes(userID, object, action string) models.InScopes {
	var in models.InScopes
	for _, scope := range s.enforcer.Scopes(userID, object, action) {
		kind, id, _ := strings.Cut(scope, ":")
		switch kind {
		case policies.ScopeAll:
			in.All = true
		case "office":
			in.OfficeIDs = append(in.OfficeIDs, id)
		case "department":
			in.DepartmentIDs = append(in.DepartmentIDs, id)
		}
	}
	return in
}

// pathID reads the document id of a route. Anything but a UUID in its
// canonical 36-character form is a 404, like an id that does not exist, and
// never reaches SQL (PostgreSQL refuses a NUL in text with an error).
func pathID(c *gin.Context) (string, error) {
	raw := c.Param("id")
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return "", models.ErrNotFound
	}
	return id.String(), nil
}

// permitted reports whether the user may do action in any of scopes.
func (h *contentHandlers) permitted(c *gin.Context, scopes []string, action string) bool {
	return h.s.enforcer.Allow(currentUser(c).ID, scopes, h.object, action)
}

// draftFor loads the document the route names, once the user may do
// action on it. A document the user may not even read answers exactly as
// an unknown id does (404), so ids outside one's scopes reveal nothing; one
// they may read but not change is a 403.
func (h *contentHandlers) draftFor(c *gin.Context, action string) (*models.Draft, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	d, err := models.GetDraft(c.Request.Context(), h.s.db, h.kind, id)
	if err != nil {
		return nil, err
	}
	if err := h.allowOn(c, scopesOfDraft(d), action); err != nil {
		return nil, err
	}
	return d, nil
}

// allowOn checks action on an existing document in scopes (see draftFor).
func (h *contentHandlers) allowOn(c *gin.Context, scopes documentScopes, action string) error {
	switch {
	case h.permitted(c, scopes.list(), action):
		return nil
	case action != policies.ActionRead && h.permitted(c, scopes.list(), policies.ActionRead):
		return errForbidden("your role does not allow this here")
	}
	return models.ErrNotFound
}

func (h *contentHandlers) get(c *gin.Context) error {
	d, err := h.draftFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	writeDraft(c, http.StatusOK, d)
	return nil
}

func (h *contentHandlers) list(c *gin.Context) error {
	allowed := []string{"q", "status"}
	if h.kind == models.KindDepartment {
		allowed = append(allowed, "office_id")
	}
	values, limit, offset, err := adminPage(c, allowed...)
	if err != nil {
		return err
	}
	f := models.DocumentFilter{Q: strings.TrimSpace(values.Get("q")), Status: values.Get("status"),
		OfficeID: values.Get("office_id"), Limit: limit, Offset: offset}
	switch f.Status {
	case "", models.StatusDraft, models.StatusPublished, models.StatusChanged:
	default:
		return invalidField("status", "must be draft, published or changed")
	}
	if len(f.Q) > maxQuery {
		return invalidField("q", "must be at most 200 characters")
	}
	in := h.s.inScopes(currentUser(c).ID, h.object, policies.ActionRead)
	f.AllScopes, f.OfficeIDs, f.DepartmentIDs = in.All, in.OfficeIDs, in.DepartmentIDs
	items, total, err := h.listItems(c.Request.Context(), f)
	if err != nil {
		return err
	}
	writeList(c, items, total, limit, offset)
	return nil
}

func (h *contentHandlers) listItems(ctx context.Context, f models.DocumentFilter) ([]listItem, int64, error) {
	items := []listItem{}
	if h.kind == models.KindOffice {
		rows, total, err := models.ListOffices(ctx, h.s.db, f)
		for _, r := range rows {
			items = append(items, listItem{documentView: viewOf(&r.Document), Slug: r.Slug, Name: r.Name, Acronym: r.Acronym, Summary: r.Summary})
		}
		return items, total, err
	}
	rows, total, err := models.ListDepartments(ctx, h.s.db, f)
	for _, r := range rows {
		pos := r.Position
		items = append(items, listItem{documentView: viewOf(&r.Document), Slug: r.Slug, Name: r.Name, Acronym: r.Acronym,
			Summary: r.Summary, OfficeID: r.OfficeID, OfficeSlug: r.OfficeSlug, OfficeName: r.OfficeName, Position: &pos})
	}
	return items, total, err
}
