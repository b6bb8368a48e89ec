package handlers

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
	"bureau/policies"
)

// First-run setup in the browser. While no account exists, `bureau serve`
// makes a random one-time token and prints the link /admin/setup#<token>
// (the fragment never reaches a server, so no access log holds it). The
// token creates the first admin once; after that, or once any account
// exists by other means (the CLI), it opens nothing.

// setupGate holds the one-time token of this process.
type setupGate struct {
	mu    sync.Mutex
	token string // "" once used, or when accounts existed at start
}

// take reports whether presented is the live token, and uses it up.
func (g *setupGate) take(presented string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.token == "" || subtle.ConstantTimeCompare([]byte(presented), []byte(g.token)) != 1 {
		return false
	}
	g.token = ""
	return true
}

// giveBack makes the token usable again after a setup that failed on bad
// input, so a typo in the password does not burn the link.
func (g *setupGate) giveBack(token string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.token = token
}

// maxDisplayName matches the limit models.CreateUser enforces, checked here
// too so one answer names every bad field.
const maxDisplayName = 200

type setupRequest struct {
	Token       string `json:"token"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
}

func setupClosed() *Problem {
	return errForbidden("this setup link is not valid: it was used already, or an account exists; sign in instead")
}

func (s *Server) setup(c *gin.Context) error {
	var req setupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The token is checked before the fields, so a stranger learns nothing
	// about them; it is taken at once, so two tabs cannot both use it.
	if !s.setupGate.take(req.Token) {
		return setupClosed()
	}
	spent := false
	defer func() {
		if !spent {
			s.setupGate.giveBack(req.Token)
		}
	}()
	bad := &models.ValidationError{}
	if msg := models.AccountEmailError(req.Email); msg != "" {
		bad.Add("email", "%s", msg)
	}
	if utf8.RuneCountInString(strings.TrimSpace(req.DisplayName)) > maxDisplayName {
		bad.Add("display_name", "must be at most %d characters", maxDisplayName)
	}
	if err := auth.CheckPasswordPolicy(req.Password, req.Email); err != nil {
		bad.Add("password", "%s", err.Error())
	}
	if err := bad.Err(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var hash string
	var hashErr error
	if err := s.withHashSlot(ctx, func() { hash, hashErr = auth.HashPassword(req.Password) }); err != nil {
		return err
	}
	if hashErr != nil {
		return hashErr
	}
	now := time.Now()
	var u *models.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := models.LockAccounts(ctx, tx); err != nil {
			return err
		}
		n, err := models.CountUsers(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return setupClosed()
		}
		if u, err = models.CreateUser(ctx, tx, req.Email, req.DisplayName, hash); err != nil {
			return err
		}
		if _, err := policies.AddGrant(tx, policies.Grant{UserID: u.ID, Role: policies.RoleAdmin, Scope: policies.ScopeAll}); err != nil {
			return err
		}
		if err := models.TouchLogin(ctx, tx, u.ID, now.UTC()); err != nil {
			return err
		}
		if err := models.Notify(ctx, tx, models.EventGrants); err != nil {
			return err
		}
		a := models.Actor{UserID: u.ID, Email: u.Email, ClientIP: c.ClientIP()}
		return models.RecordAudit(ctx, tx, a, "user.create", "user", u.ID,
			map[string]any{"email": u.Email, "role": policies.RoleAdmin, "scope": policies.ScopeAll, "via": "setup"})
	})
	var p *Problem
	if errors.As(err, &p) && p.Status == http.StatusForbidden {
		spent = true // an account exists (made by the CLI, or another instance): the link is over
	}
	if err != nil {
		return err
	}
	spent = true
	at := now.UTC()
	u.LastLoginAt = &at
	s.applyLocally(ctx, models.EventGrants)
	return s.startSession(c, u, now)
}
