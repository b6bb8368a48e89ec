package handlers

import (
	"encoding/json"
	"net/http"
	"slices"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// Creating documents and changing their drafts. A body is a JSON merge
// patch (RFC 7396) of the draft's content: members present are set, null
// clears, contacts replaces the whole list. A create is the same patch over
// empty content.

// sharedFields are what a client may send for any document. They describe
// the body's allowed shape (checkJSONShape refuses anything else); the
// values themselves travel in the merge patch. No id, version or status.
type sharedFields struct {
	Slug            *string           `json:"slug"`
	Name            *string           `json:"name"`
	Acronym         *string           `json:"acronym"`
	Summary         *string           `json:"summary"`
	DescriptionHTML *string           `json:"description_html"`
	Contacts        *[]models.Contact `json:"contacts"`
	// Message says why, for the history: it is kept on the new revision,
	// not in the document.
	Message *string `json:"message"`
}

type officeFields struct {
	sharedFields
}

type departmentFields struct {
	sharedFields
	OfficeID     *string `json:"office_id"`
	LearnMoreURL *string `json:"learn_more_url"`
	Position     *int    `json:"position"`
}

// readChange reads a create or PATCH body of h.kind: the merge patch of the
// content, and the revision message ("" when none).
func (h *contentHandlers) readChange(c *gin.Context) (patch []byte, message string, err error) {
	var fields any = &officeFields{}
	if h.kind == models.KindDepartment {
		fields = &departmentFields{}
	}
	body, err := decodeJSONBody(c, fields)
	if err != nil {
		return nil, "", err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, "", err
	}
	if raw, ok := members["message"]; ok {
		if err := json.Unmarshal(raw, &message); err != nil { // null: no message
			return nil, "", err
		}
		delete(members, "message")
	}
	patch, err = json.Marshal(members)
	return patch, message, err
}

// emptyContent is a zero OfficeContent or DepartmentContent.
func (h *contentHandlers) emptyContent() any {
	if h.kind == models.KindDepartment {
		return &models.DepartmentContent{}
	}
	return &models.OfficeContent{}
}

// mergeContent applies a merge patch to current and decodes the result
// into next (an emptyContent).
func mergeContent(current any, patch []byte, next any) error {
	doc, err := json.Marshal(current)
	if err != nil {
		return err
	}
	merged, err := jsonpatch.MergePatch(doc, patch)
	if err != nil {
		return err
	}
	return json.Unmarshal(merged, next)
}

func (h *contentHandlers) create(c *gin.Context) error {
	ctx := c.Request.Context()
	patch, message, err := h.readChange(c)
	if err != nil {
		return err
	}
	next := h.emptyContent()
	if err := mergeContent(next, patch, next); err != nil {
		return err
	}
	var created *models.Draft
	switch n := next.(type) {
	case *models.OfficeContent:
		if !h.permitted(c, nil, policies.ActionCreate) {
			return errForbidden("your role does not allow this here")
		}
		created, err = models.CreateOffice(ctx, h.s.db, actor(c), *n, message)
	case *models.DepartmentContent:
		if err := h.allowCreateIn(c, n.OfficeID); err != nil {
			return err
		}
		created, err = models.CreateDepartment(ctx, h.s.db, actor(c), *n, message)
	}
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/admin/"+h.object+"/"+created.ID)
	writeDraft(c, http.StatusCreated, created)
	return nil
}

// allowCreateIn checks the user may create departments in an office.
func (h *contentHandlers) allowCreateIn(c *gin.Context, officeID string) error {
	if _, err := models.OfficeSlug(c.Request.Context(), h.s.db, officeID); err != nil {
		return invalidField("office_id", "no such office")
	}
	if !h.permitted(c, scopesOf(models.KindOffice, officeID, "").list(), policies.ActionCreate) {
		return errForbidden("your role does not allow this here")
	}
	return nil
}

// update applies a merge patch to the draft. Each changed field is checked
// against the user's rights, so an author cannot rename or move.
func (h *contentHandlers) update(c *gin.Context) error {
	draft, err := h.draftFor(c, policies.ActionUpdate)
	if err != nil {
		return err
	}
	base, err := ifMatch(c, draft.Version)
	if err != nil {
		return err
	}
	patch, message, err := h.readChange(c)
	if err != nil {
		return err
	}
	next := h.emptyContent()
	if err := mergeContent(draft.Content(), patch, next); err != nil {
		return err
	}
	return h.save(c, draft, base, next, message)
}

// save authorizes turning draft into next and stores next as the new
// draft, based on version base, with the revision message. It answers with
// the draft the save's own transaction wrote.
func (h *contentHandlers) save(c *gin.Context, draft *models.Draft, base int, next any, message string) error {
	if err := h.authorizeChange(c, draft, next); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var saved *models.Draft
	var err error
	switch n := next.(type) {
	case *models.OfficeContent:
		saved, err = models.SaveOfficeDraft(ctx, h.s.db, actor(c), draft.ID, base, *n, message)
	case *models.DepartmentContent:
		saved, err = models.SaveDepartmentDraft(ctx, h.s.db, actor(c), draft.ID, base, *n, message)
	}
	if err != nil {
		return err
	}
	writeDraft(c, http.StatusOK, saved)
	return nil
}

// authorizeChange checks every changed field against the user's rights in
// the document's scope. Moving a department also needs the right to move it
// in both offices, as an office-level grant: a grant on the department
// alone cannot carry it into an office where the user has no say.
func (h *contentHandlers) authorizeChange(c *gin.Context, draft *models.Draft, next any) error {
	scopes := scopesOfDraft(draft)
	if err := h.checkFieldRights(c, draft.Content(), next, scopes.list()); err != nil {
		return err
	}
	d, ok := next.(*models.DepartmentContent)
	if !ok || d.OfficeID == draft.Department.OfficeID {
		return nil
	}
	if _, err := models.OfficeSlug(c.Request.Context(), h.s.db, d.OfficeID); err != nil {
		return invalidField("office_id", "no such office")
	}
	user := currentUser(c).ID
	for _, scope := range []string{scopes.office, scopesOf(models.KindOffice, d.OfficeID, "").office} {
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
