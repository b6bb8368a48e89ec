package handlers_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// What the web admin reads besides the content: a department's office by
// slug and name, who saved each revision and why, where a trashed
// department belongs.

// adminData decodes {"data": ...} of an answer.
func adminData(t *testing.T, res *response) map[string]any {
	t.Helper()
	data, _ := res.json()["data"].(map[string]any)
	if data == nil {
		t.Fatalf("no data object in %s", res)
	}
	return data
}

func adminList(t *testing.T, res *response) ([]map[string]any, float64) {
	t.Helper()
	m := res.json()
	raw, _ := m["data"].([]any)
	var out []map[string]any
	for _, x := range raw {
		out = append(out, x.(map[string]any))
	}
	meta, _ := m["meta"].(map[string]any)
	total, _ := meta["total"].(float64)
	return out, total
}

func TestAdminDepartmentsShowTheirOffice(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		author := env.user("author@example.org", "author department:ecce")
		editor := env.user("editor@example.org", "editor office:occs")
		dept := "/api/v1/admin/departments/" + env.ecce

		// An author on the department alone cannot read the office, but the
		// department says which office it is in.
		if res := env.do(request{Method: "GET", Path: "/api/v1/admin/offices/" + env.occs, Token: author.Token}); res.Code != http.StatusForbidden {
			t.Fatalf("the author reads the office: %s", res)
		}
		res := env.do(request{Method: "GET", Path: dept, Token: author.Token})
		if d := adminData(t, res); d["office_slug"] != "occs" || d["office_name"] != "College and Career Success" || d["office_id"] != env.occs {
			t.Errorf("department document: office %v %v %v", d["office_id"], d["office_slug"], d["office_name"])
		}
		items, _ := adminList(t, env.do(request{Method: "GET", Path: "/api/v1/admin/departments", Token: author.Token}))
		if len(items) != 1 || items[0]["office_slug"] != "occs" || items[0]["office_name"] != "College and Career Success" {
			t.Errorf("the author's department list: %v", items)
		}
		offices, _ := adminList(t, env.do(request{Method: "GET", Path: "/api/v1/admin/offices", Token: editor.Token}))
		if len(offices) != 1 || offices[0]["office_slug"] != nil || offices[0]["office_name"] != nil {
			t.Errorf("office items carry office fields: %v", offices)
		}

		// Read-only: a write naming them is refused as an unknown field.
		for _, body := range []string{`{"office_slug":"elsewhere"}`, `{"office_name":"Elsewhere"}`} {
			res := env.do(request{Method: "PATCH", Path: dept, Token: editor.Token, Body: body, Header: map[string]string{"If-Match": `"v1"`}})
			expectProblem(t, "PATCH "+body, res, http.StatusBadRequest)
		}
		res = env.do(request{Method: "POST", Path: "/api/v1/admin/departments", Token: editor.Token,
			Body: `{"office_id":"` + env.occs + `","slug":"new-one","name":"New one","office_slug":"occs"}`})
		expectProblem(t, "POST with office_slug", res, http.StatusBadRequest)

		// Every answer with a department document has them: create, save,
		// publish, unpublish, restore, trash restore.
		check := func(what string, res *response, want int) {
			t.Helper()
			if res.Code != want {
				t.Fatalf("%s: %s", what, res)
			}
			if d := adminData(t, res); d["office_slug"] != "occs" || d["office_name"] != "College and Career Success" {
				t.Errorf("%s: office %v %v", what, d["office_slug"], d["office_name"])
			}
		}
		created := env.do(request{Method: "POST", Path: "/api/v1/admin/departments", Token: editor.Token,
			Body: `{"office_id":"` + env.occs + `","slug":"new-one","name":"New one"}`})
		check("create", created, http.StatusCreated)
		id := adminData(t, created)["id"].(string)
		path := "/api/v1/admin/departments/" + id
		check("patch", env.do(request{Method: "PATCH", Path: path, Token: editor.Token, Body: `{"summary":"S"}`, Header: map[string]string{"If-Match": `"v1"`}}), http.StatusOK)
		check("publish", env.do(request{Method: "POST", Path: path + "/publish", Token: editor.Token, Header: map[string]string{"If-Match": `"v2"`}}), http.StatusOK)
		check("unpublish", env.do(request{Method: "POST", Path: path + "/unpublish", Token: editor.Token, Header: map[string]string{"If-Match": `"v2"`}}), http.StatusOK)
		check("restore revision", env.do(request{Method: "POST", Path: path + "/revisions/1/restore", Token: editor.Token, Header: map[string]string{"If-Match": `"v2"`}}), http.StatusOK)
		if res := env.do(request{Method: "DELETE", Path: path, Token: editor.Token, Header: map[string]string{"If-Match": `"v3"`}}); res.Code != http.StatusNoContent {
			t.Fatalf("trash: %s", res)
		}

		// The trash says which office a department belongs to.
		trash, _ := adminList(t, env.do(request{Method: "GET", Path: "/api/v1/admin/trash", Token: editor.Token}))
		if len(trash) != 1 || trash[0]["type"] != "departments" || trash[0]["office_id"] != env.occs {
			t.Errorf("trash: %v", trash)
		}
		check("restore from trash", env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + id + "/restore", Token: editor.Token}), http.StatusOK)
	})
}

// The list joins offices once: the number of statements does not grow with
// the rows on the page.
func TestAdminDepartmentListQueriesDoNotGrowWithRows(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		var queries atomic.Int64
		count := func(*gorm.DB) { queries.Add(1) }
		cb := env.db.Callback()
		if err := cb.Query().Register("test:count_query", count); err != nil {
			t.Fatal(err)
		}
		if err := cb.Row().Register("test:count_row", count); err != nil {
			t.Fatal(err)
		}
		if err := cb.Raw().Register("test:count_raw", count); err != nil {
			t.Fatal(err)
		}
		statements := func(limit string) (int64, int) {
			queries.Store(0)
			res := env.do(request{Method: "GET", Path: "/api/v1/admin/departments?limit=" + limit, Token: admin.Token})
			items, _ := adminList(t, res)
			for _, it := range items {
				if it["office_name"] == "" || it["office_name"] == nil {
					t.Errorf("item without office_name: %v", it)
				}
			}
			return queries.Load(), len(items)
		}
		statements("1") // the first request also loads the signed-in user
		one, n1 := statements("1")
		all, n7 := statements("7")
		if n1 != 1 || n7 != 7 {
			t.Fatalf("pages of %d and %d items, want 1 and 7", n1, n7)
		}
		if one != all || all > 3 {
			t.Errorf("a page of 1 took %d statements, a page of 7 took %d: want the same, and few", one, all)
		}
	})
}

func TestAdminRevisionAuthorsAndMessages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		editor := env.user("editor@example.org", "editor office:occs")
		dept := "/api/v1/admin/departments/" + env.ecce
		patch := func(version, body string) *response {
			return env.do(request{Method: "PATCH", Path: dept, Token: editor.Token, Body: body, Header: map[string]string{"If-Match": version}})
		}
		if res := patch(`"v1"`, `{"summary":"Shorter.","message":"  Shorter summary for the directory  "}`); res.Code != http.StatusOK {
			t.Fatalf("patch with a message: %s", res)
		}
		if d := adminData(t, patch(`"v2"`, `{"summary":"Shorter.","message":"nothing changed"}`)); d["version"] != float64(2) {
			t.Errorf("a patch that changes nothing made version %v", d["version"])
		}
		// The message is not part of the document.
		if d := adminData(t, env.do(request{Method: "GET", Path: dept, Token: editor.Token})); d["message"] != nil {
			t.Errorf("the document has a message field: %v", d["message"])
		}

		// Too long, or not plain text: a named field error, nothing saved.
		for _, msg := range []string{strings.Repeat("m", 501), "ring\u0007"} {
			res := patch(`"v2"`, `{"summary":"Other.","message":"`+strings.ReplaceAll(msg, "\u0007", `\u0007`)+`"}`)
			expectProblem(t, "a bad message", res, http.StatusBadRequest)
			if f := res.fields(); len(f) != 1 || f[0] != "message" {
				t.Errorf("fields %v, want [message]", f)
			}
		}
		if res := patch(`"v2"`, `{"summary":"Other.","message":`+`"`+strings.Repeat("m", 500)+`"}`); res.Code != http.StatusOK {
			t.Errorf("a 500-character message: %s", res)
		}
		if res := env.do(request{Method: "POST", Path: dept + "/revisions/1/restore", Token: editor.Token, Header: map[string]string{"If-Match": `"v3"`}}); res.Code != http.StatusOK {
			t.Fatalf("restore: %s", res)
		}

		revs, total := adminList(t, env.do(request{Method: "GET", Path: dept + "/revisions", Token: editor.Token}))
		if total != 4 || len(revs) != 4 {
			t.Fatalf("%d of %v revisions", len(revs), total)
		}
		want := []struct {
			number  float64
			author  string
			message string
		}{
			{4, "User editor@example.org", "Restored from revision 1"},
			{3, "User editor@example.org", strings.Repeat("m", 500)},
			{2, "User editor@example.org", "Shorter summary for the directory"},
			{1, "", ""}, // the demo loader: Bureau itself
		}
		for i, w := range want {
			r := revs[i]
			if r["number"] != w.number || r["author_name"] != w.author || r["message"] != w.message {
				t.Errorf("revision %v: author %q message %.30q; want %v %q %.30q", r["number"], r["author_name"], r["message"], w.number, w.author, w.message)
			}
		}
		detail := adminData(t, env.do(request{Method: "GET", Path: dept + "/revisions/2", Token: editor.Token}))
		if detail["author_name"] != "User editor@example.org" || detail["message"] != "Shorter summary for the directory" || detail["content"] == nil {
			t.Errorf("revision 2: %v", detail)
		}
		if d := adminData(t, env.do(request{Method: "GET", Path: dept + "/revisions/1", Token: editor.Token})); d["author_name"] != "" || d["message"] != "" {
			t.Errorf("revision 1: author %q message %q", d["author_name"], d["message"])
		}

		// Paging, in the database: limit and offset, total of all.
		page, total := adminList(t, env.do(request{Method: "GET", Path: dept + "/revisions?limit=2&offset=1", Token: editor.Token}))
		if total != 4 || len(page) != 2 || page[0]["number"] != float64(3) || page[1]["number"] != float64(2) {
			t.Errorf("page limit=2 offset=1: %v of %v", page, total)
		}
		if page, _ := adminList(t, env.do(request{Method: "GET", Path: dept + "/revisions?offset=10", Token: editor.Token})); len(page) != 0 {
			t.Errorf("past the end: %v", page)
		}
		for _, q := range []string{"limit=0", "limit=101", "offset=-1", "since=1"} {
			expectProblem(t, "revisions?"+q, env.do(request{Method: "GET", Path: dept + "/revisions?" + q, Token: editor.Token}), http.StatusBadRequest)
		}

		// A create's message is revision 1's.
		res := env.do(request{Method: "POST", Path: "/api/v1/admin/departments", Token: editor.Token,
			Body: `{"office_id":"` + env.occs + `","slug":"with-message","name":"With a message","message":"Asked for by the front desk"}`})
		if res.Code != http.StatusCreated {
			t.Fatalf("create with a message: %s", res)
		}
		id := adminData(t, res)["id"].(string)
		if revs, _ := adminList(t, env.do(request{Method: "GET", Path: "/api/v1/admin/departments/" + id + "/revisions", Token: editor.Token})); len(revs) != 1 || revs[0]["message"] != "Asked for by the front desk" {
			t.Errorf("created revision: %v", revs)
		}
		res = env.do(request{Method: "POST", Path: "/api/v1/admin/offices", Token: env.user("admin@example.org", "admin *").Token,
			Body: `{"slug":"long-message","name":"Long","message":"` + strings.Repeat("m", 501) + `"}`})
		if f := res.fields(); res.Code != http.StatusBadRequest || len(f) != 1 || f[0] != "message" {
			t.Errorf("create with a long message: %s", res)
		}
	})
}
