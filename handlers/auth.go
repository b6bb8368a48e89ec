package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
	"bureau/policies"
)

// Sign-in, session refresh, sign-out, and the signed-in user's own account.

const (
	refreshCookie     = "bureau_refresh"
	refreshCookiePath = "/api/v1/auth"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type tokenResponse struct {
	AccessToken string      `json:"access_token"`
	TokenType   string      `json:"token_type"`
	ExpiresIn   int         `json:"expires_in"`
	User        models.User `json:"user"`
}

// invalidLogin is the one answer to a wrong email, a wrong password and an
// inactive account, so none of them can be told apart.
func invalidLogin() *Problem {
	return errUnauthorized("the email or password is not correct")
}

func tooManyAttempts(retryAfter time.Duration) *Problem {
	p := problem(http.StatusTooManyRequests, "rate-limited", "too many sign-in attempts; try again later")
	p.retryAfter = max(1, int(retryAfter.Seconds()+0.999))
	return p
}

func (s *Server) login(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	bad := []models.FieldError{}
	if strings.TrimSpace(req.Email) == "" || len(req.Email) > 254 {
		bad = append(bad, models.FieldError{Field: "email", Message: "is required"})
	}
	if req.Password == "" || len(req.Password) > 4*auth.MaxPasswordLength {
		bad = append(bad, models.FieldError{Field: "password", Message: "is required"})
	}
	if len(bad) > 0 {
		return errInvalid(bad...)
	}
	now := time.Now()
	ip := c.ClientIP()
	email := models.NormalizeEmail(req.Email)
	ctx := c.Request.Context()
	attempt, err := s.admitLogin(ctx, ip, email, now)
	if err != nil {
		return err
	}
	u, err := models.GetUserByEmail(ctx, s.db, req.Email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		attempt.cancelled(ctx, now)
		return err
	}
	verified := false
	err = s.withHashSlot(ctx, func() {
		if u == nil {
			auth.EqualizeTimingWith(s.passwords, req.Password) // same time as a real check
			return
		}
		var verr error
		if verified, verr = auth.VerifyPassword(u.PasswordHash, req.Password); verr != nil {
			s.log.Error("stored password hash is unreadable", "user_id", u.ID)
			verified = false
		}
	})
	if err != nil {
		attempt.cancelled(ctx, now)
		return err
	}
	if !verified || !u.Active {
		if err := attempt.failed(ctx, now); err != nil {
			return err
		}
		// The attempted email helps spot guessing; anything that is not an
		// email (a password typed in the wrong field) is not recorded.
		attempted := email
		if !models.ValidEmail(attempted) {
			attempted = "(not an email address)"
		}
		detail := map[string]any{"email": attempted}
		target := ""
		if u != nil {
			target = u.ID
		}
		if err := models.RecordAudit(ctx, s.db, models.Actor{ClientIP: ip}, "auth.login_failed", "user", target, detail); err != nil {
			return err
		}
		return invalidLogin()
	}
	if err := attempt.succeeded(ctx, now); err != nil {
		return err
	}
	err = models.Write(ctx, s.db, func(tx *gorm.DB) error {
		if err := models.TouchLogin(ctx, tx, u.ID, now.UTC()); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, models.Actor{UserID: u.ID, Email: u.Email, ClientIP: ip}, "auth.login", "user", u.ID, nil)
	})
	if err != nil {
		return err
	}
	at := now.UTC()
	u.LastLoginAt = &at
	return s.startSession(c, u, now)
}

// startSession issues an access token and a new refresh-token family.
func (s *Server) startSession(c *gin.Context, u *models.User, now time.Time) error {
	plain, digest, err := auth.NewRefreshToken()
	if err != nil {
		return err
	}
	expires := now.Add(s.refreshTTL)
	if err := models.StartRefreshFamily(c.Request.Context(), s.db, u.ID, digest, expires); err != nil {
		return err
	}
	return s.writeTokens(c, u, plain, expires, now)
}

func (s *Server) writeTokens(c *gin.Context, u *models.User, refreshPlain string, refreshExpires, now time.Time) error {
	s.enforcer.CatchUp(c.Request.Context(), u.ID) // rights hold from the first request with this token
	access, expiresAt, err := s.tokens.Issue(u.ID, u.TokenVersion, now)
	if err != nil {
		return err
	}
	s.setRefreshCookie(c, refreshPlain, refreshExpires)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   int(expiresAt.Sub(now).Seconds()),
		User:        *u,
	})
	return nil
}

func (s *Server) setRefreshCookie(c *gin.Context, value string, expires time.Time) {
	cookie := &http.Cookie{
		Name:     refreshCookie,
		Value:    value,
		Path:     refreshCookiePath,
		HttpOnly: true,
		Secure:   s.opts.Production,
		SameSite: http.SameSiteStrictMode,
	}
	if value == "" {
		cookie.MaxAge = -1
	} else {
		cookie.Expires = expires
		cookie.MaxAge = int(time.Until(expires).Seconds())
	}
	http.SetCookie(c.Writer, cookie)
}

func (s *Server) refresh(c *gin.Context) error {
	if !s.sameOrigin(c) {
		return errForbidden("cross-origin requests may not use the session cookie")
	}
	presented, err := c.Cookie(refreshCookie)
	if err != nil || presented == "" {
		return errUnauthorized("no session: sign in")
	}
	ctx := c.Request.Context()
	now := time.Now()
	plain, digest, err := auth.NewRefreshToken()
	if err != nil {
		return err
	}
	expires := now.Add(s.refreshTTL)
	userID, err := models.RotateRefreshToken(ctx, s.db, auth.RefreshTokenDigest(presented), digest, expires, now)
	switch {
	case errors.Is(err, models.ErrRefreshReused):
		// A spent token came back: someone holds a copy. The family is
		// revoked; record it and make the user sign in again.
		_ = models.RecordAudit(ctx, s.db, models.Actor{ClientIP: c.ClientIP()}, "auth.refresh_reused", "user", userID, nil)
		s.setRefreshCookie(c, "", now)
		return errUnauthorized("this session was ended because its refresh token was used twice; sign in again")
	case errors.Is(err, models.ErrRefreshInvalid):
		s.setRefreshCookie(c, "", now)
		return errUnauthorized("the session has expired; sign in again")
	case err != nil:
		return err
	}
	u, err := models.GetUser(ctx, s.db, userID)
	if err != nil || !u.Active {
		s.setRefreshCookie(c, "", now)
		return errUnauthorized("the session has expired; sign in again")
	}
	return s.writeTokens(c, u, plain, expires, now)
}

// logout ends this session and every access token of the user, which
// takes effect on the very next request. The session is the refresh family
// of the cookie sent along; without that cookie (a script holding only the
// access token, a cookie already cleared) there is no telling which family
// is this session, so every refresh family of the user is ended: a sign-out
// must never leave a refresh token able to mint new access tokens.
func (s *Server) logout(c *gin.Context) error {
	if !s.sameOrigin(c) {
		return errForbidden("cross-origin requests may not use the session cookie")
	}
	ctx := c.Request.Context()
	now := time.Now()
	u := currentUser(c)
	presented, _ := c.Cookie(refreshCookie)
	err := models.Write(ctx, s.db, func(tx *gorm.DB) error {
		ended := false
		if presented != "" {
			var err error
			if ended, err = models.RevokeRefreshToken(ctx, tx, u.ID, auth.RefreshTokenDigest(presented), now); err != nil {
				return err
			}
		}
		if !ended {
			if err := models.RevokeUserRefreshTokens(ctx, tx, u.ID, now); err != nil {
				return err
			}
		}
		if err := models.BumpTokenVersion(ctx, tx, u.ID); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "auth.logout", "user", u.ID, map[string]any{"all_sessions": !ended})
	})
	if err != nil {
		return err
	}
	s.setRefreshCookie(c, "", now)
	c.Status(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User        models.User           `json:"user"`
	Grants      []policies.Grant      `json:"grants"`
	Permissions []policies.Permission `json:"permissions"`
}

func (s *Server) me(c *gin.Context) error {
	u, err := models.GetUser(c.Request.Context(), s.db, currentUser(c).ID)
	if err != nil {
		return err
	}
	grants, err := policies.ListGrants(c.Request.Context(), s.db, u.ID)
	if err != nil {
		return err
	}
	writeData(c, http.StatusOK, meResponse{User: *u, Grants: grants, Permissions: policies.PermissionsOf(grants)})
	return nil
}

// profileRequest is all a user may change about themselves: never email,
// activity or rights.
type profileRequest struct {
	DisplayName *string `json:"display_name"`
}

func (s *Server) updateProfile(c *gin.Context) error {
	var req profileRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var u *models.User
	err := models.Write(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if u, err = models.GetUser(ctx, tx, currentUser(c).ID); err != nil {
			return err
		}
		if req.DisplayName == nil {
			return nil
		}
		name := strings.TrimSpace(*req.DisplayName)
		if len([]rune(name)) > 200 {
			return invalidField("display_name", "must be at most 200 characters")
		}
		u.DisplayName = name
		if err := models.SaveUser(ctx, tx, u); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "user.update_profile", "user", u.ID, map[string]any{"fields": []string{"display_name"}})
	})
	if err != nil {
		return err
	}
	writeData(c, http.StatusOK, u)
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword needs the current password, ends every other session and
// returns fresh tokens for this one.
func (s *Server) changePassword(c *gin.Context) error {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	now := time.Now()
	u, err := models.GetUser(ctx, s.db, currentUser(c).ID)
	if err != nil {
		return err
	}
	// Guessing the current password with a stolen access token is held to
	// the sign-in limits of this address and account.
	attempt, err := s.admitLogin(ctx, c.ClientIP(), u.Email, now)
	if err != nil {
		return err
	}
	var current bool
	if err := s.withHashSlot(ctx, func() { current, _ = auth.VerifyPassword(u.PasswordHash, req.CurrentPassword) }); err != nil {
		attempt.cancelled(ctx, now)
		return err
	}
	if !current {
		if err := attempt.failed(ctx, now); err != nil {
			return err
		}
		_ = models.RecordAudit(ctx, s.db, actor(c), "auth.password_change_failed", "user", u.ID, nil)
		return invalidField("current_password", "is not correct")
	}
	attempt.cancelled(ctx, now)
	if err := auth.CheckPasswordPolicy(req.NewPassword, u.Email); err != nil {
		return invalidField("new_password", err.Error())
	}
	hash, err := s.hashPassword(ctx, req.NewPassword)
	if err != nil {
		return err
	}
	err = models.Write(ctx, s.db, func(tx *gorm.DB) error {
		u.PasswordHash = hash
		u.TokenVersion++
		if err := models.SaveUser(ctx, tx, u); err != nil {
			return err
		}
		if err := models.RevokeUserRefreshTokens(ctx, tx, u.ID, now); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor(c), "auth.password_change", "user", u.ID, nil)
	})
	if err != nil {
		return err
	}
	return s.startSession(c, u, now)
}
