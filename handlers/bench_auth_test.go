package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
	"bureau/policies"
)

// BenchmarkAdminAuthChain measures what authentication and authorization
// add to an admin request: the same trivial handler behind nothing
// (baseline) and behind authenticate plus the role check the admin routes
// use (and, for content, the per-object scope check the handler makes).
// The difference from the baseline is the cost of auth; the target is under
// 50 µs. The policy set is realistic: 50 users holding 200 grants across
// 10 offices and 40 departments.
//
//	go test ./handlers -run '^$' -bench AdminAuthChain
//
// The full-router pair (GET /healthz against GET /api/v1/admin/roles) is
// there for comparison with a real route; /roles also encodes the role
// table, so its difference overstates what auth costs.
func BenchmarkAdminAuthChain(b *testing.B) {

	for _, target := range dbtest.Targets(b) {
		b.Run(target.Name, func(b *testing.B) {
			benchAuthChain(b, dbtest.Migrated(b, target.URL))
		})
	}
}

func benchAuthChain(b *testing.B, db *gorm.DB) {
	ctx := context.Background()
	cheap := auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	hash, err := auth.HashPasswordWith("benchmark passphrase", cheap)
	if err != nil {
		b.Fatal(err)
	}
	var users []*models.User
	for i := range 50 {
		u, err := models.CreateUser(ctx, db, fmt.Sprintf("bench-%02d@example.org", i), "", hash)
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}
	// 10 offices of 4 departments each.
	ids := map[string]string{} // by scope
	for o := range 10 {
		office, err := models.CreateOffice(ctx, db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: fmt.Sprintf("office-%d", o), Name: "Office"}}, "")
		if err != nil {
			b.Fatal(err)
		}
		ids[fmt.Sprintf("office:office-%d", o)] = office.ID
		for d := o * 4; d < o*4+4; d++ {
			dep, err := models.CreateDepartment(ctx, db, models.System,
				models.DepartmentContent{OfficeID: office.ID, CommonContent: models.CommonContent{Slug: fmt.Sprintf("department-%d", d), Name: "Department"}}, "")
			if err != nil {
				b.Fatal(err)
			}
			ids[fmt.Sprintf("department:department-%d", d)] = dep.ID
		}
	}
	// 4 grants each: an office role, two department roles, and one more
	// office role; user 0 is the admin.
	grants := 0
	add := func(u *models.User, role, scope string) {
		if _, err := policies.AddGrant(ctx, db, models.System, policies.GrantRequest{UserID: u.ID, Role: role, Scope: scope}); err != nil {
			b.Fatal(err)
		}
		grants++
	}
	add(users[0], policies.RoleAdmin, policies.ScopeAll)
	add(users[0], policies.RoleEditor, "office:office-0")
	add(users[0], policies.RoleViewer, "department:department-0")
	add(users[0], policies.RoleAuthor, "department:department-1")
	for i, u := range users[1:] {
		i++
		add(u, policies.RoleEditor, fmt.Sprintf("office:office-%d", i%10))
		add(u, policies.RoleAuthor, fmt.Sprintf("department:department-%d", i%40))
		add(u, policies.RoleViewer, fmt.Sprintf("department:department-%d", (i+13)%40))
		add(u, policies.RoleViewer, fmt.Sprintf("office:office-%d", (i+3)%10))
	}
	if grants != 200 {
		b.Fatalf("%d grants, want 200", grants)
	}
	enforcer, err := policies.NewEnforcer(db)
	if err != nil {
		b.Fatal(err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte("benchmark-secret-benchmark-secret-0123"), Issuer: "bureau", Audience: "bureau-admin", TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	s := NewServer(Deps{DB: db, Catalog: cat, Tokens: tokens, Enforcer: enforcer, Options: DefaultOptions()})
	token := func(u *models.User) string {
		u, err := models.GetUser(ctx, db, u.ID) // each grant bumped the token version
		if err != nil {
			b.Fatal(err)
		}
		tok, _, err := tokens.Issue(u.ID, u.TokenVersion, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		return tok
	}
	admin, editor := token(users[0]), token(users[7]) // users[7]: editor office:office-7

	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	// The per-object check of a content handler, on a department of the
	// editor's office.
	objectCheck := func(c *gin.Context) {
		scopes := []string{policies.DepartmentScope(ids["department:department-27"]), policies.OfficeScope(ids["office:office-7"])}
		if !s.enforcer.Allow(currentUser(c).ID, scopes, policies.ObjectDepartments, policies.ActionUpdate) {
			writeProblem(c, errForbidden("no"))
			return
		}
		c.Status(http.StatusNoContent)
	}
	chain := gin.New()
	chain.GET("/baseline", ok)
	chain.GET("/admin", s.authenticate, s.requireGlobal(policies.ObjectUsers, policies.ActionRead), ok)
	chain.GET("/content", s.authenticate, s.requireSomeScope(policies.ObjectDepartments, policies.ActionUpdate), objectCheck)
	router := s.Router()

	run := func(name string, h http.Handler, path, tok string, want int) {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
			}
		})
	}
	run("chain/baseline", chain, "/baseline", "", http.StatusNoContent)
	run("chain/admin", chain, "/admin", admin, http.StatusNoContent)
	run("chain/scoped-editor", chain, "/content", editor, http.StatusNoContent)
	run("chain/no-rights", chain, "/admin", editor, http.StatusForbidden)
	run("router/healthz", router, "/healthz", "", http.StatusOK)
	run("router/admin-roles", router, "/api/v1/admin/roles", admin, http.StatusOK)
}
