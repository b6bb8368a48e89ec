package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestWorkflowDiffRestorePreviewTrash walks an editor through the rest of
// the editorial workflow: compare the draft with the published revision,
// preview it, restore the old revision, trash a department and restore it.
func TestWorkflowDiffRestorePreviewTrash(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		editor := env.user("editor@example.org", "editor office:occs")
		author := env.user("author@example.org", "author office:occs")
		outsider := env.user("outsider@example.org", "editor department:jrotc")
		path := "/api/v1/admin/departments/" + env.ecce

		// A draft change: summary and a phone on the contact.
		etag := env.etag(editor.Token, path)
		res := env.do(request{Method: "PATCH", Path: path, Token: editor.Token, Header: map[string]string{"If-Match": etag},
			Body: map[string]any{"name": "Early College and Career Ed", "summary": "Shorter."}})
		if res.Code != http.StatusOK {
			t.Fatalf("patch: %s", res)
		}

		// Diff: published revision 1 against the draft, field by field.
		res = env.do(request{Method: "GET", Path: path + "/diff", Token: editor.Token})
		if res.Code != http.StatusOK {
			t.Fatalf("diff: %s", res)
		}
		var diff struct {
			Data struct {
				From    *int `json:"from"`
				To      int  `json:"to"`
				Changes []struct {
					Field    string `json:"field"`
					From, To any
				} `json:"changes"`
			} `json:"data"`
		}
		if err := json.Unmarshal(res.Body, &diff); err != nil {
			t.Fatal(err)
		}
		fields := []string{}
		for _, c := range diff.Data.Changes {
			fields = append(fields, c.Field)
		}
		if diff.Data.From == nil || *diff.Data.From != 1 || diff.Data.To != 2 || strings.Join(fields, ",") != "name,summary" {
			t.Fatalf("diff = %s", res.Body)
		}
		expectProblem(t, "diff with a revision that does not exist", env.do(request{Method: "GET", Path: path + "/diff?from=9", Token: editor.Token}), http.StatusBadRequest)
		expectProblem(t, "diff outside the user's scope", env.do(request{Method: "GET", Path: path + "/diff", Token: outsider.Token}), http.StatusNotFound)

		// Preview: the draft in the public shape; the public API still has the old text.
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/preview/departments/" + env.ecce, Token: editor.Token})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), `"summary":"Shorter."`) || !strings.Contains(string(res.Body), `"office":{"slug":"occs"`) {
			t.Fatalf("preview: %s", res)
		}
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/preview/offices/" + env.occs, Token: editor.Token})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), "Early College and Career Ed\"") {
			t.Fatalf("office preview does not show the department draft: %s", res)
		}
		if pub := env.do(request{Method: "GET", Path: "/api/v1/departments/ecce"}); strings.Contains(string(pub.Body), "Shorter.") {
			t.Fatal("the public API shows a draft")
		}

		// Restoring revision 1 is an edit: an author may not, since it renames.
		etag = env.etag(editor.Token, path)
		res = env.do(request{Method: "POST", Path: path + "/revisions/1/restore", Token: author.Token, Header: map[string]string{"If-Match": etag}})
		expectProblem(t, "author restoring a rename", res, http.StatusForbidden)
		expectProblem(t, "restore without If-Match", env.do(request{Method: "POST", Path: path + "/revisions/1/restore", Token: editor.Token}), http.StatusPreconditionRequired)
		res = env.do(request{Method: "POST", Path: path + "/revisions/1/restore", Token: editor.Token, Header: map[string]string{"If-Match": etag}})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), `"version":3`) || !strings.Contains(string(res.Body), `"name":"Early College and Career Education"`) {
			t.Fatalf("restore: %s", res)
		}

		// Trash and bring back; the public API follows.
		etag = env.etag(editor.Token, path)
		if res := env.do(request{Method: "DELETE", Path: path, Token: editor.Token, Header: map[string]string{"If-Match": etag}}); res.Code != http.StatusNoContent {
			t.Fatalf("delete: %s", res)
		}
		if pub := env.do(request{Method: "GET", Path: "/api/v1/departments/ecce"}); pub.Code != http.StatusNotFound {
			t.Fatalf("trashed department still public: %d", pub.Code)
		}
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/trash", Token: editor.Token})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), env.ecce) {
			t.Fatalf("trash: %s", res)
		}
		if res := env.do(request{Method: "GET", Path: "/api/v1/admin/trash", Token: outsider.Token}); strings.Contains(string(res.Body), env.ecce) {
			t.Fatalf("trash shows an item outside the user's scope: %s", res)
		}
		expectProblem(t, "author listing the trash", env.do(request{Method: "GET", Path: "/api/v1/admin/trash", Token: author.Token}), http.StatusForbidden)
		expectProblem(t, "restore outside scope", env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + env.ecce + "/restore", Token: outsider.Token}), http.StatusNotFound)
		res = env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + env.ecce + "/restore", Token: editor.Token})
		if res.Code != http.StatusOK {
			t.Fatalf("restore from trash: %s", res)
		}
		if pub := env.do(request{Method: "GET", Path: "/api/v1/departments/ecce"}); pub.Code != http.StatusOK {
			t.Fatalf("restored department not public again: %d", pub.Code)
		}
		expectProblem(t, "restore what is not in the trash", env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + env.ecce + "/restore", Token: editor.Token}), http.StatusNotFound)
	})
}
