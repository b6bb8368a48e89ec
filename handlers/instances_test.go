package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
	"bureau/policies"
)

// instServer is one Bureau instance on a shared database, listening for the
// other instances' events as serve does.
type instServer struct {
	srv    *handlers.Server
	router http.Handler
}

func instStart(t *testing.T, ctx context.Context, url string, db *gorm.DB, tokens *auth.Tokens) *instServer {
	t.Helper()
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	enforcer, err := policies.NewEnforcer(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := handlers.NewServer(handlers.Deps{DB: db, Catalog: cat, Tokens: tokens, Enforcer: enforcer, Options: handlers.DefaultOptions()})
	if err := models.OnCommit(db, srv.HandleEvent); err != nil {
		t.Fatal(err)
	}
	connected := make(chan bool)
	go models.Listen(ctx, db, url, nil, func(p string) { srv.HandleEvent(ctx, p) }, connected)
	go srv.FollowListener(ctx, connected)
	return &instServer{srv: srv, router: srv.Router()}
}

func (s *instServer) get(path, token string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	return rec.Code
}

// eventually polls until cond holds: events between instances travel
// asynchronously, in milliseconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

// TestInstancesShareChanges: a publication, a grant and a deactivation made
// by one instance on a shared PostgreSQL database are in force on another
// instance, with no restart.
func TestInstancesShareChanges(t *testing.T) {
	if os.Getenv("BUREAU_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL (BUREAU_TEST_POSTGRES_URL): SQLite runs one instance")
	}
	var url string
	for _, target := range dbtest.Targets(t) {
		if target.Name == "postgres" {
			url = target.URL
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbA := dbtest.Migrated(t, url)
	dbB := dbtest.Open(t, url)
	if _, err := models.SeedDemo(ctx, dbA); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte(strings.Repeat("i", 40)), Issuer: "bureau", Audience: "bureau-admin", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// Instance A's changes are made with the same model functions its
	// handlers call; instance B must see them without a restart.
	b := instStart(t, ctx, url, dbB, tokens)
	time.Sleep(200 * time.Millisecond) // let both listeners connect

	// A publication through A reaches B's public API.
	office, err := models.CreateOffice(ctx, dbA, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "second", Name: "Second Office"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if code := b.get("/api/v1/offices/second", ""); code != http.StatusNotFound {
		t.Fatalf("draft visible on B: %d", code)
	}
	if _, err := models.Publish(ctx, dbA, models.System, models.KindOffice, office.ID, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B serves the office A published", func() bool { return b.get("/api/v1/offices/second", "") == http.StatusOK })
	if _, err := models.Unpublish(ctx, dbA, models.System, models.KindOffice, office.ID, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B withdraws the office A unpublished", func() bool { return b.get("/api/v1/offices/second", "") == http.StatusNotFound })

	// A grant given through A is in force on B; so is its removal.
	user, err := models.CreateUser(ctx, dbA, "viewer@example.org", "", "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := tokens.Issue(user.ID, user.TokenVersion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code := b.get("/api/v1/admin/offices", token); code != http.StatusForbidden {
		t.Fatalf("user without grants on B: %d", code)
	}
	if _, err := policies.AddGrant(ctx, dbA, models.System, policies.GrantRequest{UserID: user.ID, Role: "viewer", Scope: "*"}); err != nil {
		t.Fatal(err)
	}
	// A grant ends the user's old tokens: sign in again (a new token).
	if user, err = models.GetUser(ctx, dbA, user.ID); err != nil {
		t.Fatal(err)
	}
	if token, _, err = tokens.Issue(user.ID, user.TokenVersion, time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B honours the grant made on A", func() bool { return b.get("/api/v1/admin/offices", token) == http.StatusOK })

	// Deactivation through A ends the session on B at once.
	err = models.Write(ctx, dbA, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", user.ID).Update("active", false).Error; err != nil {
			return err
		}
		return models.BumpTokenVersion(ctx, tx, user.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "B refuses the deactivated user's token", func() bool { return b.get("/api/v1/admin/offices", token) == http.StatusUnauthorized })
}
