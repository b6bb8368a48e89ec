package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/policies"
)

// First-run setup: the one-time token `bureau serve` prints while no
// account exists creates the first admin, once, and never shows up again
// in an answer or in the log.

const setupPassword = "Analytical engines weave algebra 1843"

// setupEnv is a security-suite environment whose server holds token.
type setupEnv struct {
	*testEnv
	token string
}

func setupEach(t *testing.T, fn func(t *testing.T, env *setupEnv)) {
	t.Helper()
	token, err := auth.NewSetupToken()
	if err != nil {
		t.Fatal(err)
	}
	eachDB(t, func(t *testing.T, env *testEnv) {
		se := &setupEnv{testEnv: env, token: token}
		fn(t, se)
		// Whatever happened, the token reached neither the log nor an answer
		// (setup answers are checked in post).
		if strings.Contains(env.log.String(), token) {
			t.Errorf("the setup token is in the server log")
		}
	}, withDeps(func(d *handlers.Deps) { d.SetupToken = token }))
}

// post sends a setup request and checks the answer does not echo the token.
func (env *setupEnv) post(body map[string]string) *response {
	env.t.Helper()
	res := env.do(request{Method: http.MethodPost, Path: "/api/v1/auth/setup", Body: body})
	if strings.Contains(string(res.Body), env.token) {
		env.t.Errorf("a setup answer contains the token: %s", res.Body)
	}
	for name, values := range res.Header {
		for _, v := range values {
			if strings.Contains(v, env.token) {
				env.t.Errorf("the setup answer's %s header contains the token", name)
			}
		}
	}
	return res
}

func (env *setupEnv) body(token, email, password string) map[string]string {
	return map[string]string{"token": token, "email": email, "password": password, "display_name": "Ada Lovelace"}
}

func (env *setupEnv) users() []models.User {
	env.t.Helper()
	var users []models.User
	if err := env.db.Find(&users).Error; err != nil {
		env.t.Fatal(err)
	}
	return users
}

func TestSetupCreatesTheFirstAdminOnce(t *testing.T) {
	t.Parallel()
	setupEach(t, func(t *testing.T, env *setupEnv) {
		// Request and answer are checked against the document, and post
		// checks the answer does not hold the token.
		w := env.post(env.body(env.token, "Ada@Example.org", setupPassword))
		if w.Code != http.StatusOK {
			t.Fatalf("setup: %s", w)
		}
		var tr struct {
			AccessToken string      `json:"access_token"`
			User        models.User `json:"user"`
		}
		if err := json.Unmarshal(w.Body, &tr); err != nil || tr.AccessToken == "" {
			t.Fatalf("no access token: %s", w.Body)
		}
		if tr.User.Email != "ada@example.org" || tr.User.DisplayName != "Ada Lovelace" || !tr.User.Active || tr.User.LastLoginAt == nil {
			t.Errorf("user in the answer: %+v", tr.User)
		}
		refresh := w.cookie("bureau_refresh")
		if refresh == nil || refresh.Value == "" || !refresh.HttpOnly || refresh.Path != "/api/v1/auth" {
			t.Fatalf("refresh cookie: %+v", refresh)
		}

		users := env.users()
		if len(users) != 1 || users[0].ID != tr.User.ID || !users[0].Active {
			t.Fatalf("users after setup: %+v", users)
		}
		grants := env.grantsOf(t, tr.User.ID)
		if len(grants) != 1 || grants[0].Role != policies.RoleAdmin || grants[0].Scope != policies.ScopeAll {
			t.Errorf("grants of the first admin: %+v", grants)
		}

		// Signed in, with every right at once: the server reloaded its grants.
		if res := env.do(request{Method: "GET", Path: "/api/v1/admin/users", Token: tr.AccessToken}); res.Code != http.StatusOK {
			t.Errorf("the new admin lists users: %s", res)
		}
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{refresh}}); res.Code != http.StatusOK {
			t.Errorf("the refresh cookie from setup: %s", res)
		}

		var events []models.AuditEvent
		if err := env.db.Where("action = ?", "user.create").Find(&events).Error; err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].TargetID != tr.User.ID || events[0].ActorID == nil || *events[0].ActorID != tr.User.ID ||
			!strings.Contains(events[0].Detail, `"via":"setup"`) || strings.Contains(events[0].Detail, env.token) {
			t.Errorf("audit of the setup: %+v", events)
		}

		// Spent: the same token again, even with other details, opens nothing.
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		res := env.post(env.body(env.token, "grace@example.org", setupPassword))
		expectProblem(t, "second setup", res, http.StatusForbidden)
		if changed := snapshotDiff(before, env.snapshot(t, "audit_events", "refresh_tokens")); len(changed) > 0 {
			t.Errorf("a refused setup changed the database: %v", changed)
		}
		// The first request again, exactly: refused the same way.
		expectProblem(t, "the first setup again", env.post(env.body(env.token, "Ada@Example.org", setupPassword)), http.StatusForbidden)
	})
}

func TestSetupRefusesAWrongToken(t *testing.T) {
	t.Parallel()
	setupEach(t, func(t *testing.T, env *setupEnv) {
		for _, wrong := range []string{"", "x", env.token[:len(env.token)-1], env.token + "x", strings.ToUpper(env.token), " " + env.token} {
			if wrong == env.token {
				continue
			}
			// Bad fields too: a wrong token must not learn which ones.
			res := env.post(env.body(wrong, "not an email", "short"))
			expectProblem(t, "setup with token "+wrong, res, http.StatusForbidden)
			if len(res.fields()) != 0 {
				t.Errorf("a refused token got field errors: %s", res.Body)
			}
		}
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/setup", Body: `{"email":"ada@example.org","password":"` + setupPassword + `"}`}); res.Code != http.StatusForbidden {
			t.Errorf("setup without a token: %s", res)
		}
		if n := len(env.users()); n != 0 {
			t.Fatalf("%d users made by wrong tokens", n)
		}
		// The guesses did not burn the link.
		if res := env.post(env.body(env.token, "ada@example.org", setupPassword)); res.Code != http.StatusOK {
			t.Fatalf("the right token after wrong ones: %s", res)
		}
	})
}

func TestSetupBadFieldsKeepTheLink(t *testing.T) {
	t.Parallel()
	setupEach(t, func(t *testing.T, env *setupEnv) {
		for _, tc := range []struct {
			body   map[string]string
			fields []string
		}{
			{env.body(env.token, "not an email", "short"), []string{"email", "password"}},
			{env.body(env.token, "", setupPassword), []string{"email"}},
			{env.body(env.token, "ada@example.org", "ada@example.org"), []string{"password"}},
			{env.body(env.token, "ada@example.org", strings.Repeat("z", 12)), []string{"password"}},
			{map[string]string{"token": env.token, "email": "ada@example.org", "password": setupPassword, "display_name": strings.Repeat("n", 201)}, []string{"display_name"}},
		} {
			res := env.post(tc.body)
			expectProblem(t, "setup with bad fields", res, http.StatusBadRequest)
			got := res.fields()
			slices.Sort(got)
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields %v, want %v: %s", got, tc.fields, res.Body)
			}
		}
		expectProblem(t, "setup with a bad email and password", env.post(env.body(env.token, "nope", "short")), http.StatusBadRequest)
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/setup", Body: `{"token":"` + env.token + `","role":"admin"}`}); res.Code != http.StatusBadRequest {
			t.Errorf("an unknown field: %s", res)
		}
		if n := len(env.users()); n != 0 {
			t.Fatalf("%d users made by refused setups", n)
		}
		if res := env.post(env.body(env.token, "ada@example.org", setupPassword)); res.Code != http.StatusOK {
			t.Fatalf("the token after bad fields: %s", res)
		}
	})
}

func TestSetupRefusedOnceAnAccountExists(t *testing.T) {
	t.Parallel()
	setupEach(t, func(t *testing.T, env *setupEnv) {
		// As `bureau users create` does while the server runs.
		hash, err := auth.HashPasswordWith(setupPassword, cheapHashing)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.CreateUser(context.Background(), env.db, "cli@example.org", "", hash); err != nil {
			t.Fatal(err)
		}
		res := env.post(env.body(env.token, "ada@example.org", setupPassword))
		expectProblem(t, "setup after the CLI made an account", res, http.StatusForbidden)
		if users := env.users(); len(users) != 1 || users[0].Email != "cli@example.org" {
			t.Fatalf("users: %+v", users)
		}
		if g := env.grantsOf(t, env.users()[0].ID); len(g) != 0 {
			t.Errorf("the existing account got grants: %+v", g)
		}
		// And the link is over for good, even with bad fields.
		res = env.post(env.body(env.token, "bad", "short"))
		expectProblem(t, "setup again", res, http.StatusForbidden)
	})
}

func TestSetupConcurrentRequestsMakeOneAdmin(t *testing.T) {
	t.Parallel()
	setupEach(t, func(t *testing.T, env *setupEnv) {
		const n = 8
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := "admin" + string(rune('a'+i)) + "@example.org"
				codes[i] = env.post(env.body(env.token, email, setupPassword)).Code
			}()
		}
		wg.Wait()
		ok := 0
		for _, code := range codes {
			switch code {
			case http.StatusOK:
				ok++
			case http.StatusForbidden:
			default:
				t.Errorf("status %d", code)
			}
		}
		if ok != 1 {
			t.Errorf("%d setups succeeded (%v), want exactly 1", ok, codes)
		}
		users := env.users()
		if len(users) != 1 {
			t.Fatalf("%d users", len(users))
		}
		if admins, err := models.CountActiveAdmins(context.Background(), env.db); err != nil || admins != 1 {
			t.Errorf("active admins %d %v", admins, err)
		}
	})
}

// A server started while accounts existed has no token: nothing opens it.
func TestSetupClosedWithoutAToken(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, token := range []string{"", "anything"} {
			res := env.do(request{Method: "POST", Path: "/api/v1/auth/setup",
				Body: map[string]string{"token": token, "email": "ada@example.org", "password": setupPassword}})
			expectProblem(t, "setup without a live token", res, http.StatusForbidden)
		}
		var n int64
		env.db.Model(&models.User{}).Count(&n)
		if n != 0 {
			t.Errorf("%d users", n)
		}
	})
}
