package handlers_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Regressions for issue 6 (part 2 items 6, 7, 8, 9, 11, 13; part 3 item 1)
// and issue 8 item 9, through the router on both databases.

// unchanged fails the test when the database differs from before.
func unchanged(t *testing.T, env *testEnv, what string, before map[string]string) {
	t.Helper()
	if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
		t.Errorf("%s changed the database", what)
	}
}

func TestJSONBodiesMeanExactlyOneThing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		for _, tc := range []struct {
			name   string
			body   string
			fields []string // the errors name exactly these; nil: a problem without fields
		}{
			{"keys differ in case", `{"summary":null,"SUMMARY":"d"}`, []string{"SUMMARY"}},
			{"a key in the wrong case alone", `{"Summary":"d"}`, []string{"Summary"}},
			{"a key given twice", `{"summary":"a","summary":"b"}`, []string{"summary"}},
			{"null body", `null`, nil},
			{"array body", `[{"summary":"x"}]`, nil},
			{"string body", `"summary"`, nil},
			{"trailing value", `{"summary":"x"} {}`, nil},
			{"invalid UTF-8", "{\"summary\":\"caf\xe9\"}", nil},
			{"lone surrogate escape", `{"summary":"x\ud800y"}`, nil},
			{"low surrogate first", `{"summary":"x\udc00\ud800"}`, nil},
			{"a nested field by the path sent",
				`{"contacts":[{"label":"x","phones":[{"number":"773-553-3543"},{"number":5}]}]}`,
				[]string{"contacts[0].phones[1].number"}},
			{"an unknown nested field", `{"contacts":[{"label":"x"},{"label":"y","Phones":[]}]}`, []string{"contacts[1].Phones"}},
			{"an unknown field in an address", `{"contacts":[{"address":{"street":"1 Main","zip":"1"}}]}`, []string{"contacts[0].address.zip"}},
			{"several bad fields at once", `{"name":1,"position":"2","id":"x"}`, []string{"name", "position", "id"}},
			{"a fractional position", `{"position":1.5}`, []string{"position"}},
			{"not JSON", `{"summary":`, nil},
		} {
			before := env.snapshot(t, "audit_events", "refresh_tokens")
			res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: tc.body,
				Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
			expectProblem(t, tc.name, res, http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, tc.fields) {
				t.Errorf("%s: fields %v, want %v (%s)", tc.name, got, tc.fields, res.Body)
			}
			unchanged(t, env, tc.name, before)
		}
		// Escaped surrogate pairs and escaped backslashes are fine.
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"ok \ud83d\ude00 \\ud800"}`,
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
		if res.Code != http.StatusOK || !strings.Contains(string(res.Body), `"summary":"ok 😀 \\ud800"`) {
			t.Errorf("valid escapes: %s", res)
		}
		// Other request types share the decoder: a null login body is a 400.
		expectProblem(t, "null grant body", env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: c.admin.Token, Body: `null`}), http.StatusBadRequest)
	})
}

func TestIDsFromPathsAreUUIDs(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		unknown := env.do(request{Method: "GET", Path: "/api/v1/admin/departments/" + uuid.NewString(), Token: c.admin.Token})
		expectProblem(t, "unknown id", unknown, http.StatusNotFound)
		for _, id := range []string{"%00", "a%00b", strings.ToUpper(env.ecce) + "%00", "not-a-uuid", "{" + env.ecce + "}",
			"urn:uuid:" + env.ecce, strings.ReplaceAll(env.ecce, "-", ""), "%ff%fe"} {
			before := env.snapshot(t, "audit_events", "refresh_tokens")
			for _, r := range []request{
				{Method: "GET", Path: "/api/v1/admin/departments/" + id},
				{Method: "GET", Path: "/api/v1/admin/offices/" + id + "/revisions"},
				{Method: "GET", Path: "/api/v1/admin/departments/" + id + "/revisions/1"},
				{Method: "GET", Path: "/api/v1/admin/departments/" + id + "/diff"},
				{Method: "GET", Path: "/api/v1/admin/preview/departments/" + id},
				{Method: "PATCH", Path: "/api/v1/admin/departments/" + id, Body: `{"summary":"x"}`, Header: map[string]string{"If-Match": "*"}},
				{Method: "POST", Path: "/api/v1/admin/departments/" + id + "/publish", Header: map[string]string{"If-Match": "*"}},
				{Method: "DELETE", Path: "/api/v1/admin/departments/" + id, Header: map[string]string{"If-Match": "*"}},
				{Method: "POST", Path: "/api/v1/admin/trash/departments/" + id + "/restore"},
				{Method: "POST", Path: "/api/v1/admin/trash/offices/" + id + "/restore"},
			} {
				r.Token = c.admin.Token
				res := env.do(r)
				expectProblem(t, r.Method+" "+r.Path, res, http.StatusNotFound)
			}
			unchanged(t, env, "requests with id "+id, before)
		}
		// The canonical spelling in upper case is the same document.
		res := env.do(request{Method: "GET", Path: "/api/v1/admin/departments/" + strings.ToUpper(env.ecce), Token: c.admin.Token})
		if res.Code != http.StatusOK {
			t.Errorf("upper-case id: %s", res)
		}
	})
}

func TestIfMatchFollowsRFC9110(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		current := env.etag(c.admin.Token, path) // "v1"
		for _, tc := range []struct {
			header string
			status int
		}{
			{`"stale-version"`, http.StatusPreconditionFailed},
			{`"v0"`, http.StatusPreconditionFailed},
			{`"v2"`, http.StatusPreconditionFailed},
			{`""`, http.StatusPreconditionFailed},
			{`W/` + current, http.StatusPreconditionFailed},
			{`"a", "b,c"`, http.StatusPreconditionFailed},
			{`v1`, http.StatusBadRequest},
			{`"v1`, http.StatusBadRequest},
			{current + ` junk`, http.StatusBadRequest},
			{current + `,`, http.StatusBadRequest},
			{"\"v\x01\"", http.StatusBadRequest},
		} {
			for _, r := range []request{
				{Method: "PATCH", Path: path, Body: `{"summary":"x"}`},
				{Method: "POST", Path: path + "/publish"},
				{Method: "POST", Path: path + "/revisions/1/restore"},
			} {
				r.Token, r.Header = c.admin.Token, map[string]string{"If-Match": tc.header}
				before := env.snapshot(t, "audit_events", "refresh_tokens")
				res := env.do(r)
				what := fmt.Sprintf("%s %s If-Match %s", r.Method, r.Path, tc.header)
				expectProblem(t, what, res, tc.status)
				if tc.status == http.StatusPreconditionFailed && res.json()["current_version"] != float64(1) {
					t.Errorf("%s: no current version: %s", what, res.Body)
				}
				unchanged(t, env, what, before)
			}
		}
		missing := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"x"}`})
		expectProblem(t, "no If-Match", missing, http.StatusPreconditionRequired)
		// A list that holds the current tag matches.
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"listed"}`,
			Header: map[string]string{"If-Match": `"v0", W/"v1", ` + current}})
		if res.Code != http.StatusOK || res.Header.Get("ETag") != `"v2"` {
			t.Errorf("If-Match list with the current tag: %s", res)
		}
	})
}

// An id outside one's scopes answers exactly as an id that does not exist.
func TestOutOfScopeIDsAnswerAsUnknown(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		for _, tc := range []struct{ method, path string }{
			{"GET", "/api/v1/admin/departments/%s"},
			{"GET", "/api/v1/admin/departments/%s/revisions"},
			{"GET", "/api/v1/admin/departments/%s/diff"},
			{"GET", "/api/v1/admin/preview/departments/%s"},
			{"PATCH", "/api/v1/admin/departments/%s"},
			{"POST", "/api/v1/admin/departments/%s/publish"},
			{"DELETE", "/api/v1/admin/departments/%s"},
		} {
			send := func(id string) *response {
				return env.do(request{Method: tc.method, Path: fmt.Sprintf(tc.path, id), Token: c.editorOCCS.Token,
					Body: `{"summary":"x"}`, Header: map[string]string{"If-Match": `"v1"`}})
			}
			outside, unknown := send(c.otherDept), send(uuid.NewString())
			expectProblem(t, tc.method+" "+tc.path+" outside the scopes", outside, http.StatusNotFound)
			if string(outside.Body) != string(unknown.Body) || outside.Code != unknown.Code {
				t.Errorf("%s %s: outside the scopes %s, unknown %s: want the same answer", tc.method, tc.path, outside, unknown)
			}
		}
		// In the trash too.
		path := "/api/v1/admin/departments/" + c.otherDept
		if res := env.do(request{Method: "DELETE", Path: path, Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}); res.Code != http.StatusNoContent {
			t.Fatalf("trash: %s", res)
		}
		outside := env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + c.otherDept + "/restore", Token: c.editorOCCS.Token})
		unknown := env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + uuid.NewString() + "/restore", Token: c.editorOCCS.Token})
		if outside.Code != http.StatusNotFound || string(outside.Body) != string(unknown.Body) {
			t.Errorf("trash restore outside the scopes %s, unknown %s: want the same 404", outside, unknown)
		}
		// Where the user may read but not act, the answer says so: a viewer.
		expectProblem(t, "viewer publishing", env.do(request{Method: "POST", Path: "/api/v1/admin/departments/" + env.ecce + "/publish",
			Token: c.viewer.Token, Header: map[string]string{"If-Match": `"v1"`}}), http.StatusForbidden)
	})
}

// Issue 8 item 9 (a): each workflow action checks its own right in the
// document's own office. The user is an editor in occs and an author in
// finance: the editor grant must not carry publish, unpublish or delete
// into finance.
func TestWorkflowRightsDoNotCrossOffices(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		mixed := env.user("mixed@example.org", "editor office:occs", "author office:finance")
		for _, id := range []string{c.other, c.otherDept} {
			kind := "departments"
			if id == c.other {
				kind = "offices"
			}
			path := "/api/v1/admin/" + kind + "/" + id
			if kind == "departments" { // published, so that unpublish has something to withdraw
				res := env.do(request{Method: "POST", Path: "/api/v1/admin/offices/" + c.other + "/publish", Token: c.admin.Token, Header: map[string]string{"If-Match": "*"}})
				if res.Code != http.StatusOK {
					t.Fatalf("publish office: %s", res)
				}
			}
			for _, action := range []struct{ method, suffix string }{
				{"POST", "/publish"}, {"DELETE", ""}, {"POST", "/unpublish"},
			} {
				if action.suffix == "/unpublish" {
					res := env.do(request{Method: "POST", Path: path + "/publish", Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}})
					if res.Code != http.StatusOK {
						t.Fatalf("admin publish: %s", res)
					}
				}
				before := env.snapshot(t, "audit_events", "refresh_tokens")
				res := env.do(request{Method: action.method, Path: path + action.suffix, Token: mixed.Token,
					Header: map[string]string{"If-Match": env.etag(mixed.Token, path)}})
				expectProblem(t, "author in finance: "+action.method+" "+kind+action.suffix, res, http.StatusForbidden)
				unchanged(t, env, action.method+" "+kind+action.suffix, before)
			}
			// Editing a description is within an author's rights there.
			res := env.do(request{Method: "PATCH", Path: path, Token: mixed.Token, Body: `{"summary":"An author's edit."}`,
				Header: map[string]string{"If-Match": env.etag(mixed.Token, path)}})
			if res.Code != http.StatusOK {
				t.Errorf("author edit in finance: %s", res)
			}
		}
		// The same user publishes in occs, where they are an editor.
		path := "/api/v1/admin/departments/" + env.ecce
		res := env.do(request{Method: "POST", Path: path + "/unpublish", Token: mixed.Token, Header: map[string]string{"If-Match": env.etag(mixed.Token, path)}})
		if res.Code != http.StatusOK {
			t.Errorf("editor unpublish in occs: %s", res)
		}
	})
}

// Issue 8 item 9 (b): a stale If-Match is a 412 even when the body would
// change nothing.
func TestStaleIfMatchWithAnUnchangedBody(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		stale := env.etag(c.admin.Token, path)
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"Moved on."}`, Header: map[string]string{"If-Match": stale}})
		if res.Code != http.StatusOK {
			t.Fatalf("first save: %s", res)
		}
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		res = env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"Moved on."}`, Header: map[string]string{"If-Match": stale}})
		expectProblem(t, "stale If-Match, body equal to the draft", res, http.StatusPreconditionFailed)
		if res.json()["current_version"] != float64(2) {
			t.Errorf("current version: %s", res.Body)
		}
		unchanged(t, env, "a stale save", before)
	})
}

// Issue 6 part 3 item 1: every 200 describes the write its request made.
// Editors on one document each GET, then PATCH with their If-Match; the
// winners' answers must carry their own version (read version + 1) and
// their own summary, never a later write by someone else.
func TestConcurrentEditorsEachSeeTheirOwnWrite(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		const editors, rounds = 8, 6
		type answer struct {
			read       int
			summary    string
			code       int
			etag       string
			version    float64
			gotSummary string
		}
		var mu sync.Mutex
		var answers []answer
		var wg sync.WaitGroup
		for e := range editors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					get := env.serve(t, request{Method: "GET", Path: path, Token: c.admin.Token})
					var read int
					if _, err := fmt.Sscanf(get.Header.Get("ETag"), `"v%d"`, &read); err != nil {
						t.Errorf("ETag %q: %v", get.Header.Get("ETag"), err)
						return
					}
					a := answer{read: read, summary: fmt.Sprintf("editor %d round %d", e, r)}
					res := env.serve(t, request{Method: "PATCH", Path: path, Token: c.admin.Token,
						Body: map[string]any{"summary": a.summary}, Header: map[string]string{"If-Match": get.Header.Get("ETag")}})
					a.code, a.etag = res.Code, res.Header.Get("ETag")
					var body struct {
						Data struct {
							Version float64 `json:"version"`
							Summary string  `json:"summary"`
						} `json:"data"`
					}
					_ = json.Unmarshal(res.Body, &body)
					a.version, a.gotSummary = body.Data.Version, body.Data.Summary
					mu.Lock()
					answers = append(answers, a)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		wins := 0
		for _, a := range answers {
			switch a.code {
			case http.StatusOK:
				wins++
				want := fmt.Sprintf(`"v%d"`, a.read+1)
				if a.etag != want || a.version != float64(a.read+1) || a.gotSummary != a.summary {
					t.Errorf("read v%d, wrote %q: answered ETag %s, version %v, summary %q", a.read, a.summary, a.etag, a.version, a.gotSummary)
				}
			case http.StatusPreconditionFailed:
			default:
				t.Errorf("unexpected status %d", a.code)
			}
		}
		final := env.do(request{Method: "GET", Path: path, Token: c.admin.Token})
		if wins == 0 || final.Header.Get("ETag") != fmt.Sprintf(`"v%d"`, 1+wins) {
			t.Errorf("%d saves won, final ETag %s: every 200 must be one revision", wins, final.Header.Get("ETag"))
		}
	})
}

// Publish, unpublish, and both restores answer with their own state too.
func TestWorkflowWritesAnswerWithTheirOwnState(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + c.otherDept
		do := func(method, suffix, ifMatch string) *response {
			r := request{Method: method, Path: path + suffix, Token: c.admin.Token}
			if ifMatch != "" {
				r.Header = map[string]string{"If-Match": ifMatch}
			}
			return env.do(r)
		}
		expect := func(what string, res *response, etag, status string) {
			t.Helper()
			body := res.json()
			data, _ := body["data"].(map[string]any)
			if res.Code != http.StatusOK || res.Header.Get("ETag") != etag || data["status"] != status {
				t.Errorf("%s: %s (ETag %s), want ETag %s, status %s", what, res, res.Header.Get("ETag"), etag, status)
			}
		}
		expect("publish", do("POST", "/publish", `"v1"`), `"v1"`, "published")
		expect("unpublish", do("POST", "/unpublish", `"v1"`), `"v1"`, "draft")
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Body: `{"summary":"two"}`, Header: map[string]string{"If-Match": `"v1"`}})
		expect("save", res, `"v2"`, "draft")
		res = do("POST", "/revisions/1/restore", `"v2"`)
		expect("revision restore", res, `"v3"`, "draft")
		if data, _ := res.json()["data"].(map[string]any); data["summary"] == "two" {
			t.Errorf("revision restore answered the old draft: %s", res)
		}
		if res := do("DELETE", "", `"v3"`); res.Code != http.StatusNoContent {
			t.Fatalf("trash: %s", res)
		}
		res = env.do(request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + c.otherDept + "/restore", Token: c.admin.Token})
		expect("trash restore", res, `"v3"`, "draft")
	})
}

// learn_more_url and descriptions come back as stored: normalized and
// balanced.
func TestStoredLinksAndDescriptionsAreSafe(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)},
			Body: map[string]any{"learn_more_url": `https://ok.example/"><script>alert(1)</script>`, "description_html": "<h2>unclosed <b>bold"}})
		data, _ := res.json()["data"].(map[string]any)
		if res.Code != http.StatusOK || data["learn_more_url"] != "https://ok.example/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E" ||
			data["description_html"] != "<h2>unclosed <b>bold</b></h2>" {
			t.Errorf("stored: %s", res)
		}
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		res = env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)},
			Body: map[string]any{"description_html": strings.Repeat("<blockquote>", 4000) + "deep"}})
		expectProblem(t, "4,000 nested blockquotes", res, http.StatusBadRequest)
		if got := res.fields(); !slices.Equal(got, []string{"description_html"}) {
			t.Errorf("fields %v", got)
		}
		unchanged(t, env, "a too deep description", before)
	})
}

// description_text is plain text (decision documented in the OpenAPI
// document): entities are decoded, never re-encoded, and the HTML beside it
// keeps them escaped.
func TestDescriptionTextIsPlainTextAsDocumented(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		res := env.do(request{Method: "PATCH", Path: path, Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)},
			Body: map[string]any{"description_html": "<p>Use &lt;b&gt; for bold &amp; more</p>"}})
		if res.Code != http.StatusOK {
			t.Fatalf("save: %s", res)
		}
		res = env.do(request{Method: "POST", Path: path + "/publish", Token: c.admin.Token, Header: map[string]string{"If-Match": res.Header.Get("ETag")}})
		if res.Code != http.StatusOK {
			t.Fatalf("publish: %s", res)
		}
		public := env.do(request{Method: "GET", Path: "/api/v1/departments/ecce"})
		data, _ := public.json()["data"].(map[string]any)
		if data["description_text"] != "Use <b> for bold & more" || data["description_html"] != "<p>Use &lt;b&gt; for bold &amp; more</p>" {
			t.Errorf("public department: %s", public.Body)
		}
		spec := env.do(request{Method: "GET", Path: "/api/openapi.json"})
		if !strings.Contains(string(spec.Body), "It is plain text, not HTML: entities are decoded") {
			t.Error("the OpenAPI document does not say description_text is plain text")
		}
	})
}

// The trash is paged in the database: pages and totals follow the user's
// scopes, and a page costs the same statements however many items exist.
func TestTrashIsPagedInTheDatabase(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		trash := func(kind, id string) {
			t.Helper()
			path := "/api/v1/admin/" + kind + "/" + id
			if res := env.do(request{Method: "DELETE", Path: path, Token: c.admin.Token, Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}); res.Code != http.StatusNoContent {
				t.Fatalf("trash %s: %s", path, res)
			}
		}
		var occsDepartments []string
		if err := env.db.Table("departments").Where("office_id = ?", env.occs).Order("position").Pluck("id", &occsDepartments).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range occsDepartments {
			trash("departments", id)
		}
		trash("departments", c.otherDept)
		trash("offices", c.other)
		var statements atomic.Int64
		count := func(*gorm.DB) { statements.Add(1) }
		if err := env.db.Callback().Raw().Register("test:count_raw", count); err != nil {
			t.Fatal(err)
		}
		if err := env.db.Callback().Query().Register("test:count_query", count); err != nil {
			t.Fatal(err)
		}
		page := func(token, query string) ([]map[string]any, float64, int64) {
			t.Helper()
			env.do(request{Method: "GET", Path: "/api/v1/admin/trash" + query, Token: token}) // warms the session cache
			statements.Store(0)
			res := env.do(request{Method: "GET", Path: "/api/v1/admin/trash" + query, Token: token})
			items, total := adminList(t, res)
			return items, total, statements.Load()
		}
		all, total, _ := page(c.admin.Token, "?limit=100")
		if int(total) != len(occsDepartments)+2 || len(all) != int(total) {
			t.Fatalf("admin sees %d of %v trashed items, want %d", len(all), total, len(occsDepartments)+2)
		}
		for i := 1; i < len(all); i++ {
			if all[i-1]["deleted_at"].(string) < all[i]["deleted_at"].(string) {
				t.Errorf("not newest first: %v before %v", all[i-1]["deleted_at"], all[i]["deleted_at"])
			}
		}
		// Pages in order, without gaps or repeats.
		var paged []any
		for offset := 0; offset < int(total); offset += 3 {
			items, _, _ := page(c.admin.Token, fmt.Sprintf("?limit=3&offset=%d", offset))
			for _, it := range items {
				paged = append(paged, it["id"])
			}
		}
		var ids []any
		for _, it := range all {
			ids = append(ids, it["id"])
		}
		if !slices.Equal(paged, ids) {
			t.Errorf("pages %v, whole list %v", paged, ids)
		}
		// Scopes: the occs editor sees the occs departments only; the
		// department editor their own department.
		items, total, _ := page(c.editorOCCS.Token, "?limit=100")
		if int(total) != len(occsDepartments) || len(items) != len(occsDepartments) {
			t.Errorf("occs editor sees %d (total %v), want %d", len(items), total, len(occsDepartments))
		}
		items, total, _ = page(c.deptEditor.Token, "")
		if total != 1 || len(items) != 1 || items[0]["id"] != env.ecce {
			t.Errorf("department editor sees %v (total %v), want only ecce", items, total)
		}
		_, _, few := page(c.admin.Token, "?limit=1")
		_, _, many := page(c.admin.Token, "?limit=100")
		if few != many || many > 4 {
			t.Errorf("a page of 1 took %d statements, a page of all %d: want the same, and few", few, many)
		}
	})
}
