package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"bureau/handlers"
	"bureau/models"
	"bureau/models/dbtest"
)

// faultsServe sends one request; unlike env.do it expects 5xx answers.
func faultsServe(env *testEnv, method, path, token string, body string, header map[string]string) *response {
	env.t.Helper()
	r := request{Method: method, Path: path, Token: token, Header: header, ServerError: true}
	if body != "" {
		r.Body = body
	}
	return env.serve(env.t, r)
}

// faultsExpectUnavailable checks a 503 problem with Retry-After that says
// nothing about the database's own error.
func faultsExpectUnavailable(t *testing.T, what string, rec *response) {
	t.Helper()
	if rec.Code != http.StatusServiceUnavailable || rec.Header.Get("Retry-After") == "" {
		t.Fatalf("%s: %d Retry-After %q %s, want 503 with Retry-After", what, rec.Code, rec.Header.Get("Retry-After"), rec.Body)
	}
	if ct := rec.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	body := strings.ToLower(string(rec.Body))
	for _, leak := range []string{"sql", "dial", "refused", "timeout", "deadline", "lock", "canceling", "postgres"} {
		if strings.Contains(body, leak) {
			t.Errorf("%s: the answer says %q: %s", what, leak, rec.Body)
		}
	}
}

// faultsFreeze holds the database still from another connection until
// release: PostgreSQL with an exclusive lock on offices, SQLite with an
// open write transaction.
func faultsFreeze(t *testing.T, env *testEnv) (release func()) {
	t.Helper()
	other := dbtest.Open(t, env.url)
	tx := other.Begin() // BEGIN IMMEDIATE on SQLite: the write lock is taken now
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	if env.engine == "postgres" {
		if err := tx.Exec("LOCK TABLE offices IN ACCESS EXCLUSIVE MODE").Error; err != nil {
			t.Fatal(err)
		}
	}
	return func() { tx.Rollback() }
}

// TestWritesAnswer503WhenTheDatabaseIsFrozen: with the database frozen, a
// PATCH answers 503 within its deadline instead of waiting, changes
// nothing, and succeeds once the database moves again.
func TestWritesAnswer503WhenTheDatabaseIsFrozen(t *testing.T) {
	const deadline = 400 * time.Millisecond
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		path := "/api/v1/admin/offices/" + env.occs
		etag := env.etag(admin.Token, path)
		patch := func() *response {
			return faultsServe(env, http.MethodPatch, path, admin.Token, `{"summary":"Written while frozen"}`, map[string]string{"If-Match": etag})
		}

		release := faultsFreeze(t, env)
		start := time.Now()
		rec := patch()
		elapsed := time.Since(start)
		release()
		faultsExpectUnavailable(t, "PATCH on a frozen database", rec)
		if elapsed > deadline+time.Second {
			t.Errorf("the 503 came after %s; the deadline is %s", elapsed, deadline)
		}
		if got := env.etag(admin.Token, path); got != etag {
			t.Errorf("the refused PATCH changed the document: ETag %s, was %s", got, etag)
		}
		if rec := patch(); rec.Code != http.StatusOK {
			t.Fatalf("PATCH once the database moves again: %s", rec)
		}
	}, withQuietLog(), withOptions(func(o *handlers.Options) { o.DBTimeout = deadline }),
		// As serve opens it: statements bounded by the request deadline.
		withOpenOptions(models.OpenOptions{StatementTimeout: deadline}))
}

// faultsNeedPostgres skips the test without PostgreSQL, for the reason given.
func faultsNeedPostgres(t *testing.T, whyNotSQLite string) {
	t.Helper()
	if os.Getenv("BUREAU_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL (BUREAU_TEST_POSTGRES_URL): " + whyNotSQLite)
	}
}

// faultsProxy forwards TCP connections to PostgreSQL until cut, which
// closes the port and every connection through it: a database outage as
// the server sees one.
type faultsProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newFaultsProxy(t *testing.T, target string) *faultsProxy {
	p := &faultsProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *faultsProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", p.target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
}

func (p *faultsProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *faultsProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// TestAdminAnswers503DuringADatabaseOutage: with PostgreSQL gone, admin
// reads and writes answer 503 with Retry-After (not 500), /readyz names the
// database, public reads keep answering from memory, and everything works
// again when the database returns.
func TestAdminAnswers503DuringADatabaseOutage(t *testing.T) {
	t.Parallel()
	faultsNeedPostgres(t, "SQLite is a file, frozen but never unreachable")
	base, err := url.Parse(os.Getenv("BUREAU_TEST_POSTGRES_URL"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultsProxy(t, base.Host)
	env := newEnv(t, onEngine("postgres"), withQuietLog(),
		withOptions(func(o *handlers.Options) { o.DBTimeout = 2 * time.Second }),
		connectingVia(func(dbURL string) string {
			u, err := url.Parse(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			u.Host = proxy.addr
			return u.String()
		}))
	admin := env.user("admin@example.org", "admin *")
	path := "/api/v1/admin/offices/" + env.occs
	etag := env.etag(admin.Token, path)

	proxy.cut()
	faultsExpectUnavailable(t, "GET an admin list", faultsServe(env, http.MethodGet, "/api/v1/admin/offices", admin.Token, "", nil))
	faultsExpectUnavailable(t, "PATCH", faultsServe(env, http.MethodPatch, path, admin.Token, `{"summary":"During the outage"}`, map[string]string{"If-Match": etag}))
	rec := faultsServe(env, http.MethodGet, "/readyz", "", "", nil)
	var ready struct {
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal(rec.Body, &ready); err != nil || rec.Code != http.StatusServiceUnavailable || ready.Checks["database"] != "unreachable" {
		t.Errorf("/readyz during the outage: %d %s", rec.Code, rec.Body)
	}
	if rec := faultsServe(env, http.MethodGet, "/api/v1/offices/occs", "", "", nil); rec.Code != http.StatusOK {
		t.Errorf("public read during the outage: %d", rec.Code)
	}

	proxy.restore()
	eventually(t, "admin writes resume once the database returns", func() bool {
		return faultsServe(env, http.MethodPatch, path, admin.Token, `{"summary":"After the outage"}`, map[string]string{"If-Match": etag}).Code == http.StatusOK
	})
}

// TestDrainingTurnsNotReadyAndClosesConnections: once shutdown begins,
// /readyz is 503 naming the shutdown, and every answer (still served) asks
// the client to close its connection.
func TestDrainingTurnsNotReadyAndClosesConnections(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		if rec := faultsServe(env, http.MethodGet, "/readyz", "", "", nil); rec.Code != http.StatusOK || rec.Header.Get("Connection") == "close" {
			t.Fatalf("/readyz before shutdown: %d Connection %q", rec.Code, rec.Header.Get("Connection"))
		}
		env.srv.StartDraining()
		rec := faultsServe(env, http.MethodGet, "/readyz", "", "", nil)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(string(rec.Body), `"shutdown":"draining"`) {
			t.Errorf("/readyz while draining: %d %s", rec.Code, rec.Body)
		}
		for _, path := range []string{"/readyz", "/api/v1/offices/occs", "/healthz"} {
			rec := faultsServe(env, http.MethodGet, path, "", "", nil)
			if rec.Header.Get("Connection") != "close" {
				t.Errorf("GET %s while draining: Connection %q", path, rec.Header.Get("Connection"))
			}
			if path != "/readyz" && rec.Code != http.StatusOK {
				t.Errorf("GET %s while draining: %d, want it still served", path, rec.Code)
			}
		}
	}, withQuietLog())
}

// TestListenerReconnectsAndCatchesUp: when the event listener's connection
// is killed, /readyz says not ready at once, the listener is back within
// seconds, and a publication made while it was away is served, though its
// notification was lost.
func TestListenerReconnectsAndCatchesUp(t *testing.T) {
	t.Parallel()
	faultsNeedPostgres(t, "SQLite's events table has no connection to lose")
	ctx := context.Background()
	// Its own application_name (the copy's database name) tells this
	// test's listener from those of tests running beside it on the server.
	var appName string
	env := newEnv(t, onEngine("postgres"), withQuietLog(), withEventListener(),
		connectingVia(func(dbURL string) string {
			u, err := url.Parse(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			appName = "bureau-test-" + strings.TrimPrefix(u.Path, "/")
			q.Set("application_name", appName)
			u.RawQuery = q.Encode()
			return u.String()
		}))
	readyz := func() int { return faultsServe(env, http.MethodGet, "/readyz", "", "", nil).Code }
	eventually(t, "ready once listening", func() bool { return readyz() == http.StatusOK })

	// Kill the listener's connection, then publish while it is away, so
	// the notification is lost and only the reload after reconnecting can
	// bring the office. Should the listener come back before the
	// publication is committed (a very slow machine), try again.
	writer := dbtest.Open(t, env.url)
	slug := ""
	for attempt := 1; attempt <= 3 && slug == ""; attempt++ {
		office, err := models.CreateOffice(ctx, writer, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: fmt.Sprintf("while-away-%d", attempt), Name: "While Away"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "ready before the cut", func() bool { return readyz() == http.StatusOK })
		killed := writer.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = ? AND query LIKE 'LISTEN%'`, appName)
		if killed.Error != nil || killed.RowsAffected != 1 {
			t.Fatalf("terminate the listener's backend: %v (%d rows)", killed.Error, killed.RowsAffected)
		}
		eventually(t, "not ready while the listener is down", func() bool { return readyz() == http.StatusServiceUnavailable })
		if _, err := models.Publish(ctx, writer, models.System, models.KindOffice, office.ID, 0); err != nil {
			t.Fatal(err)
		}
		if readyz() == http.StatusServiceUnavailable {
			slug = office.Slug
		} else {
			t.Logf("attempt %d: the listener was back before the publication", attempt)
		}
	}
	if slug == "" {
		t.Fatal("the listener always came back before the publication: the test proves nothing")
	}
	start := time.Now()
	eventually(t, "ready again", func() bool { return readyz() == http.StatusOK })
	if back := time.Since(start); back > 3*time.Second {
		t.Errorf("the listener took %s to come back", back)
	}
	if rec := faultsServe(env, http.MethodGet, "/api/v1/offices/"+slug, "", "", nil); rec.Code != http.StatusOK {
		t.Errorf("the office published while the listener was away: %d", rec.Code)
	}
}
