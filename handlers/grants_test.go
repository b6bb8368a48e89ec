package handlers_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"bureau/auth"
	"bureau/models"
	"bureau/models/dbtest"
	"bureau/policies"
)

// Grants name real documents (issue 6, part 2, item 4), ids in paths are
// parsed before they reach the database (item 6), and a grant committed by
// another process holds from the first request after sign-in (item 12).

// grantsView reads GET /api/v1/admin/grants?user_id=id as admin.
func grantsView(t *testing.T, env *testEnv, adminToken, userID string) []policies.Grant {
	t.Helper()
	res := env.do(request{Method: "GET", Path: "/api/v1/admin/grants?user_id=" + userID, Token: adminToken})
	if res.Code != http.StatusOK {
		t.Fatalf("list grants: %s", res)
	}
	var list struct{ Data []policies.Grant }
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Data
}

// meView reads GET /api/v1/auth/me.
type meView struct {
	Grants      []policies.Grant      `json:"grants"`
	Permissions []policies.Permission `json:"permissions"`
}

func me(t *testing.T, env *testEnv, token string) meView {
	t.Helper()
	res := env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: token})
	if res.Code != http.StatusOK {
		t.Fatalf("me: %s", res)
	}
	var body struct{ Data meView }
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Data
}

func TestGrantOnAMissingDocumentIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		waiting := env.user("waiting@example.org")
		for _, scope := range []string{"department:future", "office:future", "office:ecce", "department:occs"} {
			before := env.snapshot(t, "audit_events", "refresh_tokens")
			res := env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: admin.Token,
				Body: map[string]string{"user_id": waiting.ID, "role": "editor", "scope": scope}})
			expectProblem(t, "grant on "+scope, res, http.StatusBadRequest)
			if !slices.Equal(res.fields(), []string{"scope"}) {
				t.Errorf("grant on %s: fields %q, want scope", scope, res.fields())
			}
			if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
				t.Errorf("a refused grant on %s changed the database", scope)
			}
		}
		// The attack of the issue: an editor renames a department to the
		// slug of the refused grant; the user it was meant for gets nothing.
		editor := env.user("editor@example.org", "editor *")
		path := "/api/v1/admin/departments/" + env.ecce
		res := env.do(request{Method: "PATCH", Path: path, Token: editor.Token, Body: map[string]any{"slug": "future"},
			Header: map[string]string{"If-Match": env.etag(editor.Token, path)}})
		if res.Code != http.StatusOK {
			t.Fatalf("rename to future: %s", res)
		}
		token, _ := env.login(waiting)
		if res := env.do(request{Method: "GET", Path: path, Token: token}); res.Code == http.StatusOK {
			t.Fatalf("the user of the refused grant reads the renamed department: %s", res)
		}
		if g := grantsView(t, env, admin.Token, waiting.ID); len(g) != 0 {
			t.Fatalf("grants of the waiting user: %+v", g)
		}
	})
}

func TestGrantsFollowRenames(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		deptEditor := env.user("dept-editor@example.org", "editor department:ecce")
		officeViewer := env.user("office-viewer@example.org", "viewer office:occs")
		editor := env.user("editor@example.org", "editor *")
		rename := func(path, slug string) {
			t.Helper()
			res := env.do(request{Method: "PATCH", Path: path, Token: editor.Token, Body: map[string]any{"slug": slug},
				Header: map[string]string{"If-Match": env.etag(editor.Token, path)}})
			if res.Code != http.StatusOK {
				t.Fatalf("rename %s to %s: %s", path, slug, res)
			}
		}
		rename("/api/v1/admin/departments/"+env.ecce, "early-childhood")
		rename("/api/v1/admin/offices/"+env.occs, "college-career")

		// Shown by the new slugs, with the ids, everywhere grants appear.
		if g := grantsView(t, env, admin.Token, deptEditor.ID); len(g) != 1 ||
			g[0].Scope != "department:early-childhood" || g[0].ScopeID != env.ecce {
			t.Fatalf("grants after the rename: %+v", g)
		}
		res := env.do(request{Method: "GET", Path: "/api/v1/admin/users/" + officeViewer.ID, Token: admin.Token})
		if res.Code != http.StatusOK {
			t.Fatalf("get user: %s", res)
		}
		var u struct {
			Data struct{ Grants []policies.Grant }
		}
		if err := json.Unmarshal(res.Body, &u); err != nil || len(u.Data.Grants) != 1 || u.Data.Grants[0].Scope != "office:college-career" {
			t.Fatalf("user's grants after the rename: %s", res.Body)
		}
		// /auth/me: what the web admin compares with documents' slugs.
		token, _ := env.login(deptEditor)
		m := me(t, env, token)
		if len(m.Grants) != 1 || m.Grants[0].Scope != "department:early-childhood" {
			t.Fatalf("me grants: %+v", m.Grants)
		}
		if !slices.Contains(m.Permissions, policies.Permission{Object: "departments", Action: "publish", Scope: "department:early-childhood"}) {
			t.Fatalf("me permissions: %+v", m.Permissions)
		}
		for _, p := range me(t, env, officeViewer.Token).Permissions {
			if p.Scope != "office:college-career" {
				t.Fatalf("office viewer's permission in %q after the rename", p.Scope)
			}
		}
		// Rights held on, with no grant moved.
		path := "/api/v1/admin/departments/" + env.ecce
		if res := env.do(request{Method: "PATCH", Path: path, Token: token, Body: map[string]any{"summary": "Still mine"},
			Header: map[string]string{"If-Match": env.etag(token, path)}}); res.Code != http.StatusOK {
			t.Fatalf("the department editor lost the renamed department: %s", res)
		}
		if res := env.do(request{Method: "GET", Path: path, Token: officeViewer.Token}); res.Code != http.StatusOK {
			t.Fatalf("the office viewer lost a department of the renamed office: %s", res)
		}
		// The old slug names nothing any more.
		res = env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: admin.Token,
			Body: map[string]string{"user_id": officeViewer.ID, "role": "viewer", "scope": "department:ecce"}})
		expectProblem(t, "grant on the old slug", res, http.StatusBadRequest)
	})
}

func TestUserAndGrantIDsAreParsedFirst(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		badUsers := []string{"%00", "a%00b", uuid.NewString()[:35] + "%00", "not-a-uuid", "%ff", uuid.NewString()}
		for _, id := range badUsers {
			for _, r := range []request{
				{Method: "GET", Path: "/api/v1/admin/users/" + id, Token: admin.Token},
				{Method: "PATCH", Path: "/api/v1/admin/users/" + id, Token: admin.Token, Body: map[string]any{"display_name": "x"}},
				{Method: "PATCH", Path: "/api/v1/admin/users/" + id, Token: admin.Token, Body: map[string]any{"password": "a long enough new password 1"}},
			} {
				expectProblem(t, r.Method+" "+r.Path, env.do(r), http.StatusNotFound)
			}
		}
		for _, id := range []string{"%00", "1%00", "0", "-1", "1.5", "99999999999999999999", "1e3", "x", "999"} {
			r := request{Method: "DELETE", Path: "/api/v1/admin/grants/" + id, Token: admin.Token}
			expectProblem(t, r.Method+" "+r.Path, env.do(r), http.StatusNotFound)
		}
		for _, id := range []string{"%00", "a%00b", "%ff"} {
			res := env.do(request{Method: "GET", Path: "/api/v1/admin/grants?user_id=" + id, Token: admin.Token})
			expectProblem(t, "grants of user "+id, res, http.StatusBadRequest)
			if !slices.Equal(res.fields(), []string{"user_id"}) {
				t.Errorf("grants of user %q: fields %q", id, res.fields())
			}
		}
		if g := grantsView(t, env, admin.Token, uuid.NewString()); g == nil || len(g) != 0 {
			t.Errorf("grants of an unknown user: %+v, want an empty list", g)
		}
		// Not a uuid, as the document asks: tolerated, as an unknown user.
		res := env.do(request{Path: "/api/v1/admin/grants?user_id=not-a-uuid", Token: admin.Token, OffContract: true})
		var list struct{ Data []policies.Grant }
		if res.Code != http.StatusOK || json.Unmarshal(res.Body, &list) != nil || list.Data == nil || len(list.Data) != 0 {
			t.Errorf("grants of user %q: %s, want an empty list", "not-a-uuid", res)
		}
		for _, id := range []string{"\x00", "a\x00b", "not-a-uuid"} {
			res := env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: admin.Token,
				Body: map[string]string{"user_id": id, "role": "viewer", "scope": "*"}})
			expectProblem(t, "grant to "+id, res, http.StatusBadRequest)
			if !slices.Equal(res.fields(), []string{"user_id"}) {
				t.Errorf("grant to %q: fields %q", id, res.fields())
			}
		}
		if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
			t.Error("requests with bad ids changed the database")
		}
	})
}

// TestCLIUserHasRightsAtOnce: `bureau users create` beside a running server
// commits the account and its grant in another process; the event telling
// the server may come a second later (or, here, never). Sign-in must bring
// the grant into force, so the first admin request succeeds.
func TestCLIUserHasRightsAtOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		cliDB := dbtest.Open(t, env.url) // the CLI's own connection
		cli := func(email, role, scope string) *envUser {
			t.Helper()
			password := "correct horse battery " + email
			hash, err := auth.HashPasswordWith(password, cheapHashing)
			if err != nil {
				t.Fatal(err)
			}
			u, _, err := policies.CreateAccountWithGrant(ctx, cliDB, models.System,
				models.NewAccount{Email: email, PasswordHash: hash}, role, scope, "cli")
			if err != nil {
				t.Fatalf("create %s: %v", email, err)
			}
			return &envUser{ID: u.ID, Email: u.Email, Password: password}
		}
		admin := cli("root@example.org", "admin", "*")
		if env.enforcer.Allow(admin.ID, nil, policies.ObjectUsers, policies.ActionRead) {
			t.Fatal("the server saw the CLI's grant before sign-in: the test proves nothing")
		}
		token, _ := env.login(admin)
		if res := env.do(request{Method: "GET", Path: "/api/v1/admin/users", Token: token}); res.Code != http.StatusOK {
			t.Fatalf("first admin request after sign-in: %s", res)
		}
		editor := cli("occs-editor@example.org", "editor", "office:occs")
		editorToken, cookie := env.login(editor)
		if res := env.do(request{Method: "GET", Path: "/api/v1/admin/offices/" + env.occs, Token: editorToken}); res.Code != http.StatusOK {
			t.Fatalf("first editor request after sign-in: %s", res)
		}

		// A grant given by another instance ends the user's tokens; the
		// refreshed token works at once, before any event.
		if _, err := policies.AddGrant(ctx, cliDB, models.System,
			policies.GrantRequest{UserID: editor.ID, Role: "viewer", Scope: "*"}); err != nil {
			t.Fatal(err)
		}
		if env.enforcer.Allow(editor.ID, nil, policies.ObjectOffices, policies.ActionRead) {
			t.Fatal("the server saw the new grant before the refresh: the test proves nothing")
		}
		res := env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{cookie}})
		if res.Code != http.StatusOK {
			t.Fatalf("refresh: %s", res)
		}
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(res.Body, &tr); err != nil {
			t.Fatal(err)
		}
		if !env.enforcer.Allow(editor.ID, nil, policies.ObjectOffices, policies.ActionRead) {
			t.Fatal("the refresh did not bring the new grant into force")
		}
		if !slices.ContainsFunc(me(t, env, tr.AccessToken).Grants, func(g policies.Grant) bool { return g.Scope == "*" }) {
			t.Fatal("me after refresh lacks the new grant")
		}
	})
}
