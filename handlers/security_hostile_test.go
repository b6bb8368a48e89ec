package handlers_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"bureau/auth"
	"bureau/models"
	"bureau/policies"
)

// Hostile requests: each is refused with the right status, and leaves users,
// grants and content exactly as they were.

// secClaims are the claims of a hand-made token, valid unless changed.
func (env *testEnv) secClaims(userID string) auth.Claims {
	now := time.Now()
	return auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: envIssuer, Subject: userID, Audience: jwt.ClaimStrings{envAudience},
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), NotBefore: jwt.NewNumericDate(now),
			IssuedAt: jwt.NewNumericDate(now), ID: "hand-made",
		},
		TokenVersion: env.tokenVersion(userID),
	}
}

func secSign(t testing.TB, method jwt.SigningMethod, claims auth.Claims, key any) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return tok
}

// secTamper rewrites a token's payload and keeps its signature.
func secTamper(t testing.TB, token string, change func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	change(claims)
	raw, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// secCast is the cast of the hostile suite, made once per database.
type secCast struct {
	admin, editorAll, editorOCCS, author, viewer, deptEditor, victim *envUser
	adminGrant                                                       int64
	// other is an office outside office:occs, with one department.
	other, otherDept string
}

func secNewCast(t *testing.T, env *testEnv) *secCast {
	t.Helper()
	c := &secCast{
		admin:      env.user("admin@example.org", "admin *"),
		editorAll:  env.user("editor-all@example.org", "editor *"),
		editorOCCS: env.user("editor-occs@example.org", "editor office:occs"),
		author:     env.user("author@example.org", "author office:occs"),
		viewer:     env.user("viewer@example.org", "viewer office:occs"),
		deptEditor: env.user("dept-editor@example.org", "editor department:ecce"),
		victim:     env.user("victim@example.org", "viewer *"),
	}
	grants := env.grantsOf(t, c.admin.ID)
	if len(grants) != 1 || grants[0].Role != policies.RoleAdmin {
		t.Fatalf("admin grants: %+v", grants)
	}
	c.adminGrant = grants[0].ID
	ctx := context.Background()
	o, err := models.CreateOffice(ctx, env.db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "finance", Name: "Finance", Acronym: "FIN"}}, "")
	if err != nil {
		t.Fatalf("create office: %v", err)
	}
	d, err := models.CreateDepartment(ctx, env.db, models.System, models.DepartmentContent{OfficeID: o.ID, CommonContent: models.CommonContent{Slug: "payroll", Name: "Payroll"}}, "")
	if err != nil {
		t.Fatalf("create department: %v", err)
	}
	c.other, c.otherDept = o.ID, d.ID
	return c
}

type secHostileCase struct {
	name string
	// prepare may change the database (sign out, change a password) and
	// returns the hostile request; the snapshot is taken after it.
	prepare func(t *testing.T, env *testEnv, c *secCast) request
	status  int
	fields  []string // the problem's errors must name exactly these
	check   func(t *testing.T, res *response)
}

func secHostileCases() []secHostileCase {
	// A write the hostile token would do if it were accepted.
	rename := func(c *secCast) request {
		return request{Method: "PATCH", Path: "/api/v1/admin/users/" + c.victim.ID, Body: map[string]any{"display_name": "pwned"}}
	}
	withToken := func(r request, token string) request { r.Token = token; return r }
	deptPatch := func(env *testEnv, c *secCast, u *envUser, id string, body any) request {
		path := "/api/v1/admin/departments/" + id
		return request{Method: "PATCH", Path: path, Token: u.Token, Body: body,
			Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}
	}
	massAssign := func(field string, value any) secHostileCase {
		return secHostileCase{
			name: "admin PATCH user sets " + field, status: http.StatusBadRequest, fields: []string{field},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/admin/users/" + c.victim.ID, Token: c.admin.Token,
					Body: map[string]any{field: value, "display_name": "changed"}}
			},
		}
	}
	selfAssign := func(field string, value any) secHostileCase {
		return secHostileCase{
			name: "PATCH /auth/me sets " + field, status: http.StatusBadRequest, fields: []string{field},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/auth/me", Token: c.author.Token,
					Body: map[string]any{field: value, "display_name": "changed"}}
			},
		}
	}
	authorField := func(field string, value func(c *secCast) any) secHostileCase {
		return secHostileCase{
			name: "author PATCH department " + field, status: http.StatusForbidden, fields: []string{field},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return deptPatch(env, c, c.author, env.ecce, map[string]any{field: value(c)})
			},
		}
	}
	constant := func(v any) func(*secCast) any { return func(*secCast) any { return v } }
	authorAction := func(method, suffix string) secHostileCase {
		return secHostileCase{
			name: "author " + method + " department" + suffix, status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				path := "/api/v1/admin/departments/" + env.ecce
				return request{Method: method, Path: path + suffix, Token: c.author.Token,
					Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}
			},
		}
	}

	return []secHostileCase{
		// Tokens that must not be accepted, each on the admin's behalf.
		{name: "token signed with another secret", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, env.secClaims(c.admin.ID), []byte("another-secret-that-is-32-bytes-long!!")))
			}},
		{name: "payload changed to the admin, signature kept", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				tv := env.tokenVersion(c.admin.ID)
				return withToken(rename(c), secTamper(t, c.viewer.Token, func(m map[string]any) { m["sub"] = c.admin.ID; m["tv"] = tv }))
			}},
		{name: "token version raised, signature kept", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return withToken(rename(c), secTamper(t, c.admin.Token, func(m map[string]any) { m["tv"] = 99 }))
			}},
		{name: "expired token", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				cl := env.secClaims(c.admin.ID)
				past := time.Now().Add(-time.Hour)
				cl.IssuedAt, cl.NotBefore, cl.ExpiresAt = jwt.NewNumericDate(past), jwt.NewNumericDate(past), jwt.NewNumericDate(past.Add(time.Minute))
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, cl, []byte(envSecret)))
			}},
		{name: "token without expiry", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				cl := env.secClaims(c.admin.ID)
				cl.ExpiresAt = nil
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, cl, []byte(envSecret)))
			}},
		{name: "alg none", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return withToken(rename(c), secSign(t, jwt.SigningMethodNone, env.secClaims(c.admin.ID), jwt.UnsafeAllowNoneSignatureType))
			}},
		{name: "alg none with the admin's real signature", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				parts := strings.Split(c.admin.Token, ".")
				parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
				return withToken(rename(c), strings.Join(parts, "."))
			}},
		{name: "HS512 with the right secret", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS512, env.secClaims(c.admin.ID), []byte(envSecret)))
			}},
		{name: "RS256", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				key, err := rsa.GenerateKey(rand.Reader, 2048)
				if err != nil {
					t.Fatal(err)
				}
				return withToken(rename(c), secSign(t, jwt.SigningMethodRS256, env.secClaims(c.admin.ID), key))
			}},
		{name: "wrong issuer", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				cl := env.secClaims(c.admin.ID)
				cl.Issuer = "someone-else"
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, cl, []byte(envSecret)))
			}},
		{name: "wrong audience", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				cl := env.secClaims(c.admin.ID)
				cl.Audience = jwt.ClaimStrings{"bureau-public"}
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, cl, []byte(envSecret)))
			}},
		{name: "subject that is no user", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				cl := env.secClaims(c.admin.ID)
				cl.Subject = "admin"
				return withToken(rename(c), secSign(t, jwt.SigningMethodHS256, cl, []byte(envSecret)))
			}},
		{name: "token of a deactivated user", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				u := env.user("deactivated@example.org", "admin *")
				res := env.do(request{Method: "PATCH", Path: "/api/v1/admin/users/" + u.ID, Token: c.admin.Token, Body: map[string]any{"active": false}})
				if res.Code != http.StatusOK {
					t.Fatalf("deactivate: %s", res)
				}
				return withToken(rename(c), u.Token)
			}},
		{name: "old token after logout", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				u := env.user("logged-out@example.org", "admin *")
				token, cookie := env.login(u)
				if res := env.do(request{Method: "POST", Path: "/api/v1/auth/logout", Token: token, Cookies: []*http.Cookie{cookie}}); res.Code != http.StatusNoContent {
					t.Fatalf("logout: %s", res)
				}
				return withToken(rename(c), token)
			}},
		{name: "old token after password change", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				u := env.user("changed-password@example.org", "admin *")
				res := env.do(request{Method: "POST", Path: "/api/v1/auth/password", Token: u.Token,
					Body: map[string]string{"current_password": u.Password, "new_password": "a brand new passphrase 42"}})
				if res.Code != http.StatusOK {
					t.Fatalf("change password: %s", res)
				}
				return withToken(rename(c), u.Token)
			}},
		{name: "old token after a grant change", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				u := env.user("regranted@example.org", "admin *")
				res := env.do(request{Method: "POST", Path: "/api/v1/admin/grants", Token: c.admin.Token,
					Body: map[string]string{"user_id": u.ID, "role": "viewer", "scope": "office:occs"}})
				if res.Code != http.StatusCreated {
					t.Fatalf("grant: %s", res)
				}
				return withToken(rename(c), u.Token)
			}},
		{name: "old token after a grant removal", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				u := env.user("degranted@example.org", "admin *", "editor *")
				g := env.grantsOf(t, u.ID)[1]
				res := env.do(request{Method: "DELETE", Path: "/api/v1/admin/grants/" + strconv.FormatInt(g.ID, 10), Token: c.admin.Token})
				if res.Code != http.StatusNoContent {
					t.Fatalf("remove grant: %s", res)
				}
				return withToken(rename(c), u.Token)
			}},
		{name: "token in a query string", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				r := rename(c)
				r.Path += "?access_token=" + c.admin.Token
				return r
			}},
		{name: "token with another scheme", status: http.StatusUnauthorized,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				r := rename(c)
				r.Header = map[string]string{"Authorization": "Basic " + c.admin.Token}
				return r
			}},

		// Mass assignment: fields no request type holds are refused by name.
		massAssign("role", "admin"),
		massAssign("id", "00000000-0000-0000-0000-000000000001"),
		massAssign("token_version", 5),
		massAssign("password_hash", "x"),
		massAssign("grants", []map[string]string{{"role": "admin", "scope": "*"}}),
		massAssign("Role", "admin"),
		selfAssign("email", "someone-else@example.org"),
		selfAssign("active", false),
		selfAssign("role", "admin"),
		selfAssign("token_version", 9),
		{name: "user creation with a role", status: http.StatusBadRequest, fields: []string{"role"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/users", Token: c.admin.Token, Body: map[string]any{
					"email": "new@example.org", "password": "a long enough passphrase", "role": "admin"}}
			}},

		// Text PostgreSQL cannot store is the client's mistake, not a 500.
		{name: "NUL in the own display name", status: http.StatusBadRequest, fields: []string{"display_name"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/auth/me", Token: c.author.Token, Body: `{"display_name":"a\u0000b"}`}
			}},
		{name: "NUL in a user's display name", status: http.StatusBadRequest, fields: []string{"display_name"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/admin/users/" + c.victim.ID, Token: c.admin.Token, Body: `{"display_name":"a\u0000b"}`}
			}},
		{name: "NUL in an admin list filter", status: http.StatusBadRequest, fields: []string{"q"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/users?q=%00", Token: c.admin.Token}
			}},

		// Privilege escalation.
		{name: "editor * grants themselves admin", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/grants", Token: c.editorAll.Token,
					Body: map[string]string{"user_id": c.editorAll.ID, "role": "admin", "scope": "*"}}
			}},
		{name: "editor * makes a user", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/users", Token: c.editorAll.Token,
					Body: map[string]string{"email": "sock@example.org", "password": "a long enough passphrase"}}
			}},
		{name: "editor * deactivates the admin", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/admin/users/" + c.admin.ID, Token: c.editorAll.Token, Body: map[string]any{"active": false}}
			}},
		{name: "editor * removes the admin's grant", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "DELETE", Path: "/api/v1/admin/grants/" + strconv.FormatInt(c.adminGrant, 10), Token: c.editorAll.Token}
			}},
		{name: "admin grants admin in an office scope", status: http.StatusBadRequest, fields: []string{"scope"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/grants", Token: c.admin.Token,
					Body: map[string]string{"user_id": c.victim.ID, "role": "admin", "scope": "office:occs"}}
			}},
		{name: "admin grants a made-up role", status: http.StatusBadRequest, fields: []string{"role"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/grants", Token: c.admin.Token,
					Body: map[string]string{"user_id": c.victim.ID, "role": "root", "scope": "*"}}
			}},

		// Scopes. Content the user may not even read answers as an unknown id.
		{name: "office editor PATCHes another office's department", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return deptPatch(env, c, c.editorOCCS, c.otherDept, map[string]any{"summary": "mine now"})
			}},
		{name: "office editor publishes another office's department", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				r := deptPatch(env, c, c.editorOCCS, c.otherDept, nil)
				r.Method, r.Path = "POST", r.Path+"/publish"
				return r
			}},
		{name: "office editor deletes another office's department", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				r := deptPatch(env, c, c.editorOCCS, c.otherDept, nil)
				r.Method = "DELETE"
				return r
			}},
		{name: "office editor reads another office's department", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/departments/" + c.otherDept, Token: c.editorOCCS.Token}
			}},
		{name: "office editor reads another office's revisions", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/departments/" + c.otherDept + "/revisions/1", Token: c.editorOCCS.Token}
			}},
		{name: "office editor reads another office", status: http.StatusNotFound,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/offices/" + c.other, Token: c.editorOCCS.Token}
			}},
		{name: "office editor moves a department out to another office", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return deptPatch(env, c, c.editorOCCS, env.ecce, map[string]any{"office_id": c.other})
			}},
		{name: "office editor creates a department in another office", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/departments", Token: c.editorOCCS.Token,
					Body: map[string]any{"office_id": c.other, "slug": "smuggled", "name": "Smuggled"}}
			}},
		{name: "office editor creates an office", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/offices", Token: c.editorOCCS.Token,
					Body: map[string]any{"slug": "rogue", "name": "Rogue Office"}}
			}},
		{name: "department editor reads the parent office", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/offices/" + env.occs, Token: c.deptEditor.Token}
			}},
		{name: "department editor PATCHes the parent office", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				path := "/api/v1/admin/offices/" + env.occs
				return request{Method: "PATCH", Path: path, Token: c.deptEditor.Token, Body: map[string]any{"summary": "x"},
					Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}
			}},
		{name: "department editor creates a sibling department", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/departments", Token: c.deptEditor.Token,
					Body: map[string]any{"office_id": env.occs, "slug": "sibling", "name": "Sibling"}}
			}},
		{name: "user without grants lists users", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/users", Token: env.user("plain@example.org").Token}
			}},
		{name: "viewer reads the audit log", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "GET", Path: "/api/v1/admin/audit", Token: c.victim.Token}
			}},

		// Field-level rights of an author.
		authorField("name", constant("Renamed")),
		authorField("slug", constant("renamed")),
		authorField("acronym", constant("RN")),
		authorField("office_id", func(c *secCast) any { return c.other }),
		authorField("position", constant(42)),
		{name: "author PATCH of allowed and forbidden fields together", status: http.StatusForbidden,
			fields: []string{"acronym", "name", "office_id", "position", "slug"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return deptPatch(env, c, c.author, env.ecce, map[string]any{"summary": "fine", "name": "Renamed", "slug": "renamed",
					"acronym": "RN", "office_id": c.other, "position": 42})
			}},
		{name: "author renames the office", status: http.StatusForbidden, fields: []string{"name"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				path := "/api/v1/admin/offices/" + env.occs
				return request{Method: "PATCH", Path: path, Token: c.author.Token, Body: map[string]any{"name": "Renamed"},
					Header: map[string]string{"If-Match": env.etag(c.admin.Token, path)}}
			}},
		authorAction("POST", "/publish"),
		authorAction("POST", "/unpublish"),
		authorAction("DELETE", ""),
		{name: "author creates a department", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/departments", Token: c.author.Token,
					Body: map[string]any{"office_id": env.occs, "slug": "new", "name": "New"}}
			}},
		{name: "viewer PATCH", status: http.StatusForbidden,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return deptPatch(env, c, c.viewer, env.ecce, map[string]any{"summary": "x"})
			}},

		// Concurrency control.
		{name: "PATCH without If-Match", status: http.StatusPreconditionRequired,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "PATCH", Path: "/api/v1/admin/departments/" + env.ecce, Token: c.editorAll.Token, Body: map[string]any{"summary": "x"}}
			}},
		{name: "publish without If-Match", status: http.StatusPreconditionRequired,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				return request{Method: "POST", Path: "/api/v1/admin/departments/" + env.ecce + "/publish", Token: c.editorAll.Token}
			}},
		{name: "PATCH with a stale If-Match", status: http.StatusPreconditionFailed,
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				path := "/api/v1/admin/departments/" + env.ecce
				stale := env.etag(c.admin.Token, path)
				// Someone else saves first.
				res := env.do(request{Method: "PATCH", Path: path, Token: c.editorAll.Token, Body: map[string]any{"summary": "saved first " + stale},
					Header: map[string]string{"If-Match": stale}})
				if res.Code != http.StatusOK {
					t.Fatalf("first save: %s", res)
				}
				return request{Method: "PATCH", Path: path, Token: c.editorOCCS.Token, Body: map[string]any{"summary": "overwrite"},
					Header: map[string]string{"If-Match": stale}}
			},
			check: func(t *testing.T, res *response) {
				if v, ok := res.json()["current_version"].(float64); !ok || v < 2 {
					t.Errorf("412 without a usable current_version: %s", res.Body)
				}
			}},

		// Lock-out protection.
		{name: "last admin deactivates themselves", status: http.StatusConflict, fields: []string{"active"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				secOnlyAdmin(t, env, c)
				return request{Method: "PATCH", Path: "/api/v1/admin/users/" + c.admin.ID, Token: c.admin.Token, Body: map[string]any{"active": false}}
			}},
		{name: "last admin removes their admin grant", status: http.StatusConflict, fields: []string{"role"},
			prepare: func(t *testing.T, env *testEnv, c *secCast) request {
				secOnlyAdmin(t, env, c)
				return request{Method: "DELETE", Path: "/api/v1/admin/grants/" + strconv.FormatInt(c.adminGrant, 10), Token: c.admin.Token}
			}},
	}
}

// secOnlyAdmin deactivates, through the API, every other active admin that
// earlier cases made, so c.admin is the last one.
func secOnlyAdmin(t *testing.T, env *testEnv, c *secCast) {
	t.Helper()
	grants, err := policies.ListGrants(context.Background(), env.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if g.Role != policies.RoleAdmin || g.UserID == c.admin.ID {
			continue
		}
		u, err := models.GetUser(context.Background(), env.db, g.UserID)
		if err != nil || !u.Active {
			continue
		}
		res := env.do(request{Method: "PATCH", Path: "/api/v1/admin/users/" + g.UserID, Token: c.admin.Token, Body: map[string]any{"active": false}})
		if res.Code != http.StatusOK {
			t.Fatalf("deactivate admin %s: %s", u.Email, res)
		}
	}
	if n, err := models.CountActiveAdmins(context.Background(), env.db); err != nil || n != 1 {
		t.Fatalf("active admins: %d, %v", n, err)
	}
}

func TestSecurityHostileRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		cast := secNewCast(t, env)
		for _, tc := range secHostileCases() {
			t.Run(tc.name, func(t *testing.T) {
				req := tc.prepare(t, env, cast)
				before := env.snapshot(t, "audit_events", "refresh_tokens")
				res := env.do(req)
				after := env.snapshot(t, "audit_events", "refresh_tokens")
				expectProblem(t, req.Method+" "+req.Path, res, tc.status)
				if tc.status == http.StatusUnauthorized && res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
				if tc.fields != nil {
					got := res.fields()
					slices.Sort(got)
					if !slices.Equal(got, tc.fields) {
						t.Errorf("errors name %v, want %v: %s", got, tc.fields, res.Body)
					}
				}
				if tc.check != nil {
					tc.check(t, res)
				}
				if changed := snapshotDiff(before, after); len(changed) > 0 {
					t.Errorf("the database changed: %v", changed)
				}
			})
		}
		// The cast is intact: the admin is still an active admin, the
		// victim unrenamed.
		if u, err := models.GetUser(context.Background(), env.db, cast.victim.ID); err != nil || u.DisplayName == "pwned" {
			t.Errorf("victim: %+v, %v", u, err)
		}
		if n, err := models.CountActiveAdmins(context.Background(), env.db); err != nil || n < 1 {
			t.Errorf("active admins: %d, %v", n, err)
		}
	})
}

// An author may change the descriptive fields, and the change is saved.
func TestSecurityAuthorEditsDescriptiveFields(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		cast := secNewCast(t, env)
		path := "/api/v1/admin/departments/" + env.ecce
		etag := env.etag(cast.author.Token, path)
		contacts := []map[string]any{{"label": "Front desk", "emails": []map[string]string{{"address": "desk@example.org"}}}}
		res := env.do(request{Method: "PATCH", Path: path, Token: cast.author.Token, Header: map[string]string{"If-Match": etag},
			Body: map[string]any{"summary": "Edited by the author.", "description_html": "<p>Edited <b>text</b>.</p>", "contacts": contacts}})
		if res.Code != http.StatusOK {
			t.Fatalf("author PATCH: %s", res)
		}
		if res.Header.Get("ETag") == etag {
			t.Errorf("ETag did not change: %s", etag)
		}
		_, c, err := models.GetDepartment(context.Background(), env.db, env.ecce)
		if err != nil {
			t.Fatal(err)
		}
		if c.Summary != "Edited by the author." || !strings.Contains(c.DescriptionHTML, "Edited") ||
			len(c.Contacts) != 1 || c.Contacts[0].Label != "Front desk" || c.Name != "Early College and Career Education" {
			t.Errorf("stored draft: %+v", c)
		}
		// The same author may not then publish what they wrote.
		res = env.do(request{Method: "POST", Path: path + "/publish", Token: cast.author.Token, Header: map[string]string{"If-Match": res.Header.Get("ETag")}})
		expectProblem(t, "author publish", res, http.StatusForbidden)
		// And the office editor may.
		res = env.do(request{Method: "POST", Path: path + "/publish", Token: cast.editorOCCS.Token, Header: map[string]string{"If-Match": env.etag(cast.admin.Token, path)}})
		if res.Code != http.StatusOK {
			t.Errorf("office editor publish: %s", res)
		}
	})
}

// The positive side of the scope checks: what the refusals above refuse is
// allowed to the right people, so the refusals are not an accident.
func TestSecurityScopedRightsWork(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		c := secNewCast(t, env)
		for _, tc := range []struct {
			who    *envUser
			method string
			path   string
			status int
		}{
			{c.editorOCCS, "GET", "/api/v1/admin/departments/" + env.ecce, http.StatusOK},
			{c.editorOCCS, "GET", "/api/v1/admin/offices/" + env.occs, http.StatusOK},
			{c.deptEditor, "GET", "/api/v1/admin/departments/" + env.ecce, http.StatusOK},
			{c.viewer, "GET", "/api/v1/admin/departments/" + env.ecce + "/revisions", http.StatusOK},
			{c.editorAll, "GET", "/api/v1/admin/departments/" + c.otherDept, http.StatusOK},
			{c.admin, "GET", "/api/v1/admin/audit", http.StatusOK},
			{c.admin, "GET", "/api/v1/admin/users/" + c.victim.ID, http.StatusOK},
		} {
			res := env.do(request{Method: tc.method, Path: tc.path, Token: tc.who.Token})
			if res.Code != tc.status {
				t.Errorf("%s %s as %s: %s, want %d", tc.method, tc.path, tc.who.Email, res, tc.status)
			}
		}
		// Lists only show what the user may read.
		res := env.do(request{Method: "GET", Path: "/api/v1/admin/departments?limit=100", Token: c.editorOCCS.Token})
		if res.Code != http.StatusOK {
			t.Fatalf("list: %s", res)
		}
		if strings.Contains(string(res.Body), c.otherDept) || !strings.Contains(string(res.Body), env.ecce) {
			t.Errorf("office editor's department list is not limited to office:occs: %s", res.Body)
		}
		res = env.do(request{Method: "GET", Path: "/api/v1/admin/offices?limit=100", Token: c.deptEditor.Token})
		if res.Code != http.StatusForbidden && (res.Code != http.StatusOK || strings.Contains(string(res.Body), env.occs)) {
			t.Errorf("department editor's office list shows the office: %s", res)
		}
	})
}
