package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// Grants (user, role, scope) and the roles they name. Admin only. The rules
// (the last admin, token versions, the audit log) are in policies.

func (s *Server) listGrants(c *gin.Context) error {
	values, err := adminQuery(c, "user_id")
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	var users []string
	if id := values.Get("user_id"); id != "" {
		users = append(users, id)
	}
	grants, err := policies.ListGrants(c.Request.Context(), s.db, users...)
	if err != nil {
		return err
	}
	total := len(grants)
	grants = grants[min(offset, total):min(offset+limit, total)]
	writeList(c, grants, int64(total), limit, offset)
	return nil
}

type grantRequest struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Scope  string `json:"scope"`
}

func (s *Server) createGrant(c *gin.Context) error {
	var req grantRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := policies.AddGrant(c.Request.Context(), s.db, actor(c), policies.GrantRequest(req))
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/admin/grants/"+strconv.FormatInt(g.ID, 10))
	writeData(c, http.StatusCreated, g)
	return nil
}

func (s *Server) deleteGrant(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound("no such grant")
	}
	_, err = policies.RemoveGrant(c.Request.Context(), s.db, actor(c), id)
	if errors.Is(err, models.ErrNotFound) {
		return errNotFound("no such grant")
	}
	if err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) listRoles(c *gin.Context) error {
	writeData(c, http.StatusOK, policies.Roles())
	return nil
}
