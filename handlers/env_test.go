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
	"os"
	"slices"
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

// The one test harness of the HTTP layer: newEnv builds a real server over a
// private copy of a migrated database holding the demo content, wired the way
// cmd/bureau/serve.go wires it. Every request sent through an env is checked
// against the OpenAPI document (openapi_test.go), and no answer may leak a
// secret or be a server error unless the request says so.
//
// A test that runs on both databases uses eachDB; its subtests run in
// parallel, each on its own copy, so the outer test must use t.Cleanup, not
// defer, for anything the subtests need.

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // as cmd/bureau sets it
	os.Exit(dbtest.Main(m))
}

// cheapHashing makes password hashing cheap: tests sign in hundreds of
// times, and production parameters cost a second per hash under -race.
var cheapHashing = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// The token settings every env shares, so two envs over one database (two
// instances) accept each other's tokens.
const (
	envSecret   = "harness-signing-secret-0123456789abcdef-0123"
	envIssuer   = "bureau"
	envAudience = "bureau-admin"
	envTokenTTL = 5 * time.Minute
	// envRequestTimeout turns a deadlock in a handler into a failed test
	// instead of a hung suite.
	envRequestTimeout = 20 * time.Second
	// envPeer is the client address httptest gives every request.
	envPeer = "192.0.2.1"
)

// envLeaks must never appear in an answer, unless the request itself sent
// them (a 400 naming the unknown field "password_hash" only echoes it).
var envLeaks = []string{"password_hash", "$argon2id$", "token_version"}

// envConfig is what newEnv's options set.
type envConfig struct {
	engine  string // "sqlite" (default) or "postgres"
	shared  *testEnv
	opts    []func(*handlers.Options)
	deps    []func(*handlers.Deps)
	quiet   bool
	listen  bool
	noCheck bool
	open    models.OpenOptions
	via     func(url string) string
}

type envOption func(*envConfig)

// onEngine picks the database engine.
func onEngine(engine string) envOption { return func(c *envConfig) { c.engine = engine } }

// sharingDatabase makes the env a second instance over other's database,
// with its own connection pool, caches and server.
func sharingDatabase(other *testEnv) envOption { return func(c *envConfig) { c.shared = other } }

// withOptions changes the server's options (production, CORS origins, proxies).
func withOptions(fn func(*handlers.Options)) envOption {
	return func(c *envConfig) { c.opts = append(c.opts, fn) }
}

// withDeps changes the server's dependencies (a setup token, admin files).
func withDeps(fn func(*handlers.Deps)) envOption {
	return func(c *envConfig) { c.deps = append(c.deps, fn) }
}

// withOpenOptions opens the env's database as serve does with these
// options (a statement timeout, say).
func withOpenOptions(o models.OpenOptions) envOption { return func(c *envConfig) { c.open = o } }

// connectingVia rewrites the URL the env connects to its database with: a
// proxy's address, or an application_name to find its connections by.
func connectingVia(rewrite func(url string) string) envOption {
	return func(c *envConfig) { c.via = rewrite }
}

// withQuietLog discards the server log instead of keeping it in env.log.
func withQuietLog() envOption { return func(c *envConfig) { c.quiet = true } }

// withEventListener listens for other instances' change events, as serve
// does, and waits until the listener is connected.
func withEventListener() envOption { return func(c *envConfig) { c.listen = true } }

// withoutContractCheck skips the OpenAPI checks of every exchange: for fuzz
// targets, whose inputs are random on purpose.
func withoutContractCheck() envOption { return func(c *envConfig) { c.noCheck = true } }

// testEnv is one server over one database.
type testEnv struct {
	t        testing.TB
	cfg      envConfig
	engine   string
	url      string
	db       *gorm.DB
	catalog  *catalog.Catalog
	srv      *handlers.Server
	router   *gin.Engine
	tokens   *auth.Tokens
	enforcer *policies.Enforcer
	log      *syncBuffer
	// occs is the demo office's id; ecce one of its departments'.
	occs, ecce string
}

// eachDB runs fn once per database engine, as parallel subtests, each with
// a new env.
func eachDB(t *testing.T, fn func(t *testing.T, env *testEnv), opts ...envOption) {
	t.Helper()
	eachEngine(t, func(t *testing.T, engine string) {
		fn(t, newEnv(t, append([]envOption{onEngine(engine)}, opts...)...))
	})
}

// eachEngine runs fn once per database engine, as parallel subtests, for a
// test that builds its envs itself (with a dependency of its own, say).
func eachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range dbtest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

// newEnv builds a server over a private seeded database (SQLite unless
// onEngine says otherwise).
func newEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	cfg := envConfig{engine: "sqlite"}
	for _, o := range opts {
		o(&cfg)
	}
	env := &testEnv{t: t, cfg: cfg, log: &syncBuffer{}}
	if cfg.shared != nil {
		env.engine, env.url = cfg.shared.engine, cfg.shared.url
	} else {
		target := dbtest.SeededOn(t, cfg.engine)
		env.engine, env.url = target.Name, target.URL
	}
	if cfg.via != nil {
		env.url = cfg.via(env.url)
	}
	db, err := models.OpenWith(context.Background(), env.url, nil, cfg.open)
	if err != nil {
		t.Fatalf("open %s: %v", env.url, err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	env.db = db
	env.occs = env.docID("offices", "occs")
	env.ecce = env.docID("departments", "ecce")
	env.build()
	return env
}

// build (re)creates the server: a new one has fresh rate limiters and caches.
func (env *testEnv) build() {
	t := env.t
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(env.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if env.cfg.quiet {
		log = slog.New(slog.DiscardHandler)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte(envSecret), Issuer: envIssuer, Audience: envAudience, TTL: envTokenTTL})
	if err != nil {
		t.Fatalf("tokens: %v", err)
	}
	cat := catalog.New(env.db, log)
	enforcer, err := policies.NewEnforcer(env.db)
	if err != nil {
		t.Fatalf("enforcer: %v", err)
	}
	opts := handlers.DefaultOptions()
	for _, fn := range env.cfg.opts {
		fn(&opts)
	}
	deps := handlers.Deps{
		DB: env.db, Catalog: cat, Log: log, Options: opts,
		Tokens: tokens, Enforcer: enforcer, RefreshTTL: time.Hour,
		PasswordParams: cheapHashing,
	}
	for _, fn := range env.cfg.deps {
		fn(&deps)
	}
	srv := handlers.NewServer(deps)
	// As serve wires it: committed writes reach this server's caches.
	if err := models.OnCommit(env.db, srv.HandleEvent); err != nil {
		t.Fatalf("wire change events: %v", err)
	}
	if env.cfg.listen {
		env.listen(srv, log)
	}
	// As serve does: the caches are loaded once the listener runs, so no
	// change slips between.
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	if err := enforcer.Reload(); err != nil {
		t.Fatalf("load grants: %v", err)
	}
	env.catalog, env.tokens, env.enforcer, env.srv = cat, tokens, enforcer, srv
	env.router = srv.Router()
}

func (env *testEnv) listen(srv *handlers.Server, log *slog.Logger) {
	t := env.t
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	t.Cleanup(func() { cancel(); <-stopped })
	listening := make(chan struct{})
	var once sync.Once
	connected := make(chan bool)
	followed := make(chan bool)
	// As serve wires it (Server.FollowListener), with a look at the first
	// "connected" so the environment is returned only once events flow.
	go func() {
		defer close(followed)
		for up := range connected {
			if up {
				once.Do(func() { close(listening) })
			}
			followed <- up
		}
	}()
	go srv.FollowListener(ctx, followed)
	go func() {
		defer close(stopped)
		models.Listen(ctx, env.db, env.url, log,
			func(payload string) { srv.HandleEvent(ctx, payload) }, connected)
	}()
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the event listener did not connect")
	}
}

// docID is the id of the document of a table with a slug.
func (env *testEnv) docID(table, slug string) string {
	env.t.Helper()
	var id string
	if err := env.db.Table(table).Select("id").Where("slug = ?", slug).Scan(&id).Error; err != nil || id == "" {
		env.t.Fatalf("find %s %q: %v", table, slug, err)
	}
	return id
}

// envUser is an account made for a test, with its password and a token.
type envUser struct {
	ID       string
	Email    string
	Password string
	Token    string
}

// user creates an active account holding the given grants, each "role scope"
// (e.g. "editor office:occs"), and issues it an access token.
func (env *testEnv) user(email string, grants ...string) *envUser {
	t := env.t
	t.Helper()
	ctx := context.Background()
	password := "correct horse battery " + email
	hash, err := auth.HashPasswordWith(password, cheapHashing)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	u, err := models.CreateUser(ctx, env.db, email, "User "+email, hash)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	for _, g := range grants {
		role, scope, _ := strings.Cut(g, " ")
		if _, err := policies.AddGrant(ctx, env.db, models.System, policies.GrantRequest{UserID: u.ID, Role: role, Scope: scope}); err != nil {
			t.Fatalf("grant %s to %s: %v", g, email, err)
		}
	}
	if err := env.enforcer.Reload(); err != nil {
		t.Fatalf("reload grants: %v", err)
	}
	return &envUser{ID: u.ID, Email: u.Email, Password: password, Token: env.issue(u.ID)}
}

// grantsOf reads userID's stored grants.
func (env *testEnv) grantsOf(t testing.TB, userID string) []policies.Grant {
	t.Helper()
	grants, err := policies.ListGrants(context.Background(), env.db, userID)
	if err != nil {
		t.Fatalf("list grants: %v", err)
	}
	return grants
}

// issue signs a real access token for the user's current token version.
func (env *testEnv) issue(userID string) string {
	env.t.Helper()
	tok, _, err := env.tokens.Issue(userID, env.tokenVersion(userID), time.Now())
	if err != nil {
		env.t.Fatalf("issue: %v", err)
	}
	return tok
}

// tokenVersion is the user's current token version.
func (env *testEnv) tokenVersion(userID string) int64 {
	env.t.Helper()
	u, err := models.GetUser(context.Background(), env.db, userID)
	if err != nil {
		env.t.Fatalf("get user: %v", err)
	}
	return u.TokenVersion
}

// request is one request a test sends.
type request struct {
	Method  string // GET when empty
	Path    string
	Token   string   // a bearer token
	As      *envUser // sends As.Token when Token is empty
	Body    any      // string, []byte or a value marshalled as JSON
	Header  map[string]string
	Cookies []*http.Cookie
	Remote  string // RemoteAddr; httptest's 192.0.2.1:1234 when empty
	// ServerError allows a 5xx answer: the test provokes one on purpose.
	ServerError bool
	// OffContract marks a request that breaks the OpenAPI document on
	// purpose and that the server tolerates (a malformed id answered with
	// an empty list): only the answer is checked against the document.
	OffContract bool
}

// response is what came back.
type response struct {
	Code    int
	Header  http.Header
	Body    []byte
	Cookies []*http.Cookie
}

func (r *response) String() string { return fmt.Sprintf("%d %s", r.Code, r.Body) }

// json decodes the body into a generic map (nil if it is not an object).
func (r *response) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// decode decodes the body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// fields lists the "field" of each entry of a problem's errors.
func (r *response) fields() []string {
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

func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func requestBody(b any) []byte {
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

// do sends r through the env's router, reporting failures to env.t.
func (env *testEnv) do(r request) *response {
	env.t.Helper()
	return env.serve(env.t, r)
}

// serve sends r and checks the exchange: against the OpenAPI document, for
// leaked secrets, and for server errors.
func (env *testEnv) serve(t testing.TB, r request) *response {
	t.Helper()
	body := requestBody(r.Body)
	req := newRequest(r, body)
	ctx, cancel := context.WithTimeout(req.Context(), envRequestTimeout)
	defer cancel()
	req = req.WithContext(ctx)
	rec := httptest.NewRecorder()
	env.router.ServeHTTP(rec, req)
	res := &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), Cookies: rec.Result().Cookies()}
	if ctx.Err() != nil {
		t.Errorf("%s %s: no answer within %s (a deadlock?): %s", req.Method, r.Path, envRequestTimeout, res)
	}
	for _, leak := range envLeaks {
		if bytes.Contains(res.Body, []byte(leak)) && !bytes.Contains(body, []byte(leak)) {
			t.Errorf("%s %s: the answer contains %q: %s", req.Method, r.Path, leak, res.Body)
		}
	}
	if res.Code >= 500 && !r.ServerError {
		t.Errorf("%s %s: server error %s", req.Method, r.Path, res)
	}
	// A provoked server error is checked as a problem document only: the
	// document does not list 500 for every operation.
	if res.Code >= 500 && r.ServerError {
		expectProblem(t, req.Method+" "+r.Path, res, res.Code)
	} else if !env.cfg.noCheck {
		checkContract(t, newRequest(r, body), res, !r.OffContract)
	}
	return res
}

func newRequest(r request, body []byte) *http.Request {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, r.Path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	token := r.Token
	if token == "" && r.As != nil {
		token = r.As.Token
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
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
	return req
}

// login signs in through the API and returns the access token and the
// refresh cookie.
func (env *testEnv) login(u *envUser) (string, *http.Cookie) {
	env.t.Helper()
	res := env.do(request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": u.Password}})
	if res.Code != http.StatusOK {
		env.t.Fatalf("login %s: %s", u.Email, res)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	res.decode(env.t, &tr)
	if tr.AccessToken == "" {
		env.t.Fatalf("login %s: no access token in %s", u.Email, res.Body)
	}
	return tr.AccessToken, res.cookie("bureau_refresh")
}

// etag reads a document and returns its ETag.
func (env *testEnv) etag(token, path string) string {
	env.t.Helper()
	res := env.do(request{Path: path, Token: token})
	if res.Code != http.StatusOK || res.Header.Get("ETag") == "" {
		env.t.Fatalf("GET %s: %s", path, res)
	}
	return res.Header.Get("ETag")
}

// expectProblem checks an answer is a problem+json with the status.
func expectProblem(t testing.TB, what string, res *response, status int) {
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

// snapshot is each table's row count and a hash of its rows, for checking
// that a refused request changed nothing. Tables in skip are left out.
func (env *testEnv) snapshot(t testing.TB, skip ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range env.tables(t) {
		if !slices.Contains(skip, table) {
			out[table] = tableDigest(t, env.db, table)
		}
	}
	return out
}

// tables lists the application's tables (the migration bookkeeping aside).
func (env *testEnv) tables(t testing.TB) []string {
	t.Helper()
	var names []string
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
	if env.engine == "sqlite" {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	}
	if err := env.db.Raw(q).Scan(&names).Error; err != nil || len(names) == 0 {
		t.Fatalf("list tables: %v (%d)", err, len(names))
	}
	return names
}

func tableDigest(t testing.TB, db *gorm.DB, table string) string {
	t.Helper()
	// Table names come from the database catalog, never from a request.
	rows, err := db.Raw(`SELECT * FROM "` + table + `"`).Rows()
	if err != nil {
		t.Fatalf("snapshot %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		var line strings.Builder
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprintf(&line, "%s=%v\x1f", cols[i], v)
		}
		lines = append(lines, line.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("snapshot %s: %v", table, err)
	}
	// Sorted here rather than by SQL: not every table has an id column.
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	return fmt.Sprintf("%d rows, %s", len(lines), hex.EncodeToString(h.Sum(nil))[:16])
}

// snapshotDiff names the tables whose digest differs.
func snapshotDiff(before, after map[string]string) []string {
	var changed []string
	for table, digest := range after {
		if before[table] != digest {
			changed = append(changed, table+" ("+before[table]+" -> "+digest+")")
		}
	}
	for table := range before {
		if _, ok := after[table]; !ok {
			changed = append(changed, table+" (gone)")
		}
	}
	slices.Sort(changed)
	return changed
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
