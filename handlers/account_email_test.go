package handlers_test

import (
	"net/http"
	"slices"
	"testing"
)

// Look-alike emails (a Cyrillic а, fullwidth letters) do not become
// distinct accounts, whichever way an account is made.
func TestAccountEmailLookAlikesThroughTheAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("admin@example.org", "admin *")
		create := func(email string) *response {
			return env.do(request{Method: "POST", Path: "/api/v1/admin/users", Token: admin.Token,
				Body: map[string]string{"email": email, "display_name": "Mallory", "password": "Harbor-Lantern-Quiet-7"}})
		}
		res := create("аdmin@example.org") // Cyrillic а
		expectProblem(t, "Cyrillic look-alike", res, http.StatusBadRequest)
		if !slices.Equal(res.fields(), []string{"email"}) {
			t.Errorf("fields %v: %s", res.fields(), res.Body)
		}
		expectProblem(t, "fullwidth spelling", create("ａｄｍｉｎ@example.org"), http.StatusConflict)
		var n int64
		env.db.Table("users").Count(&n)
		if n != 1 {
			t.Errorf("%d accounts, want 1", n)
		}
		// A rename to a look-alike is refused too.
		other := env.user("other@example.org")
		res = env.do(request{Method: "PATCH", Path: "/api/v1/admin/users/" + other.ID, Token: admin.Token, Body: map[string]string{"email": "аdmin@example.org"}})
		expectProblem(t, "rename to a look-alike", res, http.StatusBadRequest)
		// Sign-in folds the same spellings to the one account.
		if res := env.do(secLoginReq("ＡＤＭＩＮ@example.org", admin.Password)); res.Code != http.StatusOK {
			t.Errorf("sign-in with a fullwidth spelling: %s", res)
		}
		if res := env.do(secLoginReq("аdmin@example.org", admin.Password)); res.Code != http.StatusUnauthorized {
			t.Errorf("sign-in with a Cyrillic look-alike: %s", res)
		}
	})
}

func TestSetupRefusesLookAlikeEmail(t *testing.T) {
	setupEach(t, func(t *testing.T, env *setupEnv) {
		res := env.post(env.body(env.token, "аdmin@example.org", setupPassword))
		expectProblem(t, "setup with a look-alike email", res, http.StatusBadRequest)
		if !slices.Equal(res.fields(), []string{"email"}) {
			t.Errorf("fields %v: %s", res.fields(), res.Body)
		}
		if n := len(env.users()); n != 0 {
			t.Fatalf("%d users made", n)
		}
	})
}
