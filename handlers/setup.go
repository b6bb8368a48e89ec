package handlers

import (
	"crypto/subtle"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

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
	hash, err := s.hashPassword(ctx, req.Password)
	if err != nil {
		return err
	}
	now := time.Now()
	u, err := policies.CreateFirstAdmin(ctx, s.db, models.NewAccount{Email: req.Email, DisplayName: req.DisplayName, PasswordHash: hash}, c.ClientIP(), now)
	if errors.Is(err, models.ErrAccountsExist) {
		spent = true // an account exists (made by the CLI, or another instance): the link is over
		return setupClosed()
	}
	if err != nil {
		return err
	}
	spent = true
	return s.startSession(c, u, now)
}
