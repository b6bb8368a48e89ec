package handlers

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"bureau/auth"
	"bureau/models"
)

// sessionUser is what a request knows about its signed-in user.
type sessionUser struct {
	ID           string
	Email        string
	Active       bool
	TokenVersion int64
	loadedAt     time.Time
}

const sessionUserKey = "session_user"

func currentUser(c *gin.Context) *sessionUser {
	u, _ := c.Get(sessionUserKey)
	su, _ := u.(*sessionUser)
	return su
}

// actor is the audit identity of the request.
func actor(c *gin.Context) models.Actor {
	a := models.Actor{ClientIP: c.ClientIP()}
	if u := currentUser(c); u != nil {
		a.UserID, a.Email = u.ID, u.Email
	}
	return a
}

// userCache keeps each user's token version and activity in memory, so
// authentication needs no query per request. Every change to them drops the
// entry here and, through a database event, on every other instance; the
// short lifetime bounds staleness should an event ever be lost.
type userCache struct {
	mu    sync.RWMutex
	users map[string]*sessionUser
	ttl   time.Duration
	// epoch counts invalidations. A user read from the database is cached
	// only if no invalidation happened during the read; otherwise a logout
	// committed mid-read could put the old token version back.
	epoch uint64
}

func newUserCache() *userCache {
	return &userCache{users: map[string]*sessionUser{}, ttl: 30 * time.Second}
}

func (uc *userCache) get(id string, now time.Time) (*sessionUser, bool) {
	uc.mu.RLock()
	defer uc.mu.RUnlock()
	u, ok := uc.users[id]
	if !ok || now.Sub(u.loadedAt) > uc.ttl {
		return nil, false
	}
	return u, true
}

func (uc *userCache) currentEpoch() uint64 {
	uc.mu.RLock()
	defer uc.mu.RUnlock()
	return uc.epoch
}

// put caches u, read when the epoch was readAt.
func (uc *userCache) put(u *sessionUser, readAt uint64) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	if uc.epoch != readAt {
		return
	}
	if len(uc.users) > 10000 {
		uc.users = map[string]*sessionUser{}
	}
	uc.users[u.ID] = u
}

func (uc *userCache) forget(id string) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	uc.epoch++
	delete(uc.users, id)
}

func (uc *userCache) clear() {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	uc.epoch++
	uc.users = map[string]*sessionUser{}
}

// loadSessionUser reads a user through the cache. A token newer than the
// cached version proves the entry stale (versions only grow: a sign-in just
// after a change made on another instance, before its event arrives), so
// the user is read again.
func (s *Server) loadSessionUser(ctx context.Context, id string, tokenVersion int64) (*sessionUser, error) {
	now := time.Now()
	if u, ok := s.users.get(id, now); ok && u.TokenVersion >= tokenVersion {
		return u, nil
	}
	epoch := s.users.currentEpoch()
	u, err := models.GetUser(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	su := &sessionUser{ID: u.ID, Email: u.Email, Active: u.Active, TokenVersion: u.TokenVersion, loadedAt: now}
	s.users.put(su, epoch)
	return su, nil
}

// authenticate requires a valid access token of an active user whose token
// version still matches: a logout, password change, grant change or
// deactivation bumps the version and so ends every earlier token.
func (s *Server) authenticate(c *gin.Context) {
	fail := func(detail string) {
		c.Header("WWW-Authenticate", `Bearer realm="bureau"`)
		writeProblem(c, errUnauthorized(detail))
	}
	raw, ok := auth.BearerToken(c.GetHeader("Authorization"))
	if !ok {
		fail("sign in and send the access token as Authorization: Bearer <token>")
		return
	}
	claims, err := s.tokens.Parse(raw)
	if err != nil {
		fail("the access token is invalid or expired")
		return
	}
	u, err := s.loadSessionUser(c.Request.Context(), claims.Subject, claims.TokenVersion)
	if errors.Is(err, models.ErrNotFound) || (err == nil && (!u.Active || u.TokenVersion != claims.TokenVersion)) {
		fail("the access token is no longer valid; sign in again")
		return
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Set(sessionUserKey, u)
	c.Next()
}

// requireGlobal admits users allowed action on object in scope "*": the
// check for users, grants, roles, audit and creating offices.
func (s *Server) requireGlobal(object, action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.enforcer.Allow(currentUser(c).ID, nil, object, action) {
			writeProblem(c, errForbidden("your role does not allow this"))
			return
		}
		c.Next()
	}
}

// requireSomeScope admits users allowed action on object in at least one
// scope; the handler then checks the scope of the object it touches.
func (s *Server) requireSomeScope(object, action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if len(s.enforcer.Scopes(currentUser(c).ID, object, action)) == 0 {
			writeProblem(c, errForbidden("your role does not allow this"))
			return
		}
		c.Next()
	}
}

// requireAnyScope admits users allowed action on any of objects somewhere.
func (s *Server) requireAnyScope(action string, objects ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, o := range objects {
			if len(s.enforcer.Scopes(currentUser(c).ID, o, action)) > 0 {
				c.Next()
				return
			}
		}
		writeProblem(c, errForbidden("your role does not allow this"))
	}
}

// HandleEvent applies a change to published content, grants or a user's
// sessions: one this instance committed (handed over by models.Write, see
// models.OnCommit) or one another instance announced (models.Listen).
func (s *Server) HandleEvent(ctx context.Context, payload string) {
	var err error
	switch {
	case payload == models.EventGrants:
		if err = s.enforcer.Reload(); err != nil {
			go s.retry(context.WithoutCancel(ctx), "reload grants", s.enforcer.Reload)
		}
	case strings.HasPrefix(payload, models.EventUser):
		s.users.forget(strings.TrimPrefix(payload, models.EventUser))
	case payload == models.EventAll:
		s.Resync(ctx)
	default:
		if err = s.catalog.Refresh(ctx, payload); err != nil {
			bg := context.WithoutCancel(ctx)
			go s.retry(bg, "reload public content", func() error { return s.catalog.LoadAll(bg) })
		}
	}
	if err != nil {
		s.log.Error("apply change event; retrying", "event", payload, "error", err.Error())
	}
}

// retry runs fn until it succeeds, backing off: until then this instance
// serves stale grants (a revoked one may still count) or stale content.
func (s *Server) retry(ctx context.Context, what string, fn func() error) {
	for wait, tries := time.Second, 0; tries < 30; wait, tries = min(2*wait, 30*time.Second), tries+1 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := fn()
		if err == nil {
			return
		}
		s.log.Error(what+" failed again", "error", err.Error(), "retry_in", wait.String())
	}
}

// Resync reloads every cache from the database, after events may have been
// missed (a lost database connection).
func (s *Server) Resync(ctx context.Context) {
	s.users.clear()
	if err := s.enforcer.Reload(); err != nil {
		s.log.Error("reload grants", "error", err.Error())
	}
	if err := s.catalog.LoadAll(ctx); err != nil {
		s.log.Error("reload public content", "error", err.Error())
	}
}

// adminCORS lets the configured admin origins call the admin and auth API
// with credentials. Same-origin use (the embedded admin) needs none of it.
func (s *Server) adminCORS(c *gin.Context) {
	origin := c.GetHeader("Origin")
	if slices.Contains(s.opts.AdminOrigins, origin) {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "ETag, Location, Retry-After, X-Request-ID")
		if c.Request.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
			h.Set("Access-Control-Max-Age", "600")
		}
	}
	if c.Request.Method == http.MethodOptions {
		// A preflight from an unlisted origin gets no CORS headers, which
		// is the browser's "no".
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

// sameOrigin refuses cookie-authenticated requests sent from foreign pages:
// the refresh cookie is SameSite=Strict already, this is the second lock.
func (s *Server) sameOrigin(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if origin == "" {
		return true // not a browser cross-origin request
	}
	if slices.Contains(s.opts.AdminOrigins, origin) {
		return true
	}
	host := c.Request.Host
	return origin == "http://"+host || origin == "https://"+host
}

// adminPreflight answers CORS preflight requests for the admin and auth API
// before routing (no OPTIONS routes exist there, and Gin runs global
// middleware for unmatched methods too).
func (s *Server) adminPreflight(c *gin.Context) {
	p := c.Request.URL.Path
	if c.Request.Method == http.MethodOptions && (strings.HasPrefix(p, "/api/v1/admin/") || strings.HasPrefix(p, "/api/v1/auth/")) {
		s.adminCORS(c)
		return
	}
	c.Next()
}

// Password hashing capacity. Each argon2id hash holds 64 MiB and keeps two
// cores busy, and sign-in is reachable without an account, so the work is
// bounded: one slot per two cores, at most four (256 MiB), a queue of four
// waiters per slot behind them (what a slot hashes in well under the wait
// even on a busy machine), and a wait of at most a couple of seconds. A request past
// that is answered 503 with Retry-After at once, instead of queueing without
// bound (a burst of 60 logins once took p95 4.9 s and 565 MB). More slots
// than cores would only add memory and latency: the hashes share the CPUs.
const (
	hashWaitersPerSlot = 4
	hashMaxWait        = 2 * time.Second
)

func hashSlots() int { return min(4, max(1, runtime.GOMAXPROCS(0)/2)) }

func newHashGate() *auth.HashGate {
	slots := hashSlots()
	return auth.NewHashGate(slots, slots*hashWaitersPerSlot, hashMaxWait)
}

func hashingBusy() *Problem {
	p := problem(http.StatusServiceUnavailable, "busy", "the server is handling too many sign-ins at once; try again shortly")
	p.retryAfter = 1
	return p
}

// withHashSlot runs fn (a password hash or verification) in a hashing slot,
// or answers 503 when none frees up in time.
func (s *Server) withHashSlot(ctx context.Context, fn func()) error {
	err := s.hashing.Run(ctx, fn)
	if errors.Is(err, auth.ErrHashBusy) {
		s.log.Warn("password hashing at capacity; request refused")
		return hashingBusy()
	}
	return err
}

// hashPassword hashes in one of the bounded hashing slots that sign-ins
// use, whatever asks: sign-in, setup, a password change or an admin setting one.
func (s *Server) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var hashErr error
	if err := s.withHashSlot(ctx, func() { hash, hashErr = auth.HashPasswordWith(password, s.passwords) }); err != nil {
		return "", err
	}
	return hash, hashErr
}
