package handlers_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"bureau/models"
)

// Regressions for holes found in review: each asserts the status and, for
// refused writes, that the database did not change.

func TestMovesNeedRightsInBothOffices(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		move := func(who *envUser) *response {
			return env.do(request{Method: "PATCH", Path: path, Token: who.Token, Body: map[string]any{"office_id": c.other},
				Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		}
		mixed := env.user("mixed@example.org", "editor office:occs", "author office:finance")
		// A grant on the department alone cannot carry it into another office.
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		res := move(c.deptEditor)
		expectProblem(t, "department-scoped editor moving its department", res, http.StatusForbidden)
		// Editor in the source office only: no say in the target.
		res = move(c.editorOCCS)
		expectProblem(t, "editor of the source office only", res, http.StatusForbidden)
		// Editor in the source office, author in the target: authors may not move.
		res = move(mixed)
		expectProblem(t, "author in the target office", res, http.StatusForbidden)
		if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
			t.Fatal("a refused move changed the database")
		}
		// Editor in both offices may.
		both := env.user("both@example.org", "editor office:occs", "editor office:finance")
		if res := move(both); res.Code != http.StatusOK {
			t.Fatalf("editor of both offices: %s", res)
		}
	})
}

func TestRestoringARevisionCannotSmuggleAMove(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		// The admin moves the department away and back: revision 2 lies in finance.
		for _, office := range []string{c.other, env.occs} {
			res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: map[string]any{"office_id": office},
				Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
			if res.Code != http.StatusOK {
				t.Fatalf("admin move: %s", res)
			}
		}
		mixed := env.user("mixed@example.org", "editor office:occs", "author office:finance")
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		res := env.do(request{Method: "POST", Path: path + "/revisions/2/restore", Token: mixed.Token,
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		expectProblem(t, "restore of a revision in another office", res, http.StatusForbidden)
		if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
			t.Fatal("a refused restore changed the database")
		}
		// Nor may an author of the office restore the revision that moved it.
		res = env.do(request{Method: "POST", Path: path + "/revisions/2/restore", Token: c.author.Token,
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		expectProblem(t, "author restoring a move", res, http.StatusForbidden)
		if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
			t.Fatal("a refused restore by an author changed the database")
		}
	})
}

func TestAdminQueriesRefuseBadText(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		for _, p := range []string{"/api/v1/admin/offices?q=%ff", "/api/v1/admin/audit?action=%ff",
			"/api/v1/admin/users?q=%ff", "/api/v1/admin/departments?office_id=%ff", "/api/v1/admin/audit?action=a%00b"} {
			expectProblem(t, p, env.do(request{Method: "GET", Path: p, Token: c.admin.Token}), http.StatusBadRequest)
		}
	})
}

func TestPreviewHidesOfficeDraftFromDepartmentUsers(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		o, content, err := models.GetOffice(ctx, env.db, env.occs)
		if err != nil {
			t.Fatal(err)
		}
		content.Name = "Secret Draft Name"
		if _, err := models.SaveOfficeDraft(ctx, env.db, models.System, env.occs, o.Version, *content, ""); err != nil {
			t.Fatal(err)
		}
		viewer := env.user("dept-viewer@example.org", "viewer department:ecce")
		res := env.do(request{Method: "GET", Path: "/api/v1/admin/preview/departments/" + env.ecce, Token: viewer.Token})
		if res.Code != http.StatusOK || strings.Contains(string(res.Body), "Secret Draft Name") ||
			!strings.Contains(string(res.Body), `"name":"College and Career Success"`) {
			t.Fatalf("department viewer's preview: %s", res)
		}
		officeViewer := env.user("office-viewer@example.org", "viewer office:occs")
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/preview/departments/" + env.ecce, Token: officeViewer.Token})
		if !strings.Contains(string(res.Body), "Secret Draft Name") {
			t.Fatalf("office viewer's preview lacks the office draft: %s", res)
		}
	})
}

// TestRenamingCarriesGrants: grants name scopes by slug, so a rename moves
// them along; the old slug, reused by a new office, grants nothing.
func TestRenamingCarriesGrants(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/offices/" + env.occs
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: map[string]any{"slug": "college-career"},
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		if res.Code != http.StatusOK {
			t.Fatalf("rename: %s", res)
		}
		grants := env.grantsOf(t, c.editorOCCS.ID)
		if len(grants) != 1 || grants[0].Scope != "office:college-career" {
			t.Fatalf("the editor's grant did not follow the rename: %+v", grants)
		}
		if res := env.do(request{Method: "GET", Path: path, Token: c.editorOCCS.Token}); res.Code != http.StatusOK {
			t.Fatalf("editor lost the renamed office: %s", res)
		}
		o, err := models.CreateOffice(context.Background(), env.db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "occs", Name: "Impostor"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		expectProblem(t, "old grant on a new office with the old slug",
			env.do(request{Method: "GET", Path: "/api/v1/admin/offices/" + o.ID, Token: c.editorOCCS.Token}), http.StatusNotFound)
	})
}

func TestMergePatchNullAndIfMatchForms(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		etag := env.etag(c.admin.Token, path)
		weak := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"x"}`, Header: map[string]string{"If-Match": "W/" + etag}})
		expectProblem(t, "weak If-Match", weak, http.StatusPreconditionFailed)
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"learn_more_url":null,"summary":null}`,
			Header: map[string]string{"If-Match": "*"}})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), `"learn_more_url":""`) || !strings.Contains(string(res.Body), `"summary":""`) {
			t.Fatalf("null should clear: %s", res)
		}
		res = env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"name":null}`,
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		expectProblem(t, "clearing a required field", res, http.StatusBadRequest)
		// Without rights, the refusal comes before the missing If-Match: 404
		// for a department the user cannot read, 403 for one they can.
		res = env.do(request{Method: "PATCH", Path: "/api/v1/admin/departments/" + c.otherDept, Token: c.editorOCCS.Token, Body: `{"summary":"x"}`})
		expectProblem(t, "no rights and no If-Match", res, http.StatusNotFound)
		res = env.do(request{Method: "PATCH", Path: path, Token: c.viewer.Token, Body: `{"summary":"x"}`})
		expectProblem(t, "viewer without If-Match", res, http.StatusForbidden)
	})
}
