package handlers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
	"bureau/policies"
)

// Shared pieces of the security suite (security_*_test.go, fuzz_login_test.go):
// a real server over a real database, built the way cmd/bureau/serve.go
// builds it, users made straight in the database, and a request helper that
// checks every answer for leaked secrets.

// secParams make hashing cheap: the suite signs in hundreds of times.
var secParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const (
	secSecret   = "security-suite-signing-secret-0123456789abcdef"
	secIssuer   = "bureau"
	secAudience = "bureau-admin"
	secTTL      = 5 * time.Minute
	// secPeer is the address httptest gives every request.
	secPeer = "192.0.2.1"
)

// secLeaks must never appear in an answer, unless the request itself sent
// them (a 400 naming the unknown field "password_hash" only echoes the client).
var secLeaks = []string{"password_hash", "$argon2id$", "token_version"}

// secLogBuffer is a goroutine-safe log sink.
type secLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *secLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *secLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secEnv is one server over one fresh, migrated and seeded database.
type secEnv struct {
	t        testing.TB
	db       *gorm.DB
	url      string // opens the same database, as another process would
	srv      *handlers.Server
	router   *gin.Engine
	tokens   *auth.Tokens
	enforcer *policies.Enforcer
	log      *secLogBuffer
	// occs is the demo office; ecce one of its departments.
	occs, ecce string
}

type secConfig struct {
	opts  func(*handlers.Options)
	deps  func(*handlers.Deps) // e.g. a setup token or admin files
	quiet bool                 // discard the server log instead of keeping it in env.log
}

// secEach runs fn once per database target with a fresh environment.
func secEach(t *testing.T, fn func(t *testing.T, env *secEnv)) {
	t.Helper()
	secEachWith(t, secConfig{}, fn)
}

func secEachWith(t *testing.T, cfg secConfig, fn func(t *testing.T, env *secEnv)) {
	t.Helper()
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			env := secNewEnv(t, dbtest.Migrated(t, target.URL), cfg)
			env.url = target.URL
			fn(t, env)
		})
	}
}

func secNewEnv(t testing.TB, db *gorm.DB, cfg secConfig) *secEnv {
	t.Helper()
	ctx := context.Background()
	if _, err := models.SeedDemo(ctx, db); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	env := &secEnv{t: t, db: db, log: &secLogBuffer{}}
	env.occs = secDocID(t, db, "offices", "occs")
	env.ecce = secDocID(t, db, "departments", "ecce")
	env.build(cfg)
	return env
}

// build (re)creates the server: a new one has fresh rate limiters and caches.
func (env *secEnv) build(cfg secConfig) {
	t := env.t
	t.Helper()
	log := slog.New(slog.NewJSONHandler(env.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if cfg.quiet {
		log = slog.New(slog.DiscardHandler)
	}
	cat := catalog.New(env.db, log)
	if err := cat.LoadAll(context.Background()); err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte(secSecret), Issuer: secIssuer, Audience: secAudience, TTL: secTTL})
	if err != nil {
		t.Fatalf("tokens: %v", err)
	}
	enforcer, err := policies.NewEnforcer(env.db)
	if err != nil {
		t.Fatalf("enforcer: %v", err)
	}
	opts := handlers.DefaultOptions()
	if cfg.opts != nil {
		cfg.opts(&opts)
	}
	env.tokens, env.enforcer = tokens, enforcer
	deps := handlers.Deps{
		DB: env.db, Catalog: cat, Log: log, Options: opts,
		Tokens: tokens, Enforcer: enforcer, RefreshTTL: time.Hour,
	}
	if cfg.deps != nil {
		cfg.deps(&deps)
	}
	env.srv = handlers.NewServer(deps)
	if err := models.OnCommit(deps.DB, env.srv.HandleEvent); err != nil {
		t.Fatal(err)
	}
	env.router = env.srv.Router()
}

func secDocID(t testing.TB, db *gorm.DB, table, slug string) string {
	t.Helper()
	var id string
	if err := db.Table(table).Select("id").Where("slug = ?", slug).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("find %s %q: %v", table, slug, err)
	}
	return id
}

// secUser is an account made for a test, with its password and a token.
type secUser struct {
	ID       string
	Email    string
	Password string
	Token    string
}

// user creates an active account holding the given grants, each "role scope"
// (e.g. "editor office:occs"), and issues it an access token.
func (env *secEnv) user(email string, grants ...string) *secUser {
	t := env.t
	t.Helper()
	ctx := context.Background()
	password := "correct horse battery " + email
	hash, err := auth.HashPasswordWith(password, secParams)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	u, err := models.CreateUser(ctx, env.db, email, "User "+email, hash)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	for _, g := range grants {
		role, scope, _ := strings.Cut(g, " ")
		if _, err := policies.AddGrant(context.Background(), env.db, models.System, policies.GrantRequest{UserID: u.ID, Role: role, Scope: scope}); err != nil {
			t.Fatalf("grant %s to %s: %v", g, email, err)
		}
	}
	if err := env.enforcer.Reload(); err != nil {
		t.Fatalf("reload enforcer: %v", err)
	}
	su := &secUser{ID: u.ID, Email: u.Email, Password: password}
	su.Token = env.issue(u.ID)
	return su
}

// issue signs a real access token for the user's current token version.
func (env *secEnv) issue(userID string) string {
	env.t.Helper()
	tok, _, err := env.tokens.Issue(userID, env.tokenVersion(userID), time.Now())
	if err != nil {
		env.t.Fatalf("issue: %v", err)
	}
	return tok
}

func (env *secEnv) tokenVersion(userID string) int64 {
	env.t.Helper()
	u, err := models.GetUser(context.Background(), env.db, userID)
	if err != nil {
		env.t.Fatalf("get user: %v", err)
	}
	return u.TokenVersion
}

// secReq is one request of the suite.
type secReq struct {
	Method  string
	Path    string
	Token   string
	Body    any // string, []byte or a value marshalled as JSON
	Header  map[string]string
	Cookies []*http.Cookie
	Remote  string // RemoteAddr; httptest's 192.0.2.1:1234 when empty
}

type secResp struct {
	Code    int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

func (r *secResp) String() string {
	return fmt.Sprintf("%d %s", r.Code, r.Body)
}

// json decodes the body into a generic map (nil if it is not an object).
func (r *secResp) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// fields lists the "field" of each entry of a problem's errors.
func (r *secResp) fields() []string {
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func (r *secResp) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func secBody(b any) []byte {
	switch v := b.(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	case []byte:
		return v
	default:
		out, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return out
	}
}

// secServe sends one request through h and checks the answer leaks nothing.
func secServe(t testing.TB, h http.Handler, r secReq) *secResp {
	t.Helper()
	body := secBody(r.Body)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(r.Method, r.Path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	for _, c := range r.Cookies {
		req.AddCookie(c)
	}
	if r.Remote != "" {
		req.RemoteAddr = r.Remote
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	out := &secResp{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), Cookies: res.Cookies()}
	for _, leak := range secLeaks {
		if bytes.Contains(out.Body, []byte(leak)) && !bytes.Contains(body, []byte(leak)) {
			t.Errorf("%s %s: the answer contains %q: %s", r.Method, r.Path, leak, out.Body)
		}
	}
	if out.Code >= 500 {
		t.Errorf("%s %s: server error %s", r.Method, r.Path, out)
	}
	return out
}

func (env *secEnv) do(r secReq) *secResp {
	env.t.Helper()
	return secServe(env.t, env.router, r)
}

// login signs in through the API and returns the access token and the
// refresh cookie.
func (env *secEnv) login(u *secUser) (string, *http.Cookie) {
	env.t.Helper()
	res := env.do(secReq{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": u.Password}})
	if res.Code != http.StatusOK {
		env.t.Fatalf("login %s: %s", u.Email, res)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(res.Body, &tr); err != nil || tr.AccessToken == "" {
		env.t.Fatalf("login %s: no access token in %s", u.Email, res.Body)
	}
	return tr.AccessToken, res.cookie("bureau_refresh")
}

// etag reads a document as admin and returns its ETag.
func (env *secEnv) etag(token, path string) string {
	env.t.Helper()
	res := env.do(secReq{Method: "GET", Path: path, Token: token})
	if res.Code != http.StatusOK || res.Header.Get("ETag") == "" {
		env.t.Fatalf("GET %s: %s", path, res)
	}
	return res.Header.Get("ETag")
}

// secExpectProblem checks an answer is a problem+json with the status.
func secExpectProblem(t testing.TB, what string, res *secResp, status int) {
	t.Helper()
	if res.Code != status {
		t.Errorf("%s: status %d, want %d: %s", what, res.Code, status, res.Body)
		return
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(res.Body, &p); err != nil || p.Status != status || p.Type == "" {
		t.Errorf("%s: not a problem document with status %d: %s", what, status, res.Body)
	}
}

// grantsOf reads userID's stored grants.
func (env *secEnv) grantsOf(t testing.TB, userID string) []policies.Grant {
	t.Helper()
	grants, err := policies.ListGrants(context.Background(), env.db, userID)
	if err != nil {
		t.Fatalf("list grants: %v", err)
	}
	return grants
}

// secSnapshotTables are the tables a refused request must leave alone.
// audit_events and refresh_tokens are left out: recording an attempt, or
// revoking a session because of it, is a legitimate change.
var secSnapshotTables = []string{"users", "grants", "offices", "departments", "revisions"}

// secSnapshot is each table's row count and a hash of its rows.
func secSnapshot(t testing.TB, db *gorm.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range secSnapshotTables {
		rows, err := db.Raw("SELECT * FROM " + table + " ORDER BY id").Rows()
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("snapshot %s: %v", table, err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(h, "%s=%v\x1f", cols[i], v)
			}
			h.Write([]byte{'\n'})
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		_ = rows.Close()
		out[table] = fmt.Sprintf("%d rows, %s", n, hex.EncodeToString(h.Sum(nil))[:16])
	}
	return out
}
