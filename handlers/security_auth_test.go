package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"bureau/handlers"
	"bureau/models"
)

// Sign-in, sessions and passwords, through the real router.

const secRefreshCookie = "bureau_refresh"

func secLoginReq(email, password string) request {
	return request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}}
}

func TestAuthLoginSuccess(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("Someone@Example.org", "editor office:occs")
		// Emails are matched without regard to case or surrounding space.
		res := env.do(secLoginReq("  someone@EXAMPLE.org ", u.Password))
		if res.Code != http.StatusOK {
			t.Fatalf("login: %s", res)
		}
		var body struct {
			AccessToken string         `json:"access_token"`
			TokenType   string         `json:"token_type"`
			ExpiresIn   int            `json:"expires_in"`
			User        map[string]any `json:"user"`
		}
		if err := json.Unmarshal(res.Body, &body); err != nil {
			t.Fatalf("decode: %v: %s", err, res.Body)
		}
		if body.AccessToken == "" || body.TokenType != "Bearer" || body.ExpiresIn < 290 || body.ExpiresIn > 300 {
			t.Errorf("token answer: %s", res.Body)
		}
		if body.User["id"] != u.ID || body.User["email"] != "someone@example.org" {
			t.Errorf("user: %v", body.User)
		}
		for _, secret := range []string{"password", "hash"} {
			for k := range body.User {
				if strings.Contains(k, secret) {
					t.Errorf("user has field %q", k)
				}
			}
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		c := res.cookie(secRefreshCookie)
		switch {
		case c == nil:
			t.Fatalf("no refresh cookie: %v", res.Header.Values("Set-Cookie"))
		case !c.HttpOnly, c.SameSite != http.SameSiteStrictMode, c.Path != "/api/v1/auth", len(c.Value) < 32, c.MaxAge <= 0:
			t.Errorf("refresh cookie: %+v", c)
		case c.Secure:
			t.Errorf("refresh cookie is Secure outside production (breaks http://localhost): %+v", c)
		}
		// The token works.
		if res := env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: body.AccessToken}); res.Code != http.StatusOK {
			t.Errorf("me: %s", res)
		}
	})
}

func TestAuthLoginCookieSecureInProduction(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("prod@example.org")
		_, c := env.login(u)
		if c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("production refresh cookie: %+v", c)
		}
	}, withOptions(func(o *handlers.Options) { o.Production = true }))
}

// A wrong password, an unknown email and an inactive account get the very
// same answer, so the login cannot be used to find accounts.
func TestAuthLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("known@example.org", "viewer *")
		inactive := env.user("inactive@example.org", "viewer *")
		admin := env.user("admin@example.org", "admin *")
		if res := env.do(request{Method: "PATCH", Path: "/api/v1/admin/users/" + inactive.ID, Token: admin.Token, Body: map[string]any{"active": false}}); res.Code != http.StatusOK {
			t.Fatalf("deactivate: %s", res)
		}
		attempts := map[string]*response{
			"wrong password":         env.do(secLoginReq(u.Email, "not the password at all")),
			"unknown email":          env.do(secLoginReq("nobody-here@example.org", "not the password at all")),
			"inactive, right secret": env.do(secLoginReq(inactive.Email, inactive.Password)),
		}
		ref := attempts["wrong password"]
		expectProblem(t, "wrong password", ref, http.StatusUnauthorized)
		for name, res := range attempts {
			if res.Code != http.StatusUnauthorized || !bytes.Equal(res.Body, ref.Body) {
				t.Errorf("%s: %s, want exactly %s", name, res, ref)
			}
			if res.cookie(secRefreshCookie) != nil {
				t.Errorf("%s: a refresh cookie was set", name)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "WWW-Authenticate", "Retry-After"} {
				if res.Header.Get(h) != ref.Header.Get(h) {
					t.Errorf("%s: header %s %q, want %q", name, h, res.Header.Get(h), ref.Header.Get(h))
				}
			}
		}
	})
}

// From one address, the 6th attempt on one account within the window is
// refused, whatever the password and however the email is spelled; other
// accounts still work from there, and the owner from another address.
func TestAuthLoginRateLimitPerAddressAndAccount(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("target@example.org")
		other := env.user("bystander@example.org")
		for i := 1; i <= 5; i++ {
			email := u.Email
			if i%2 == 0 {
				email = strings.ToUpper(email)
			}
			res := env.do(secLoginReq(email, fmt.Sprintf("guess number %d!", i)))
			if res.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %s", i, res)
			}
		}
		res := env.do(secLoginReq(u.Email, u.Password))
		expectProblem(t, "6th attempt", res, http.StatusTooManyRequests)
		retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 15*60 {
			t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
		}
		if res.cookie(secRefreshCookie) != nil {
			t.Error("a refused attempt set a refresh cookie")
		}
		if res := env.do(secLoginReq(" TARGET@example.org", u.Password)); res.Code != http.StatusTooManyRequests {
			t.Errorf("7th attempt, other spelling: %s", res)
		}
		if res := env.do(secLoginReq(other.Email, other.Password)); res.Code != http.StatusOK {
			t.Errorf("another account is locked out too: %s", res)
		}
		r := secLoginReq(u.Email, u.Password)
		r.Remote = "203.0.113.9:5000"
		if res := env.do(r); res.Code != http.StatusOK {
			t.Errorf("the owner from another address is locked out: %s", res)
		}
	})
}

// The per-address limit holds against a client that forges X-Forwarded-For:
// without a trusted proxy the header is not believed.
func TestAuthLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		var users []*envUser
		for i := range 31 {
			users = append(users, env.user(fmt.Sprintf("spray-%d@example.org", i)))
		}
		for i, u := range users {
			r := secLoginReq(u.Email, "wrong password, sprayed")
			r.Header = map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i+1)}
			res := env.do(r)
			want := http.StatusUnauthorized
			if i == 30 {
				want = http.StatusTooManyRequests
			}
			if res.Code != want {
				t.Fatalf("attempt %d: %s, want %d", i+1, res, want)
			}
		}
		// Another client address is not affected.
		r := secLoginReq(users[0].Email, users[0].Password)
		r.Remote = "192.0.2.77:4000"
		if res := env.do(r); res.Code != http.StatusOK {
			t.Errorf("login from another address: %s", res)
		}
	})
}

func TestAuthRefreshRotatesAndDetectsReuse(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("rotate@example.org", "viewer *")
		_, first := env.login(u)
		refresh := func(c *http.Cookie) *response {
			return env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{c}})
		}
		res := refresh(first)
		if res.Code != http.StatusOK {
			t.Fatalf("refresh: %s", res)
		}
		second := res.cookie(secRefreshCookie)
		if second == nil || second.Value == first.Value || !second.HttpOnly || second.SameSite != http.SameSiteStrictMode || second.Path != "/api/v1/auth" {
			t.Fatalf("rotated cookie: %+v (first %q)", second, first.Value)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(res.Body, &tok)
		if r := env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: tok.AccessToken}); r.Code != http.StatusOK {
			t.Errorf("refreshed access token: %s", r)
		}
		res = refresh(second)
		if res.Code != http.StatusOK {
			t.Fatalf("second refresh: %s", res)
		}
		third := res.cookie(secRefreshCookie)

		// The first cookie comes back: stolen. Refused, and the whole
		// family is revoked, the newest token included.
		res = refresh(first)
		expectProblem(t, "reused refresh token", res, http.StatusUnauthorized)
		if c := res.cookie(secRefreshCookie); c == nil || c.MaxAge >= 0 {
			t.Errorf("reuse did not clear the cookie: %+v", c)
		}
		expectProblem(t, "newest token of a revoked family", refresh(third), http.StatusUnauthorized)
		expectProblem(t, "middle token of a revoked family", refresh(second), http.StatusUnauthorized)

		var n int64
		env.db.Model(&models.AuditEvent{}).Where("action = ? AND target_id = ?", "auth.refresh_reused", u.ID).Count(&n)
		if n == 0 {
			t.Error("no auth.refresh_reused audit event")
		}
		// A new sign-in starts a new family that works.
		_, fresh := env.login(u)
		if res := refresh(fresh); res.Code != http.StatusOK {
			t.Errorf("refresh of a new family: %s", res)
		}
		// Garbage, and a cookie sent from a foreign page.
		expectProblem(t, "made-up refresh token", refresh(&http.Cookie{Name: secRefreshCookie, Value: "made-up"}), http.StatusUnauthorized)
		expectProblem(t, "no refresh cookie", env.do(request{Method: "POST", Path: "/api/v1/auth/refresh"}), http.StatusUnauthorized)
		_, c := env.login(u)
		res = env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{c}, Header: map[string]string{"Origin": "https://evil.example"}})
		expectProblem(t, "cross-origin refresh", res, http.StatusForbidden)
	})
}

func TestAuthLogoutEndsSessionAtOnce(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("leaving@example.org", "editor *")
		token, cookie := env.login(u)
		other, _ := env.login(u) // a second session of the same user
		me := func(tok string) *response { return env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: tok}) }
		if res := me(token); res.Code != http.StatusOK {
			t.Fatalf("me before logout: %s", res)
		}
		res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: token, Cookies: []*http.Cookie{cookie}})
		if res.Code != http.StatusNoContent {
			t.Fatalf("logout: %s", res)
		}
		if c := res.cookie(secRefreshCookie); c == nil || c.MaxAge >= 0 {
			t.Errorf("logout did not clear the cookie: %+v", c)
		}
		expectProblem(t, "access token after logout", me(token), http.StatusUnauthorized)
		expectProblem(t, "other session's access token after logout", me(other), http.StatusUnauthorized)
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/offices", Token: token})
		expectProblem(t, "admin route after logout", res, http.StatusUnauthorized)
		res = env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{cookie}})
		expectProblem(t, "refresh after logout", res, http.StatusUnauthorized)
	})
}

func TestAuthPasswordChange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("changer@example.org", "viewer *")
		token, cookie := env.login(u)
		change := func(current, next string) *response {
			return env.do(request{Method: "POST", Path: "/api/v1/auth/password", Token: token,
				Body: map[string]string{"current_password": current, "new_password": next}})
		}
		for _, tc := range []struct {
			name, current, next, field string
		}{
			{"wrong current password", "not my password at all", "a perfectly good passphrase", "current_password"},
			{"too short", u.Password, "short", "new_password"},
			{"too common", u.Password, "password1234", "new_password"},
			{"the email", u.Password, u.Email, "new_password"},
		} {
			res := change(tc.current, tc.next)
			expectProblem(t, tc.name, res, http.StatusBadRequest)
			if got := res.fields(); !slices.Equal(got, []string{tc.field}) {
				t.Errorf("%s: errors name %v, want [%s]", tc.name, got, tc.field)
			}
		}
		if res := env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: token}); res.Code != http.StatusOK {
			t.Fatalf("a refused change ended the session: %s", res)
		}

		const next = "a perfectly good passphrase"
		res := change(u.Password, next)
		if res.Code != http.StatusOK {
			t.Fatalf("change: %s", res)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(res.Body, &tok)
		expectProblem(t, "old access token", env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: token}), http.StatusUnauthorized)
		if res := env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: tok.AccessToken}); res.Code != http.StatusOK {
			t.Errorf("new access token: %s", res)
		}
		expectProblem(t, "old refresh cookie", env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{cookie}}), http.StatusUnauthorized)
		expectProblem(t, "login with the old password", env.do(secLoginReq(u.Email, u.Password)), http.StatusUnauthorized)
		if res := env.do(secLoginReq(u.Email, next)); res.Code != http.StatusOK {
			t.Errorf("login with the new password: %s", res)
		}
	})
}

// secAuditText is every audit event as text, every column included.
func secAuditText(t *testing.T, env *testEnv) string {
	t.Helper()
	var events []models.AuditEvent
	if err := env.db.Order("id").Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "%+v\n", e)
	}
	return b.String()
}

func TestAuthAuditAndLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		admin := env.user("root@example.org", "admin *")
		u := env.user("worker@example.org")
		const newPassword = "the second secret passphrase"
		secrets := []string{u.Password, newPassword, admin.Password, "$argon2id$"}

		if res := env.do(secLoginReq(u.Email, "a mistyped secret passphrase")); res.Code != http.StatusUnauthorized {
			t.Fatalf("failed login: %s", res)
		}
		secrets = append(secrets, "a mistyped secret passphrase")
		token, cookie := env.login(u)
		adminToken, adminCookie := env.login(admin)
		secrets = append(secrets, token, cookie.Value, adminToken, adminCookie.Value)

		if res := env.do(request{Method: "PATCH", Path: "/api/v1/admin/users/" + u.ID, Token: adminToken, Body: map[string]any{"display_name": "Worker"}}); res.Code != http.StatusOK {
			t.Fatalf("user update: %s", res)
		}
		if res := env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: adminToken,
			Body: map[string]string{"user_id": u.ID, "role": "author", "scope": "office:occs"}}); res.Code != http.StatusCreated {
			t.Fatalf("grant: %s", res)
		}
		token, cookie = env.login(u) // the grant ended the earlier session
		secrets = append(secrets, token, cookie.Value)
		res := env.do(request{Method: "POST", Path: "/api/v1/auth/refresh", Cookies: []*http.Cookie{cookie}})
		if res.Code != http.StatusOK {
			t.Fatalf("refresh: %s", res)
		}
		cookie = res.cookie(secRefreshCookie)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(res.Body, &tok)
		token = tok.AccessToken
		secrets = append(secrets, token, cookie.Value)
		res = env.do(request{Method: "POST", Path: "/api/v1/auth/password", Token: token,
			Body: map[string]string{"current_password": u.Password, "new_password": newPassword}})
		if res.Code != http.StatusOK {
			t.Fatalf("password change: %s", res)
		}
		_ = json.Unmarshal(res.Body, &tok)
		cookie = res.cookie(secRefreshCookie)
		secrets = append(secrets, tok.AccessToken, cookie.Value)
		if res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: tok.AccessToken, Cookies: []*http.Cookie{cookie}}); res.Code != http.StatusNoContent {
			t.Fatalf("logout: %s", res)
		}

		for _, action := range []string{"auth.login", "auth.login_failed", "user.update", "grant.create", "auth.password_change", "auth.logout"} {
			var events []models.AuditEvent
			// Only u's: the fixture's own grants are recorded as the system's.
			env.db.Where("action = ? AND target_id = ?", action, u.ID).Find(&events)
			if len(events) == 0 {
				t.Errorf("no %s audit event", action)
			}
			for _, e := range events {
				if e.ClientIP != envPeer {
					t.Errorf("%s: client_ip %q, want %q", action, e.ClientIP, envPeer)
				}
				if e.TargetID == "" {
					t.Errorf("%s: no target", action)
				}
				if action != "auth.login_failed" && (e.ActorID == nil || *e.ActorID == "") {
					t.Errorf("%s: no actor", action)
				}
			}
		}

		audit, logs := secAuditText(t, env), env.log.String()
		if !strings.Contains(logs, "/api/v1/auth/login") {
			t.Fatalf("the captured log misses the requests: %q", logs)
		}
		for _, s := range secrets {
			if strings.Contains(audit, s) {
				t.Errorf("the audit log contains a secret %.12q…", s)
			}
			if strings.Contains(logs, s) {
				t.Errorf("the server log contains a secret %.12q…", s)
			}
		}
		// Nor does the audit API show them.
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/audit?limit=100", Token: env.issue(admin.ID)})
		if res.Code != http.StatusOK {
			t.Fatalf("audit list: %s", res)
		}
		for _, s := range secrets {
			if bytes.Contains(res.Body, []byte(s)) {
				t.Errorf("GET /admin/audit shows a secret %.12q…", s)
			}
		}
	})
}

// X-Forwarded-For is believed only from a configured proxy.
func TestAuthForwardedForNeedsTrustedProxy(t *testing.T) {
	const forwarded = "203.0.113.9"
	lastLoginIP := func(t *testing.T, env *testEnv, userID string) string {
		t.Helper()
		events, _, err := models.ListAudit(context.Background(), env.db, models.AuditFilter{Action: "auth.login", TargetID: userID, Limit: 1})
		if err != nil || len(events) == 0 {
			t.Fatalf("no login event: %v", err)
		}
		return events[0].ClientIP
	}
	for _, tc := range []struct {
		name    string
		trusted []string
		want    string
	}{
		{"no trusted proxy", nil, envPeer},
		{"another proxy trusted", []string{"10.0.0.0/8"}, envPeer},
		{"the peer is a trusted proxy", []string{envPeer}, forwarded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, env *testEnv) {
				u := env.user("proxied@example.org")
				r := secLoginReq(u.Email, u.Password)
				r.Header = map[string]string{"X-Forwarded-For": forwarded, "X-Real-IP": forwarded}
				if res := env.do(r); res.Code != http.StatusOK {
					t.Fatalf("login: %s", res)
				}
				if got := lastLoginIP(t, env, u.ID); got != tc.want {
					t.Errorf("audit client_ip %q, want %q", got, tc.want)
				}
			}, withOptions(func(o *handlers.Options) { o.TrustedProxies = tc.trusted }))
		})
	}
}

// Odd bodies are refused as the client's mistake, on both databases (a NUL
// byte, for one, is text PostgreSQL will not store or compare).
func TestAuthLoginOddInput(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("odd@example.org")
		long := strings.Repeat("a", 250) + "@example.org"
		for _, tc := range []struct {
			name   string
			body   any
			ctype  string
			status int
		}{
			{"NUL in email", `{"email":"odd\u0000@example.org","password":"whatever it is"}`, "", http.StatusUnauthorized},
			{"NUL in password", `{"email":"odd@example.org","password":"what\u0000ever"}`, "", http.StatusUnauthorized},
			{"invalid UTF-8", "{\"email\":\"odd\xff@example.org\",\"password\":\"x\xfe\"}", "", http.StatusBadRequest}, // issue 6 item 9
			{"email too long", map[string]string{"email": long, "password": "whatever it is"}, "", http.StatusBadRequest},
			{"password too long", map[string]string{"email": u.Email, "password": strings.Repeat("p", 5000)}, "", http.StatusBadRequest},
			{"email is a number", `{"email":5,"password":"x"}`, "", http.StatusBadRequest},
			{"array", `[]`, "", http.StatusBadRequest},
			{"null", `null`, "", http.StatusBadRequest},
			{"empty object", `{}`, "", http.StatusBadRequest},
			{"two objects", `{"email":"odd@example.org","password":"x"}{}`, "", http.StatusBadRequest},
			{"unknown field", `{"email":"odd@example.org","password":"x","remember":true}`, "", http.StatusBadRequest},
			{"form encoded", "email=odd%40example.org&password=x", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
			{"not JSON", "{", "", http.StatusBadRequest},
		} {
			r := request{Method: "POST", Path: "/api/v1/auth/login", Body: tc.body}
			if tc.ctype != "" {
				r.Header = map[string]string{"Content-Type": tc.ctype}
			}
			res := env.do(r)
			expectProblem(t, tc.name, res, tc.status)
		}
		// A body larger than the cap.
		big := `{"email":"odd@example.org","password":"` + strings.Repeat("x", 2<<20) + `"}`
		expectProblem(t, "huge body", env.do(request{Method: "POST", Path: "/api/v1/auth/login", Body: big}), http.StatusRequestEntityTooLarge)
	})
}
