package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/policies"
)

// Previews: a draft in the public shape, before it is published.

// preview renders the draft in the public shape.
func (h *contentHandlers) preview(c *gin.Context) error {
	ctx := c.Request.Context()
	draft, err := h.draftFor(c, policies.ActionRead)
	if err != nil {
		return err
	}
	var body []byte
	if h.kind == models.KindOffice {
		rows, contents, err := models.DepartmentDrafts(ctx, h.s.db, draft.ID)
		if err != nil {
			return err
		}
		deps := make([]catalog.DraftDepartment, len(rows))
		for i, r := range rows {
			deps[i] = catalog.DraftDepartment{ID: r.ID, Content: contents[i], UpdatedAt: r.UpdatedAt.UTC()}
		}
		body = catalog.PreviewOffice(draft.ID, *draft.Office, draft.UpdatedAt.UTC(), deps)
	} else {
		office, err := h.officeAsSeenBy(c, draft.Department.OfficeID)
		if err != nil {
			return err
		}
		body = catalog.PreviewDepartment(catalog.DraftDepartment{ID: draft.ID, Content: *draft.Department, UpdatedAt: draft.UpdatedAt.UTC()},
			draft.Department.OfficeID, office)
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
	if h.s.enforcer.Allow(currentUser(c).ID, scopesOf(models.KindOffice, officeID, "").list(), policies.ObjectOffices, policies.ActionRead) {
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
