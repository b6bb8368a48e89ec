package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// A sign-out with only the access token (no refresh cookie) used to leave
// the refresh cookie able to mint new tokens. It now ends every refresh
// family of the user, since it cannot tell which one is its own.
func TestLogoutWithoutCookieEndsTheSession(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("bearer-only@example.org", "viewer *")
		token, kept := env.login(u)
		_, otherDevice := env.login(u)
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: token}); res.Code != http.StatusNoContent {
			t.Fatalf("logout: %s", res)
		}
		for name, c := range map[string]*http.Cookie{"kept cookie": kept, "other device": otherDevice} {
			res := env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{c}})
			expectProblem(t, "refresh with the "+name+" after logout", res, http.StatusUnauthorized)
		}
	})
}

// With its own cookie, a sign-out ends just that session; another device
// refreshes on. Someone else's cookie does not count as one's own: the
// caller's sessions all end, and the other user's session is untouched.
func TestLogoutWithCookieEndsThatSession(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("two-devices@example.org", "viewer *")
		stranger := env.user("stranger@example.org", "viewer *")
		token, cookie := env.login(u)
		_, otherDevice := env.login(u)
		_, strangersCookie := env.login(stranger)
		refresh := func(c *http.Cookie) *response {
			return env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{c}})
		}
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: token, Cookies: []*http.Cookie{cookie}}); res.Code != http.StatusNoContent {
			t.Fatalf("logout: %s", res)
		}
		expectProblem(t, "refresh of the ended session", refresh(cookie), http.StatusUnauthorized)
		res := refresh(otherDevice)
		if res.Code != http.StatusOK {
			t.Fatalf("other device: %s", res)
		}
		rotated := res.cookie(secRefreshCookie)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("refresh answer: %s", res)
		}
		// The other device signs out presenting the stranger's cookie.
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: tok.AccessToken, Cookies: []*http.Cookie{strangersCookie}}); res.Code != http.StatusNoContent {
			t.Fatalf("logout with a foreign cookie: %s", res)
		}
		expectProblem(t, "own session after a logout with a foreign cookie", refresh(rotated), http.StatusUnauthorized)
		if res := refresh(strangersCookie); res.Code != http.StatusOK {
			t.Errorf("the stranger's session was ended: %s", res)
		}
	})
}
