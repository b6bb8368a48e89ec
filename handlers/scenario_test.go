package handlers_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"bureau/models/dbtest"
)

// Scenario tables in the style of PocketBase's tests.ApiScenario: one
// request, who sends it, and what must come back; "unchanged" asks that no
// table of the database differs afterwards.

// scenario is one request and what must come back.
type scenario struct {
	name        string
	method      string
	path        string
	as          string // a cast member ("admin", "editor", ...); "" sends no token
	header      map[string]string
	body        any
	status      int
	contains    []string // body fragments
	notContains []string
	unchanged   bool
}

func (s scenario) run(t *testing.T, f *fixture) *response {
	t.Helper()
	before := f.baseline
	if s.unchanged && before == nil {
		before = f.env.snapshot(t)
	}
	r := request{Method: s.method, Path: s.path, Header: s.header, Body: s.body}
	if s.as != "" {
		r.As = f.cast[s.as]
		if r.As == nil {
			t.Fatalf("%s: no cast member %q", s.name, s.as)
		}
	}
	res := f.env.serve(t, r)
	if res.Code != s.status {
		t.Errorf("%s: status %d, want %d: %s", s.name, res.Code, s.status, res.Body)
	}
	for _, frag := range s.contains {
		if !strings.Contains(string(res.Body), frag) {
			t.Errorf("%s: the body lacks %q: %s", s.name, frag, res.Body)
		}
	}
	for _, frag := range s.notContains {
		if strings.Contains(string(res.Body), frag) {
			t.Errorf("%s: the body contains %q: %s", s.name, frag, res.Body)
		}
	}
	if s.unchanged {
		if changed := snapshotDiff(before, f.env.snapshot(t)); len(changed) > 0 {
			t.Errorf("%s: the database changed: %v", s.name, changed)
		}
	}
	return res
}

// fixture is an env with a cast of users, one per kind of caller, and a
// department in the trash.
type fixture struct {
	env  *testEnv
	cast map[string]*envUser
	// trashed is a department of the demo office in the trash; other a
	// department other than ecce; viewerGrant the viewer's grant id.
	trashed, other, viewerGrant string
	// baseline, when set, is the snapshot the database must keep: the
	// shared fixture of the matrix only serves calls that change nothing.
	baseline map[string]string
}

// castRoles are the callers of the role x route matrix, besides anonymous:
// each member's grants.
var castRoles = []struct{ name, grants string }{
	{"nobody", ""},
	{"viewer", "viewer office:occs"},
	{"author", "author office:occs"},
	{"editor", "editor office:occs"},
	{"outsider", "editor department:$OTHER"}, // an editor, but not of ecce or occs
	{"admin", "admin *"},
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	env := newEnv(t, onEngine(engine), withQuietLog())
	f := &fixture{env: env, cast: map[string]*envUser{}}
	if err := env.db.Table("departments").Select("slug").Where("slug <> ?", "ecce").Order("slug").Limit(1).Scan(&f.other).Error; err != nil || f.other == "" {
		t.Fatalf("another department: %v", err)
	}
	for _, c := range castRoles {
		var grants []string
		if c.grants != "" {
			grants = append(grants, strings.ReplaceAll(c.grants, "$OTHER", f.other))
		}
		f.cast[c.name] = env.user(c.name+"@example.org", grants...)
	}
	admin := f.cast["admin"]
	res := env.do(request{Method: "POST", Path: "/api/v1/admin/departments", As: admin,
		Body: map[string]string{"office_id": env.occs, "slug": "trashed", "name": "Trashed Department"}})
	if res.Code != http.StatusCreated {
		t.Fatalf("create a department to trash: %s", res)
	}
	var created struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	res.decode(t, &created)
	f.trashed = created.Data.ID
	path := "/api/v1/admin/departments/" + f.trashed
	if res := env.do(request{Method: "DELETE", Path: path, As: admin, Header: map[string]string{"If-Match": env.etag(admin.Token, path)}}); res.Code != http.StatusNoContent {
		t.Fatalf("trash it: %s", res)
	}
	var grants struct {
		Data []struct {
			ID json.RawMessage `json:"id"`
		} `json:"data"`
	}
	env.do(request{Path: "/api/v1/admin/grants?user_id=" + f.cast["viewer"].ID, As: admin}).decode(t, &grants)
	if len(grants.Data) != 1 {
		t.Fatalf("the viewer's grants: %+v", grants)
	}
	f.viewerGrant = strings.Trim(string(grants.Data[0].ID), `"`)
	return f
}

// ifMatch is the current ETag of an admin document, for writes.
func (f *fixture) ifMatch(path string) map[string]string {
	return map[string]string{"If-Match": f.env.etag(f.cast["admin"].Token, path)}
}

// adminRoute is one admin route of the matrix: how to call it well, and
// who may.
type adminRoute struct {
	method, path string // as routed
	request      func(f *fixture) (path string, header map[string]string, body any)
	allowed      []string // cast members who may; the rest get 403, anonymous 401
	// permitted is what a permitted call answers, when not the usual success.
	permitted int
	// unseen are cast members refused with 404, not 403: they pass the
	// route's check (rights of the kind somewhere) but the document is
	// outside all their scopes, and such ids answer like unknown ones.
	unseen []string
}

func contentRoutes(typ, id func(f *fixture) string, create func(f *fixture) any, creators, listers []string, trashed int, unseen []string) []adminRoute {
	base := "/api/v1/admin/" + typ(nil)
	item := func(f *fixture) string { return base + "/" + id(f) }
	readers := []string{"viewer", "author", "editor", "admin"}
	get := func(suffix string) func(f *fixture) (string, map[string]string, any) {
		return func(f *fixture) (string, map[string]string, any) { return item(f) + suffix, nil, nil }
	}
	write := func(suffix string, body any) func(f *fixture) (string, map[string]string, any) {
		return func(f *fixture) (string, map[string]string, any) { return item(f) + suffix, f.ifMatch(item(f)), body }
	}
	routes := []adminRoute{
		{"GET", base, func(f *fixture) (string, map[string]string, any) { return base, nil, nil }, listers, 0, nil},
		{"POST", base, func(f *fixture) (string, map[string]string, any) { return base, nil, create(f) }, creators, 0, nil},
		{"GET", base + "/:id", get(""), readers, 0, unseen},
		{"PATCH", base + "/:id", write("", map[string]string{"summary": "A summary from the matrix."}), []string{"author", "editor", "admin"}, 0, unseen},
		{"DELETE", base + "/:id", write("", nil), []string{"editor", "admin"}, trashed, unseen},
		{"POST", base + "/:id/publish", write("/publish", nil), []string{"editor", "admin"}, 0, unseen},
		{"POST", base + "/:id/unpublish", write("/unpublish", nil), []string{"editor", "admin"}, 0, unseen},
		{"GET", base + "/:id/revisions", get("/revisions"), readers, 0, unseen},
		{"GET", base + "/:id/revisions/:n", get("/revisions/1"), readers, 0, unseen},
		{"POST", base + "/:id/revisions/:n/restore", write("/revisions/1/restore", nil), []string{"author", "editor", "admin"}, 0, unseen},
		{"GET", base + "/:id/diff", get("/diff?from=1"), readers, 0, unseen},
		{"GET", "/api/v1/admin/preview/" + typ(nil) + "/:id", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/preview/" + typ(nil) + "/" + id(f), nil, nil
		}, readers, 0, unseen},
	}
	return routes
}

func fixed(path string, body any) func(f *fixture) (string, map[string]string, any) {
	return func(f *fixture) (string, map[string]string, any) { return path, nil, body }
}

func adminRoutes() []adminRoute {
	offices := func(*fixture) string { return "offices" }
	departments := func(*fixture) string { return "departments" }
	routes := contentRoutes(offices, func(f *fixture) string { return f.env.occs },
		func(*fixture) any { return map[string]string{"slug": "matrix-office", "name": "Matrix Office"} },
		// A new office is in no office's scope, so only an admin creates one;
		// an editor of a department cannot list offices. The demo office
		// still has departments: trashing it is permitted but refused (409).
		[]string{"admin"}, []string{"viewer", "author", "editor", "admin"}, http.StatusConflict, nil)
	routes = append(routes, contentRoutes(departments, func(f *fixture) string { return f.env.ecce },
		func(f *fixture) any {
			return map[string]string{"office_id": f.env.occs, "slug": "matrix-department", "name": "Matrix Department"}
		}, []string{"editor", "admin"}, []string{"viewer", "author", "editor", "outsider", "admin"}, 0, []string{"outsider"})...)
	onlyAdmin := []string{"admin"}
	return append(routes,
		adminRoute{"GET", "/api/v1/admin/trash", fixed("/api/v1/admin/trash", nil), []string{"editor", "outsider", "admin"}, 0, nil},
		adminRoute{"POST", "/api/v1/admin/trash/:type/:id/restore", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/trash/departments/" + f.trashed + "/restore", nil, nil
		}, []string{"editor", "admin"}, 0, []string{"outsider"}},
		adminRoute{"GET", "/api/v1/admin/users", fixed("/api/v1/admin/users", nil), onlyAdmin, 0, nil},
		adminRoute{"POST", "/api/v1/admin/users", fixed("/api/v1/admin/users", map[string]string{"email": "new@example.org", "password": "a long enough passphrase"}), onlyAdmin, 0, nil},
		adminRoute{"GET", "/api/v1/admin/users/:id", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/users/" + f.cast["nobody"].ID, nil, nil
		}, onlyAdmin, 0, nil},
		adminRoute{"PATCH", "/api/v1/admin/users/:id", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/users/" + f.cast["nobody"].ID, nil, map[string]string{"display_name": "Renamed"}
		}, onlyAdmin, 0, nil},
		adminRoute{"GET", "/api/v1/admin/grants", fixed("/api/v1/admin/grants", nil), onlyAdmin, 0, nil},
		adminRoute{"POST", "/api/v1/admin/grants", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/grants", nil, map[string]string{"user_id": f.cast["nobody"].ID, "role": "viewer", "scope": "office:occs"}
		}, onlyAdmin, 0, nil},
		adminRoute{"DELETE", "/api/v1/admin/grants/:id", func(f *fixture) (string, map[string]string, any) {
			return "/api/v1/admin/grants/" + f.viewerGrant, nil, nil
		}, onlyAdmin, 0, nil},
		adminRoute{"GET", "/api/v1/admin/roles", fixed("/api/v1/admin/roles", nil), onlyAdmin, 0, nil},
		adminRoute{"GET", "/api/v1/admin/audit", fixed("/api/v1/admin/audit", nil), onlyAdmin, 0, nil},
	)
}

// TestAdminRoleRouteMatrix: every admin route, called well, by anonymous,
// by a user without grants, by a viewer, author and editor of the demo
// office, by an editor of another department, and by an admin. Refusals
// change nothing; permitted writes run each on a fresh copy of the database.
func TestAdminRoleRouteMatrix(t *testing.T) {
	t.Parallel()
	routes := adminRoutes()
	for _, engine := range dbtest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			shared := newFixture(t, engine)
			shared.baseline = shared.env.snapshot(t)
			covered := map[string]bool{}
			for _, rt := range routes {
				covered[rt.method+" "+rt.path] = true
			}
			for _, r := range shared.env.router.Routes() {
				if strings.HasPrefix(r.Path, "/api/v1/admin/") && r.Method != http.MethodOptions && !covered[r.Method+" "+r.Path] {
					t.Errorf("admin route %s %s is missing from the role x route matrix", r.Method, r.Path)
				}
			}
			for _, rt := range routes {
				t.Run(rt.method+" "+rt.path, func(t *testing.T) {
					path, header, body := rt.request(shared)
					anonymous := scenario{name: "anonymous", method: rt.method, path: path, header: header, body: body, status: http.StatusUnauthorized, unchanged: true}
					anonymous.run(t, shared)
					for _, c := range castRoles {
						s := scenario{name: c.name, method: rt.method, path: path, header: header, body: body, as: c.name}
						if !slices.Contains(rt.allowed, c.name) {
							s.status, s.unchanged = http.StatusForbidden, true
							if slices.Contains(rt.unseen, c.name) {
								s.status = http.StatusNotFound
							}
							s.run(t, shared)
							continue
						}
						f := shared
						if rt.method != http.MethodGet {
							f = newFixture(t, engine) // a permitted write changes the database
							s.path, s.header, s.body = rt.request(f)
						} else {
							s.unchanged = true // reads change nothing
						}
						s.status = successStatus(rt)
						if rt.permitted != 0 {
							s.status = rt.permitted
						}
						s.run(t, f)
					}
				})
			}
		})
	}
}

// successStatus is what a permitted call answers.
func successStatus(rt adminRoute) int {
	switch {
	case rt.method == http.MethodDelete:
		return http.StatusNoContent
	case rt.method == http.MethodPost && !strings.Contains(rt.path, ":id/"):
		return http.StatusCreated // creating a document, a user or a grant
	}
	return http.StatusOK
}
