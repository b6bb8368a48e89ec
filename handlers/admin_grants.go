package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/models"
	"bureau/policies"
)

// Grants (user, role, scope) and the roles they name. Admin only.

func (s *Server) listGrants(c *gin.Context) error {
	values, err := adminQuery(c, "user_id")
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	grants, err := policies.ListGrants(s.db.WithContext(c.Request.Context()), values.Get("user_id"))
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
	ctx := c.Request.Context()
	var g policies.Grant
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := models.GetUser(ctx, tx, req.UserID); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return invalidField("user_id", "no such user")
			}
			return err
		}
		var err error
		if g, err = policies.AddGrant(tx, policies.Grant{UserID: req.UserID, Role: req.Role, Scope: req.Scope}); err != nil {
			return grantError(err)
		}
		// Existing tokens keep working (authorization reads grants live),
		// but the version bump keeps "a role change ends old tokens" true.
		if err := models.BumpTokenVersion(ctx, tx, req.UserID); err != nil {
			return err
		}
		if err := models.Notify(ctx, tx, models.EventGrants); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "grant.create", "user", req.UserID,
			map[string]any{"grant_id": g.ID, "role": g.Role, "scope": g.Scope})
	})
	if err != nil {
		return err
	}
	s.applyLocally(ctx, models.EventGrants, models.EventUser+req.UserID)
	c.Header("Location", "/api/v1/admin/grants/"+strconv.FormatInt(g.ID, 10))
	writeData(c, http.StatusCreated, g)
	return nil
}

func (s *Server) deleteGrant(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound("no such grant")
	}
	ctx := c.Request.Context()
	var g policies.Grant
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.LockAccounts(ctx, tx); err != nil {
			return err
		}
		var err error
		if g, err = policies.RemoveGrant(tx, id); err != nil {
			return grantError(err)
		}
		if g.Role == policies.RoleAdmin {
			n, err := models.CountActiveAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if n == 0 {
				return &models.ConflictError{Field: "role", Message: "this is the last active admin's grant; make another admin first"}
			}
		}
		if err := models.BumpTokenVersion(ctx, tx, g.UserID); err != nil {
			return err
		}
		if err := models.Notify(ctx, tx, models.EventGrants); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "grant.delete", "user", g.UserID,
			map[string]any{"grant_id": g.ID, "role": g.Role, "scope": g.Scope})
	})
	if err != nil {
		return err
	}
	s.applyLocally(ctx, models.EventGrants, models.EventUser+g.UserID)
	c.Status(http.StatusNoContent)
	return nil
}

func grantError(err error) error {
	var invalid *policies.ValidationError
	switch {
	case errors.As(err, &invalid):
		return invalidField(invalid.Field, invalid.Message)
	case errors.Is(err, policies.ErrGrantExists):
		return &models.ConflictError{Field: "role", Message: "the user already holds this role in this scope"}
	case errors.Is(err, policies.ErrGrantNotFound):
		return errNotFound("no such grant")
	}
	return err
}

func (s *Server) listRoles(c *gin.Context) error {
	writeData(c, http.StatusOK, policies.Roles())
	return nil
}
