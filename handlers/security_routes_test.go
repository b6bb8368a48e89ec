package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"bureau/handlers"
)

// Who may call what is decided in handlers/openapi.json: an operation that
// declares `security: []` is public; every other one names the credentials
// it needs, and without them it answers 401. The web admin's pages are
// public like any login page (all they can do without a token is show the
// sign-in form). What each role may do on each admin route is
// TestAdminRoleRouteMatrix (scenario_test.go).

const adminPrefix = "/api/v1/admin/"

func TestSecurityEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	c := contract(t)
	eachDB(t, func(t *testing.T, env *testEnv) {
		routes := env.router.Routes()
		if len(routes) < 30 {
			t.Fatalf("only %d routes: is the router built?", len(routes))
		}
		public := 0
		for _, rt := range routes {
			if rt.Method == http.MethodOptions || isNotAPIRoute(rt.Path) {
				continue // CORS preflights; the web admin's pages
			}
			key := rt.Method + " " + rt.Path
			path := fillPathParams(t, rt.Path)
			method := rt.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			o, ok := c.find(httptest.NewRequest(method, path, nil))
			if !ok {
				t.Errorf("%s is not documented, so nobody decided who may call it", key)
				continue
			}
			var body any
			if rt.Method == http.MethodPost || rt.Method == http.MethodPatch {
				body = "{}"
			}
			schemes := o.schemes()
			switch {
			case o.isPublic():
				public++
				if strings.HasPrefix(rt.Path, adminPrefix) {
					t.Errorf("%s is under %s but documented as public", key, adminPrefix)
				}
			case slices.Contains(schemes, "bearerAuth"):
				res := env.do(request{Method: rt.Method, Path: path, Body: body})
				expectProblem(t, key+" without a token", res, http.StatusUnauthorized)
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s without a token: WWW-Authenticate %q", key, res.Header.Get("WWW-Authenticate"))
				}
				res = env.do(request{Method: rt.Method, Path: path, Body: body, Token: "not-a-jwt"})
				expectProblem(t, key+" with a garbage token", res, http.StatusUnauthorized)
			case slices.Contains(schemes, "refreshCookie"):
				expectProblem(t, key+" without the cookie", env.do(request{Method: rt.Method, Path: path, Body: body}), http.StatusUnauthorized)
			default:
				t.Errorf("%s: no check for its security schemes %v", key, schemes)
			}
		}
		if public == 0 {
			t.Error("no public route found: is `security: []` still declared?")
		}
	})
}

// Unknown paths under the guarded prefixes answer like any unknown path,
// and CORS never opens the admin API to a foreign page: a preflight from
// an unlisted origin gets no Access-Control-Allow-Origin and reaches no
// handler, and a listed origin still needs a token.
func TestSecurityRouteUnknownAndPreflight(t *testing.T) {
	t.Parallel()
	const adminOrigin = "https://admin.example"
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{"GET", "/api/v1/admin/nothing-here", http.StatusNotFound},
			{"PUT", "/api/v1/admin/users", http.StatusMethodNotAllowed},
		} {
			expectProblem(t, tc.method+" "+tc.path, env.do(request{Method: tc.method, Path: tc.path}), tc.status)
		}
		for _, path := range []string{"/api/v1/admin/users", "/api/v1/admin/offices/" + env.occs, "/api/v1/auth/me", "/api/v1/auth/refresh"} {
			res := env.do(request{Method: "OPTIONS", Path: path, Header: map[string]string{
				"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"}})
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("OPTIONS %s from a foreign origin: Access-Control-Allow-Origin %q", path, got)
			}
			if res.Code != http.StatusNoContent && res.Code != http.StatusMethodNotAllowed {
				t.Errorf("OPTIONS %s from a foreign origin: %s, want 204 or 405", path, res)
			}
			res = env.do(request{Method: "OPTIONS", Path: path, Header: map[string]string{
				"Origin": adminOrigin, "Access-Control-Request-Method": "PATCH"}})
			if res.Code != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != adminOrigin {
				t.Errorf("OPTIONS %s from the admin origin: %s, ACAO %q", path, res, res.Header.Get("Access-Control-Allow-Origin"))
			}
		}
		res := env.do(request{Path: "/api/v1/admin/users", Header: map[string]string{"Origin": adminOrigin}})
		expectProblem(t, "GET /api/v1/admin/users from the admin origin without a token", res, http.StatusUnauthorized)
	}, withOptions(func(o *handlers.Options) { o.AdminOrigins = []string{adminOrigin} }))
}
