package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// Admin content routes: offices and departments by id, drafts included.
// Every read carries the draft's version as ETag; every write must send it
// back as If-Match, so two editors never silently overwrite each other.

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

// contentFields are what a client may send to create or change a document.
// Pointers tell "absent" from "empty"; there is no id, version or status.
type contentFields struct {
	Slug            *string           `json:"slug"`
	Name            *string           `json:"name"`
	Acronym         *string           `json:"acronym"`
	Summary         *string           `json:"summary"`
	DescriptionHTML *string           `json:"description_html"`
	Contacts        *[]models.Contact `json:"contacts"`
	// Message says why, for the history; it is kept on the new revision,
	// not in the document.
	Message *string `json:"message"`
}

// message is the revision message sent, "" when none.
func (f *contentFields) message() string {
	if f.Message == nil {
		return ""
	}
	return *f.Message
}

type officeRequest struct {
	contentFields
}

type departmentRequest struct {
	contentFields
	OfficeID     *string `json:"office_id"`
	LearnMoreURL *string `json:"learn_more_url"`
	Position     *int    `json:"position"`
}

func (f *contentFields) apply(slug, name, acronym, summary, description *string, contacts *[]models.Contact) {
	set(slug, f.Slug)
	set(name, f.Name)
	set(acronym, f.Acronym)
	set(summary, f.Summary)
	set(description, f.DescriptionHTML)
	set(contacts, f.Contacts)
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// changedFields names the permission fields whose values differ.
func changedFields(before, after any) []string {
	var a, b map[string]json.RawMessage
	ja, _ := json.Marshal(before)
	jb, _ := json.Marshal(after)
	_ = json.Unmarshal(ja, &a)
	_ = json.Unmarshal(jb, &b)
	var out []string
	for key, v := range b {
		if string(a[key]) != string(v) {
			field := key
			if key == "description_html" {
				field = policies.FieldDescription
			}
			out = append(out, field)
		}
	}
	slices.Sort(out)
	return out
}

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

// loaded is a document with its draft, as the handlers need it.
type loaded struct {
	doc        *models.Document
	office     *models.OfficeContent
	department *models.DepartmentContent
	officeRef  models.OfficeRef // a department's office
	scopes     []string
}

func (h *contentHandlers) load(ctx context.Context, id string) (*loaded, error) {
	if h.kind == models.KindOffice {
		o, c, err := models.GetOffice(ctx, h.s.db, id)
		if err != nil {
			return nil, err
		}
		return &loaded{doc: &o.Document, office: c, scopes: []string{policies.OfficeScope(o.ID)}}, nil
	}
	d, c, err := models.GetDepartment(ctx, h.s.db, id)
	if err != nil {
		return nil, err
	}
	ref, err := models.GetOfficeRef(ctx, h.s.db, c.OfficeID)
	if err != nil {
		return nil, err
	}
	scopes := []string{policies.DepartmentScope(d.ID), policies.OfficeScope(c.OfficeID)}
	return &loaded{doc: &d.Document, department: c, officeRef: ref, scopes: scopes}, nil
}

func (h *contentHandlers) view(l *loaded) any {
	if l.office != nil {
		return officeView{viewOf(l.doc), *l.office}
	}
	return departmentView{viewOf(l.doc), *l.department, l.officeRef.Slug, l.officeRef.Name}
}

func (h *contentHandlers) allow(c *gin.Context, scopes []string, action string) error {
	if !h.s.enforcer.Allow(currentUser(c).ID, scopes, h.object, action) {
		return errForbidden("your role does not allow this here")
	}
	return nil
}

func writeDocument(c *gin.Context, status int, version int, view any) {
	c.Header("ETag", versionETag(version))
	writeData(c, status, view)
}

func versionETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ifMatch reads the version a write is based on. Without it: 428. "*"
// (RFC 9110: any current version) takes the current one; a weak ETag never
// matches, as If-Match compares strongly.
func ifMatch(c *gin.Context, current int) (int, error) {
	raw := strings.TrimSpace(c.GetHeader("If-Match"))
	switch {
	case raw == "":
		return 0, problem(http.StatusPreconditionRequired, "precondition-required",
			"send the version you edited as If-Match (the ETag of your last read)")
	case raw == "*":
		return current, nil
	case strings.HasPrefix(raw, "W/"):
		return 0, &models.VersionMismatchError{Current: current}
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.Trim(raw, `"`), "v"))
	if err != nil || n < 1 {
		return 0, invalidField("If-Match", `must be the ETag of your last read, such as "v3"`)
	}
	return n, nil
}

func (h *contentHandlers) list(c *gin.Context) error {
	allowed := []string{"q", "status"}
	if h.kind == models.KindDepartment {
		allowed = append(allowed, "office_id")
	}
	values, err := adminQuery(c, allowed...)
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
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
	for _, scope := range h.s.enforcer.Scopes(currentUser(c).ID, h.object, policies.ActionRead) {
		kind, id, _ := strings.Cut(scope, ":")
		switch kind {
		case policies.ScopeAll:
			f.AllScopes = true
		case "office":
			f.OfficeIDs = append(f.OfficeIDs, id)
		case "department":
			f.DepartmentIDs = append(f.DepartmentIDs, id)
		}
	}
	ctx := c.Request.Context()
	var items []listItem
	var total int64
	if h.kind == models.KindOffice {
		rows, n, err := models.ListOffices(ctx, h.s.db, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			items = append(items, listItem{documentView: viewOf(&r.Document), Slug: r.Slug, Name: r.Name, Acronym: r.Acronym, Summary: r.Summary})
		}
		total = n
	} else {
		rows, n, err := models.ListDepartments(ctx, h.s.db, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			pos := r.Position
			items = append(items, listItem{documentView: viewOf(&r.Document), Slug: r.Slug, Name: r.Name, Acronym: r.Acronym,
				Summary: r.Summary, OfficeID: r.OfficeID, OfficeSlug: r.OfficeSlug, OfficeName: r.OfficeName, Position: &pos})
		}
		total = n
	}
	if items == nil {
		items = []listItem{}
	}
	writeList(c, items, total, limit, offset)
	return nil
}

func (h *contentHandlers) get(c *gin.Context) error {
	l, err := h.load(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.allow(c, l.scopes, policies.ActionRead); err != nil {
		return err
	}
	writeDocument(c, http.StatusOK, l.doc.Version, h.view(l))
	return nil
}

func (h *contentHandlers) create(c *gin.Context) error {
	ctx := c.Request.Context()
	a := actor(c)
	if h.kind == models.KindOffice {
		var req officeRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if err := h.allow(c, nil, policies.ActionCreate); err != nil {
			return err
		}
		var content models.OfficeContent
		req.apply(&content.Slug, &content.Name, &content.Acronym, &content.Summary, &content.DescriptionHTML, &content.Contacts)
		o, err := models.CreateOffice(ctx, h.s.db, a, content, req.message())
		if err != nil {
			return err
		}
		return h.respondCreated(c, o.ID)
	}
	var req departmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var content models.DepartmentContent
	req.apply(&content.Slug, &content.Name, &content.Acronym, &content.Summary, &content.DescriptionHTML, &content.Contacts)
	set(&content.OfficeID, req.OfficeID)
	set(&content.LearnMoreURL, req.LearnMoreURL)
	set(&content.Position, req.Position)
	if _, err := models.OfficeSlug(ctx, h.s.db, content.OfficeID); err != nil {
		return invalidField("office_id", "no such office")
	}
	if err := h.allow(c, []string{policies.OfficeScope(content.OfficeID)}, policies.ActionCreate); err != nil {
		return err
	}
	d, err := models.CreateDepartment(ctx, h.s.db, a, content, req.message())
	if err != nil {
		return err
	}
	return h.respondCreated(c, d.ID)
}

func (h *contentHandlers) respondCreated(c *gin.Context, id string) error {
	l, err := h.load(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/admin/"+h.object+"/"+id)
	writeDocument(c, http.StatusCreated, l.doc.Version, h.view(l))
	return nil
}

// update applies a JSON merge patch to the draft: fields present are set
// (null clears), contacts replaces the whole list. Each changed field is
// checked against the user's rights, so an author cannot rename or move.
func (h *contentHandlers) update(c *gin.Context) error {
	ctx := c.Request.Context()
	l, err := h.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.allow(c, l.scopes, policies.ActionUpdate); err != nil {
		return err
	}
	base, err := ifMatch(c, l.doc.Version)
	if err != nil {
		return err
	}
	if h.kind == models.KindOffice {
		var req officeRequest
		raw, err := decodeJSONBody(c, &req)
		if err != nil {
			return err
		}
		next := *l.office
		req.apply(&next.Slug, &next.Name, &next.Acronym, &next.Summary, &next.DescriptionHTML, &next.Contacts)
		for _, key := range nullFields(raw) {
			clearOfficeField(&next, key)
		}
		return h.save(c, l, base, &next, req.message())
	}
	var req departmentRequest
	raw, err := decodeJSONBody(c, &req)
	if err != nil {
		return err
	}
	next := *l.department
	req.apply(&next.Slug, &next.Name, &next.Acronym, &next.Summary, &next.DescriptionHTML, &next.Contacts)
	set(&next.OfficeID, req.OfficeID)
	set(&next.LearnMoreURL, req.LearnMoreURL)
	set(&next.Position, req.Position)
	for _, key := range nullFields(raw) {
		clearDepartmentField(&next, key)
	}
	return h.save(c, l, base, &next, req.message())
}

// clearShared empties the field a merge patch set to null. It reports
// whether key is a field the content types share.
func clearShared(key string, slug, name, acronym, summary, description *string, contacts *[]models.Contact) bool {
	switch key {
	case "slug":
		*slug = ""
	case "name":
		*name = ""
	case "acronym":
		*acronym = ""
	case "summary":
		*summary = ""
	case "description_html":
		*description = ""
	case "contacts":
		*contacts = nil
	default:
		return false
	}
	return true
}

func clearOfficeField(c *models.OfficeContent, key string) {
	clearShared(key, &c.Slug, &c.Name, &c.Acronym, &c.Summary, &c.DescriptionHTML, &c.Contacts)
}

func clearDepartmentField(c *models.DepartmentContent, key string) {
	if clearShared(key, &c.Slug, &c.Name, &c.Acronym, &c.Summary, &c.DescriptionHTML, &c.Contacts) {
		return
	}
	switch key {
	case "learn_more_url":
		c.LearnMoreURL = ""
	case "office_id":
		c.OfficeID = ""
	case "position":
		c.Position = 0
	}
}

// save authorizes turning the draft of l into next and stores next as the
// new draft, based on version base, with the revision message.
func (h *contentHandlers) save(c *gin.Context, l *loaded, base int, next any, message string) error {
	if err := h.authorizeChange(c, l, next); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var err error
	renamed := false
	switch n := next.(type) {
	case *models.OfficeContent:
		renamed = n.Slug != l.office.Slug
		_, err = models.SaveOfficeDraft(ctx, h.s.db, actor(c), l.doc.ID, base, *n, message)
	case *models.DepartmentContent:
		renamed = n.Slug != l.department.Slug
		_, err = models.SaveDepartmentDraft(ctx, h.s.db, actor(c), l.doc.ID, base, *n, message)
	}
	if err != nil {
		return err
	}
	if renamed {
		// The grants on the old slug moved to the new one (models.saveDraft).
		h.s.applyLocally(ctx, models.EventGrants)
	}
	return h.respondCurrent(c, l.doc.ID)
}

// authorizeChange checks every changed field against the user's rights in
// the document's scope. Moving a department also needs the right to move it
// in both offices, as an office-level grant: a grant on the department
// alone cannot carry it into an office where the user has no say.
func (h *contentHandlers) authorizeChange(c *gin.Context, l *loaded, next any) error {
	var before any = l.office
	if l.department != nil {
		before = l.department
	}
	if err := h.checkFieldRights(c, before, next, l.scopes); err != nil {
		return err
	}
	d, ok := next.(*models.DepartmentContent)
	if !ok || d.OfficeID == l.department.OfficeID {
		return nil
	}
	if _, err := models.OfficeSlug(c.Request.Context(), h.s.db, d.OfficeID); err != nil {
		return invalidField("office_id", "no such office")
	}
	user := currentUser(c).ID
	for _, scope := range []string{l.scopes[1], policies.OfficeScope(d.OfficeID)} {
		in := []string{scope}
		if !h.s.enforcer.Allow(user, in, h.object, policies.ActionUpdate) ||
			!h.s.enforcer.Allow(user, in, policies.FieldObject(h.object), policies.FieldOfficeID) {
			p := errForbidden("moving a department needs the right to move it in both offices")
			p.Errors = []models.FieldError{{Field: policies.FieldOfficeID, Message: "your role may not move this department there"}}
			return p
		}
	}
	return nil
}

// checkFieldRights refuses, naming them, the changed fields the user may
// not change in scopes.
func (h *contentHandlers) checkFieldRights(c *gin.Context, before, after any, scopes []string) error {
	user := currentUser(c).ID
	var denied []models.FieldError
	for _, field := range changedFields(before, after) {
		if !h.s.enforcer.Allow(user, scopes, policies.FieldObject(h.object), field) {
			denied = append(denied, models.FieldError{Field: field, Message: "your role may not change this field"})
		}
	}
	if len(denied) > 0 {
		p := errForbidden("your role may not change some of these fields")
		p.Errors = denied
		return p
	}
	return nil
}

func (h *contentHandlers) respondCurrent(c *gin.Context, id string) error {
	l, err := h.load(c.Request.Context(), id)
	if err != nil {
		return err
	}
	writeDocument(c, http.StatusOK, l.doc.Version, h.view(l))
	return nil
}

// guarded loads a document, checks the user's right to action on it and
// that If-Match names its current version.
func (h *contentHandlers) guarded(c *gin.Context, action string) (*loaded, int, error) {
	l, err := h.load(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, 0, err
	}
	if err := h.allow(c, l.scopes, action); err != nil {
		return nil, 0, err
	}
	version, err := ifMatch(c, l.doc.Version)
	if err != nil {
		return nil, 0, err
	}
	if l.doc.Version != version {
		return nil, 0, &models.VersionMismatchError{Current: l.doc.Version}
	}
	return l, version, nil
}

func (h *contentHandlers) publish(c *gin.Context) error {
	l, version, err := h.guarded(c, policies.ActionPublish)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := models.Publish(ctx, h.s.db, actor(c), h.kind, l.doc.ID, version); err != nil {
		return err
	}
	h.s.applyLocally(ctx, models.ContentEvent(h.kind, l.doc.ID))
	return h.respondCurrent(c, l.doc.ID)
}

func (h *contentHandlers) unpublish(c *gin.Context) error {
	l, version, err := h.guarded(c, policies.ActionUnpublish)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := models.Unpublish(ctx, h.s.db, actor(c), h.kind, l.doc.ID, version); err != nil {
		return err
	}
	h.s.applyLocally(ctx, models.ContentEvent(h.kind, l.doc.ID))
	return h.respondCurrent(c, l.doc.ID)
}

func (h *contentHandlers) trash(c *gin.Context) error {
	l, version, err := h.guarded(c, policies.ActionDelete)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := models.Trash(ctx, h.s.db, actor(c), h.kind, l.doc.ID, version); err != nil {
		return err
	}
	h.s.applyLocally(ctx, models.ContentEvent(h.kind, l.doc.ID))
	c.Status(http.StatusNoContent)
	return nil
}

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
	l, err := h.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.allow(c, l.scopes, policies.ActionRead); err != nil {
		return err
	}
	values, err := adminQuery(c)
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	revs, total, err := models.ListRevisions(ctx, h.s.db, h.kind, l.doc.ID, limit, offset)
	if err != nil {
		return err
	}
	views := make([]revisionView, len(revs))
	for i, r := range revs {
		views[i] = revisionView{Number: r.Number, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Message: r.Message,
			CreatedAt: r.CreatedAt, Published: isPublished(l, r.Number), Draft: r.Number == l.doc.Version}
	}
	writeList(c, views, total, limit, offset)
	return nil
}

func isPublished(l *loaded, number int) bool {
	return l.doc.PublishedRevision != nil && *l.doc.PublishedRevision == number
}

func (h *contentHandlers) revision(c *gin.Context) error {
	l, rev, err := h.revisionFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	author, err := models.AuthorName(c.Request.Context(), h.s.db, rev.AuthorID)
	if err != nil {
		return err
	}
	writeData(c, http.StatusOK, revisionView{Number: rev.Number, AuthorID: rev.AuthorID, AuthorName: author, Message: rev.Message,
		CreatedAt: rev.CreatedAt, Published: isPublished(l, rev.Number), Draft: rev.Number == l.doc.Version,
		Content: json.RawMessage(rev.Content)})
	return nil
}

// revisionFor loads the document and the revision a route names, once the
// user may do action on the document.
func (h *contentHandlers) revisionFor(c *gin.Context, action string) (*loaded, *models.Revision, error) {
	ctx := c.Request.Context()
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return nil, nil, errNotFound("no such revision")
	}
	l, err := h.load(ctx, c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	if err := h.allow(c, l.scopes, action); err != nil {
		return nil, nil, err
	}
	rev, err := models.GetRevision(ctx, h.s.db, h.kind, l.doc.ID, n)
	return l, rev, err
}
