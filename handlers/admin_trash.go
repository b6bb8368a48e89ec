package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// The trash: deleted documents the user may restore, and bringing one back.

type trashItem struct {
	Type      string    `json:"type"`
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	OfficeID  string    `json:"office_id,omitempty"` // departments: where it goes back to
	DeletedAt time.Time `json:"deleted_at"`
}

// listTrash shows a page of the trashed items the user may restore; the
// scopes, order and page are applied in the database.
func (s *Server) listTrash(c *gin.Context) error {
	_, limit, offset, err := adminPage(c)
	if err != nil {
		return err
	}
	user := currentUser(c).ID
	rows, total, err := models.ListTrash(c.Request.Context(), s.db, models.TrashFilter{
		Offices:     s.inScopes(user, policies.ObjectOffices, policies.ActionRestore),
		Departments: s.inScopes(user, policies.ObjectDepartments, policies.ActionRestore),
		Limit:       limit, Offset: offset,
	})
	if err != nil {
		return err
	}
	items := make([]trashItem, len(rows))
	for i, d := range rows {
		items[i] = trashItem{Type: d.Kind.Plural(), ID: d.ID, Slug: d.Slug, Name: d.Name, OfficeID: d.OfficeID, DeletedAt: d.DeletedAt}
	}
	writeList(c, items, total, limit, offset)
	return nil
}

// restoreFromTrash brings a trashed item back as it was, and answers with
// it as restored. Like a live document, one the user may not even read
// answers as an unknown id.
func (s *Server) restoreFromTrash(c *gin.Context) error {
	kind, ok := models.ParseKind(c.Param("type"))
	if !ok {
		return errNotFound("no such type: use offices or departments")
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	d, err := models.GetTrashed(ctx, s.db, kind, id)
	if err != nil {
		return err
	}
	h := &contentHandlers{s: s, kind: kind, object: kind.Plural()}
	if err := h.allowOn(c, scopesOf(kind, d.ID, d.OfficeID), policies.ActionRestore); err != nil {
		return err
	}
	restored, err := models.RestoreFromTrash(ctx, s.db, actor(c), kind, d.ID)
	if err != nil {
		return err
	}
	writeDraft(c, http.StatusOK, restored)
	return nil
}
