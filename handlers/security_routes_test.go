package handlers_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"bureau/handlers"
)

// secPublicRoutes are the only routes anyone may call without a token. A
// route missing here and outside the checked prefixes below fails
// TestSecurityEveryRouteIsGuarded: adding a route means deciding, in this
// list or by putting it behind authentication, who may call it.
var secPublicRoutes = []string{
	"GET /healthz",
	"GET /readyz",
	"GET /metrics",
	"GET /api/openapi.json",
	"HEAD /api/openapi.json",
	"GET /api/docs",
	"HEAD /api/docs",
	"GET /api/v1/offices",
	"HEAD /api/v1/offices",
	"OPTIONS /api/v1/offices",
	"GET /api/v1/offices/:slug",
	"HEAD /api/v1/offices/:slug",
	"OPTIONS /api/v1/offices/:slug",
	"GET /api/v1/departments",
	"HEAD /api/v1/departments",
	"OPTIONS /api/v1/departments",
	"GET /api/v1/departments/:slug",
	"HEAD /api/v1/departments/:slug",
	"OPTIONS /api/v1/departments/:slug",
	"POST /api/v1/auth/login",
	"POST /api/v1/auth/refresh",
	// Needs the one-time token `bureau serve` prints while no account
	// exists; refused once any account exists (setup_test.go).
	"POST /api/v1/auth/setup",
	// The web admin's HTML, script and style: public like any login page;
	// all it can do without a token is show the sign-in form.
	"GET /admin",
	"HEAD /admin",
	"GET /admin/*path",
	"HEAD /admin/*path",
}

// secSessionRoutes act on the signed-in user's own account: any active user
// may call them (no grant needed), nobody without a token.
var secSessionRoutes = []string{
	"POST /api/v1/auth/logout",
	"GET /api/v1/auth/me",
	"PATCH /api/v1/auth/me",
	"POST /api/v1/auth/password",
}

const secAdminPrefix = "/api/v1/admin/"

var secRouteParam = regexp.MustCompile(`[:*][A-Za-z0-9_]+`)

// secFillParams puts a syntactically valid value in each path parameter.
func secFillParams(t *testing.T, path string) string {
	t.Helper()
	return secRouteParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case ":id":
			return uuid.NewString()
		case ":n":
			return "1"
		case ":slug":
			return "occs"
		case ":type":
			return "departments"
		case "*path":
			return "departments"
		}
		t.Errorf("%s: no dummy value for path parameter %s; add one to secFillParams", path, p)
		return "x"
	})
}

func TestSecurityEveryRouteIsGuarded(t *testing.T) {
	secEach(t, func(t *testing.T, env *secEnv) {
		nobody := env.user("nobody@example.org") // active, holds no grant
		routes := env.router.Routes()
		if len(routes) < 30 {
			t.Fatalf("only %d routes: is the router built?", len(routes))
		}
		seenAdmin, seenPublic, seenSession := 0, map[string]bool{}, map[string]bool{}
		for _, rt := range routes {
			key := rt.Method + " " + rt.Path
			path := secFillParams(t, rt.Path)
			var body any
			if rt.Method == http.MethodPost || rt.Method == http.MethodPatch {
				body = "{}"
			}
			switch {
			case strings.HasPrefix(rt.Path, secAdminPrefix):
				seenAdmin++
				res := env.do(secReq{Method: rt.Method, Path: path, Body: body})
				secExpectProblem(t, key+" without a token", res, http.StatusUnauthorized)
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s without a token: WWW-Authenticate %q", key, res.Header.Get("WWW-Authenticate"))
				}
				res = env.do(secReq{Method: rt.Method, Path: path, Body: body, Token: "not-a-jwt"})
				secExpectProblem(t, key+" with a garbage token", res, http.StatusUnauthorized)
				res = env.do(secReq{Method: rt.Method, Path: path, Body: body, Token: nobody.Token})
				secExpectProblem(t, key+" as a user without grants", res, http.StatusForbidden)
			case slices.Contains(secSessionRoutes, key):
				seenSession[key] = true
				res := env.do(secReq{Method: rt.Method, Path: path, Body: body})
				secExpectProblem(t, key+" without a token", res, http.StatusUnauthorized)
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s without a token: WWW-Authenticate %q", key, res.Header.Get("WWW-Authenticate"))
				}
			case slices.Contains(secPublicRoutes, key):
				seenPublic[key] = true
			default:
				t.Errorf("route %s is neither under %s, nor a session route, nor in secPublicRoutes: "+
					"put it behind authentication or add it to the allowlist deliberately", key, secAdminPrefix)
			}
		}
		if seenAdmin == 0 {
			t.Error("no admin route found")
		}
		// Stale entries would make the allowlists quietly wider than the API.
		for _, key := range secPublicRoutes {
			if !seenPublic[key] {
				t.Errorf("secPublicRoutes lists %s, which the router does not have", key)
			}
		}
		for _, key := range secSessionRoutes {
			if !seenSession[key] {
				t.Errorf("secSessionRoutes lists %s, which the router does not have", key)
			}
		}
	})
}

// Unknown paths under the guarded prefixes answer like any unknown path,
// and CORS never opens the admin API to a foreign page: a preflight from
// an unlisted origin gets no Access-Control-Allow-Origin and reaches no
// handler, and a listed origin still needs a token.
func TestSecurityRouteUnknownAndPreflight(t *testing.T) {
	const adminOrigin = "https://admin.example"
	cfg := secConfig{opts: func(o *handlers.Options) { o.AdminOrigins = []string{adminOrigin} }}
	secEachWith(t, cfg, func(t *testing.T, env *secEnv) {
		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{"GET", "/api/v1/admin/nothing-here", http.StatusNotFound},
			{"PUT", "/api/v1/admin/users", http.StatusMethodNotAllowed},
		} {
			res := env.do(secReq{Method: tc.method, Path: tc.path})
			secExpectProblem(t, tc.method+" "+tc.path, res, tc.status)
		}
		for _, path := range []string{"/api/v1/admin/users", "/api/v1/admin/offices/" + env.occs, "/api/v1/auth/me", "/api/v1/auth/refresh"} {
			res := env.do(secReq{Method: "OPTIONS", Path: path, Header: map[string]string{
				"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"}})
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("OPTIONS %s from a foreign origin: Access-Control-Allow-Origin %q", path, got)
			}
			if res.Code != http.StatusNoContent && res.Code != http.StatusMethodNotAllowed {
				t.Errorf("OPTIONS %s from a foreign origin: %s, want 204 or 405", path, res)
			}
			res = env.do(secReq{Method: "OPTIONS", Path: path, Header: map[string]string{
				"Origin": adminOrigin, "Access-Control-Request-Method": "PATCH"}})
			if res.Code != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != adminOrigin {
				t.Errorf("OPTIONS %s from the admin origin: %s, ACAO %q", path, res, res.Header.Get("Access-Control-Allow-Origin"))
			}
		}
		res := env.do(secReq{Method: "GET", Path: "/api/v1/admin/users", Header: map[string]string{"Origin": adminOrigin}})
		secExpectProblem(t, "GET /api/v1/admin/users from the admin origin without a token", res, http.StatusUnauthorized)
	})
}
