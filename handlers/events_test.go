package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
	"bureau/policies"
)

// eventCounts counts the events one instance applies, by the path they
// came through.
type eventCounts struct {
	mu                 sync.Mutex
	committed, arrived map[string]int
}

func (c *eventCounts) count(m map[string]int, e string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m[e]++
}

func (c *eventCounts) get(m map[string]int, e string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return m[e]
}

// TestOwnChangesAppliedOnce: a publication through the API is served the
// moment its answer is out, having been applied once on the instance that
// made it, though its event comes back through that instance's listener
// too; a write by another process (the CLI) reaches the running server
// through the listener.
func TestOwnChangesAppliedOnce(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := dbtest.Migrated(t, target.URL)
			if _, err := models.SeedDemo(ctx, db); err != nil {
				t.Fatal(err)
			}
			draft, err := models.CreateOffice(ctx, db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "fresh", Name: "Fresh Office"}}, "")
			if err != nil {
				t.Fatal(err)
			}
			admin, _, err := policies.CreateAccountWithGrant(ctx, db, models.System,
				models.NewAccount{Email: "admin@example.org", PasswordHash: "unused"}, "admin", "*", "test")
			if err != nil {
				t.Fatal(err)
			}
			tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte(strings.Repeat("e", 40)), Issuer: "bureau", Audience: "bureau-admin", TTL: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			token, _, err := tokens.Issue(admin.ID, admin.TokenVersion, time.Now())
			if err != nil {
				t.Fatal(err)
			}

			// Wired as serve wires it, with counters on both paths.
			cat := catalog.New(db, nil)
			enforcer, err := policies.NewEnforcer(db)
			if err != nil {
				t.Fatal(err)
			}
			srv := handlers.NewServer(handlers.Deps{DB: db, Catalog: cat, Tokens: tokens, Enforcer: enforcer, Options: handlers.DefaultOptions()})
			counts := &eventCounts{committed: map[string]int{}, arrived: map[string]int{}}
			if err := models.OnCommit(db, func(ctx context.Context, e string) {
				counts.count(counts.committed, e)
				srv.HandleEvent(ctx, e)
			}); err != nil {
				t.Fatal(err)
			}
			connected := make(chan bool)
			go models.Listen(ctx, db, target.URL, nil, func(e string) {
				counts.count(counts.arrived, e)
				srv.HandleEvent(ctx, e)
			}, connected)
			<-connected
			go srv.FollowListener(ctx, connected)
			if err := cat.LoadAll(ctx); err != nil {
				t.Fatal(err)
			}
			router := srv.Router()
			// This server is wired by hand (counting sink), so requests go
			// straight to its router.
			send := func(method, path string, header map[string]string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, nil)
				for k, v := range header {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				router.ServeHTTP(rec, req)
				return rec
			}
			publicGET := func() int { return send("GET", "/api/v1/offices/fresh", nil).Code }

			res := send("POST", "/api/v1/admin/offices/"+draft.ID+"/publish",
				map[string]string{"If-Match": "*", "Authorization": "Bearer " + token})
			if res.Code != http.StatusOK {
				t.Fatalf("publish: %d %s", res.Code, res.Body)
			}
			if code := publicGET(); code != http.StatusOK {
				t.Fatalf("public GET right after the publication: %d", code)
			}
			event := models.ContentEvent(models.KindOffice, draft.ID)
			if n := counts.get(counts.committed, event); n != 1 {
				t.Fatalf("the publication was applied %d times after commit, want 1", n)
			}

			// The CLI withdraws it through its own connection. Events
			// arrive in commit order: once the CLI's has, the publication's
			// own would have too, had it not been skipped.
			cli := dbtest.Open(t, target.URL)
			if _, err := models.Unpublish(ctx, cli, models.System, models.KindOffice, draft.ID, 0); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the server withdraws what the CLI unpublished", func() bool {
				return publicGET() == http.StatusNotFound
			})
			if n := counts.get(counts.arrived, event); n != 1 {
				t.Errorf("the listener applied %s %d times, want 1 (the CLI's, not the instance's own)", event, n)
			}
			if n := counts.get(counts.committed, event); n != 1 {
				t.Errorf("%d after-commit applications, want 1", n)
			}
		})
	}
}
