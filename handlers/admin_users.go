package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

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

// viewUsers adds to each user its grants, read in one query.
func (s *Server) viewUsers(ctx context.Context, users ...models.User) ([]userView, error) {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	views := make([]userView, len(users))
	if len(users) == 0 {
		return views, nil
	}
	grants, err := policies.ListGrants(ctx, s.db, ids...)
	if err != nil {
		return nil, err
	}
	byUser := map[string][]policies.Grant{}
	for _, g := range grants {
		byUser[g.UserID] = append(byUser[g.UserID], g)
	}
	for i, u := range users {
		views[i] = userView{User: u, Grants: append([]policies.Grant{}, byUser[u.ID]...)}
	}
	return views, nil
}

// writeUser answers with one user and its grants.
func (s *Server) writeUser(c *gin.Context, status int, u *models.User) error {
	views, err := s.viewUsers(c.Request.Context(), *u)
	if err != nil {
		return err
	}
	writeData(c, status, views[0])
	return nil
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
	views, err := s.viewUsers(c.Request.Context(), users...)
	if err != nil {
		return err
	}
	writeList(c, views, total, limit, offset)
	return nil
}

func (s *Server) getUser(c *gin.Context) error {
	u, err := models.GetUser(c.Request.Context(), s.db, c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeUser(c, http.StatusOK, u)
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
	hash, err := s.hashPassword(c.Request.Context(), req.Password)
	if err != nil {
		return err
	}
	u, err := models.CreateAccount(c.Request.Context(), s.db, actor(c),
		models.NewAccount{Email: req.Email, DisplayName: req.DisplayName, PasswordHash: hash})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/admin/users/"+u.ID)
	return s.writeUser(c, http.StatusCreated, u)
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
	change := models.AccountChange{Email: req.Email, DisplayName: req.DisplayName, Active: req.Active}
	if req.Password != nil {
		hash, err := s.hashNewPassword(ctx, c.Param("id"), req.Email, *req.Password)
		if err != nil {
			return err
		}
		change.PasswordHash = &hash
	}
	u, err := models.UpdateAccount(ctx, s.db, actor(c), c.Param("id"), change)
	if err != nil {
		return err
	}
	return s.writeUser(c, http.StatusOK, u)
}

// hashNewPassword checks an admin's new password for account id against
// the password policy (which looks at the email it will sign in with) and
// hashes it, before any transaction starts: hashing is slow on purpose.
func (s *Server) hashNewPassword(ctx context.Context, id string, newEmail *string, password string) (string, error) {
	var email string
	if newEmail != nil {
		email = models.NormalizeEmail(*newEmail)
	} else {
		u, err := models.GetUser(ctx, s.db, id)
		if err != nil {
			return "", err
		}
		email = u.Email
	}
	if err := auth.CheckPasswordPolicy(password, email); err != nil {
		return "", invalidField("password", err.Error())
	}
	return s.hashPassword(ctx, password)
}
