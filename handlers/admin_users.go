package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
	"bureau/policies"
)

// Accounts, for admins. There is no hard delete: deactivate instead, which
// keeps the audit trail's actors meaningful.

type userView struct {
	models.User
	Grants []policies.Grant `json:"grants"`
}

func (s *Server) viewUser(u models.User) userView {
	grants := s.enforcer.GrantsOf(u.ID)
	if grants == nil {
		grants = []policies.Grant{}
	}
	return userView{User: u, Grants: grants}
}

func (s *Server) listUsers(c *gin.Context) error {
	values, err := adminQuery(c, "q", "active")
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	f := models.UserFilter{Q: strings.TrimSpace(values.Get("q")), Limit: limit, Offset: offset}
	if len(f.Q) > maxQuery {
		return invalidField("q", "must be at most 200 characters")
	}
	switch values.Get("active") {
	case "":
	case "true", "false":
		active := values.Get("active") == "true"
		f.Active = &active
	default:
		return invalidField("active", "must be true or false")
	}
	users, total, err := models.ListUsers(c.Request.Context(), s.db, f)
	if err != nil {
		return err
	}
	views := make([]userView, len(users))
	for i, u := range users {
		views[i] = s.viewUser(u)
	}
	writeList(c, views, total, limit, offset)
	return nil
}

func (s *Server) getUser(c *gin.Context) error {
	u, err := models.GetUser(c.Request.Context(), s.db, c.Param("id"))
	if err != nil {
		return err
	}
	writeData(c, http.StatusOK, s.viewUser(*u))
	return nil
}

type createUserRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

func (s *Server) createUser(c *gin.Context) error {
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := auth.CheckPasswordPolicy(req.Password, req.Email); err != nil {
		return invalidField("password", err.Error())
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	var u *models.User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if u, err = models.CreateUser(ctx, tx, req.Email, req.DisplayName, hash); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "user.create", "user", u.ID, map[string]any{"email": u.Email})
	})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/admin/users/"+u.ID)
	writeData(c, http.StatusCreated, s.viewUser(*u))
	return nil
}

// updateUserRequest holds what an admin may change about an account. Rights
// change only through grants; ids and token versions never through input.
type updateUserRequest struct {
	Email       *string `json:"email"`
	DisplayName *string `json:"display_name"`
	Active      *bool   `json:"active"`
	Password    *string `json:"password"` // an admin's reset: ends the user's sessions
}

func (s *Server) updateUser(c *gin.Context) error {
	var req updateUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	now := time.Now()
	var u *models.User
	endSessions := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if u, err = models.GetUser(ctx, tx, c.Param("id")); err != nil {
			return err
		}
		changed := []string{}
		if req.Email != nil && models.NormalizeEmail(*req.Email) != u.Email {
			email := models.NormalizeEmail(*req.Email)
			if msg := models.AccountEmailError(email); msg != "" {
				return invalidField("email", msg)
			}
			u.Email = email
			changed = append(changed, "email")
		}
		if req.DisplayName != nil {
			name := strings.TrimSpace(*req.DisplayName)
			if len([]rune(name)) > 200 {
				return invalidField("display_name", "must be at most 200 characters")
			}
			u.DisplayName = name
			changed = append(changed, "display_name")
		}
		if req.Password != nil {
			if err := auth.CheckPasswordPolicy(*req.Password, u.Email); err != nil {
				return invalidField("password", err.Error())
			}
			if u.PasswordHash, err = auth.HashPassword(*req.Password); err != nil {
				return err
			}
			endSessions = true
			changed = append(changed, "password")
		}
		if req.Active != nil && *req.Active != u.Active {
			if !*req.Active {
				if err := s.keepAnAdmin(ctx, tx, u.ID); err != nil {
					return err
				}
				endSessions = true
			}
			u.Active = *req.Active
			changed = append(changed, "active")
		}
		if endSessions {
			u.TokenVersion++
			if err := models.RevokeUserRefreshTokens(ctx, tx, u.ID, now); err != nil {
				return err
			}
		}
		if err := models.SaveUser(ctx, tx, u); err != nil {
			return err
		}
		if err := models.Notify(ctx, tx, models.EventUser+u.ID); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "user.update", "user", u.ID, map[string]any{"fields": changed})
	})
	if err != nil {
		return err
	}
	s.applyLocally(ctx, models.EventUser+u.ID)
	writeData(c, http.StatusOK, s.viewUser(*u))
	return nil
}

// keepAnAdmin refuses a change that would leave no active admin: the
// caller is about to deactivate userID or remove its admin grant.
func (s *Server) keepAnAdmin(ctx context.Context, tx *gorm.DB, userID string) error {
	if err := models.LockAccounts(ctx, tx); err != nil {
		return err
	}
	grants, err := policies.ListGrants(tx, userID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(grants, func(g policies.Grant) bool { return g.Role == policies.RoleAdmin }) {
		return nil
	}
	n, err := models.CountActiveAdmins(ctx, tx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return &models.ConflictError{Field: "active", Message: "is the last active admin; make another admin first"}
	}
	return nil
}
