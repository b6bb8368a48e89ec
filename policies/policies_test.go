package policies_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"

	"bureau/models/dbtest"
	"bureau/policies"
)

// eachDB runs fn on a fresh database per target holding just the casbin_rule
// table, created as the tests of other packages' migrations would not be.
func eachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		createRuleTable(t, db)
		fn(t, db)
	})
}

func createRuleTable(t testing.TB, db *gorm.DB) {
	t.Helper()
	if err := db.AutoMigrate(&gormadapter.CasbinRule{}); err != nil {
		t.Fatalf("create casbin_rule: %v", err)
	}
}

func addGrant(t testing.TB, db *gorm.DB, userID, role, scope string) policies.Grant {
	t.Helper()
	g, err := policies.AddGrant(db, policies.Grant{UserID: userID, Role: role, Scope: scope})
	if err != nil {
		t.Fatalf("AddGrant(%s, %s, %s): %v", userID, role, scope, err)
	}
	return g
}

func newEnforcer(t testing.TB, db *gorm.DB) *policies.Enforcer {
	t.Helper()
	e, err := policies.NewEnforcer(db)
	if err != nil {
		t.Fatalf("NewEnforcer: %v", err)
	}
	return e
}

var (
	contentActions = []string{"read", "create", "update", "publish", "unpublish", "delete", "restore"}
	allFields      = []string{"name", "slug", "acronym", "summary", "description", "contacts", "learn_more_url", "office_id", "position"}
	adminActions   = []string{"read", "create", "update", "delete"}
	adminObjects   = []string{"users", "grants", "roles", "audit"}
)

// roleMay is the product definition of the roles (DESIGN §4), written out
// independently of default_policy.csv so that the two are checked against
// each other.
func roleMay(role, object, action string) bool {
	isField := strings.HasSuffix(object, ".fields")
	isContent := object == "offices" || object == "departments"
	switch role {
	case "admin":
		return true
	case "editor":
		return isContent || isField
	case "author":
		if isContent {
			return action == "read" || action == "update"
		}
		return isField && slices.Contains([]string{"summary", "description", "contacts", "learn_more_url"}, action)
	case "viewer":
		return isContent && action == "read"
	}
	return false
}

// TestRoleMatrix checks every role against every object and action, in and
// out of its scope.
func TestRoleMatrix(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		addGrant(t, db, "u-admin", "admin", "*")
		for _, role := range []string{"editor", "author", "viewer"} {
			addGrant(t, db, "u-"+role, role, "office:occs")
		}
		e := newEnforcer(t, db)

		chains := []struct {
			name    string
			scopes  []string
			inScope bool // inside office:occs
		}{
			{"office occs", []string{"office:occs"}, true},
			{"department ecce in occs", []string{"department:ecce", "office:occs"}, true},
			{"office other", []string{"office:other"}, false},
			{"department in other", []string{"department:cte", "office:other"}, false},
			{"no scope", nil, false},
		}
		type pair struct{ object, action string }
		var pairs []pair
		for _, typ := range []string{"offices", "departments"} {
			for _, a := range contentActions {
				pairs = append(pairs, pair{typ, a})
			}
			for _, f := range allFields {
				pairs = append(pairs, pair{policies.FieldObject(typ), f})
			}
		}
		for _, obj := range adminObjects {
			for _, a := range adminActions {
				pairs = append(pairs, pair{obj, a})
			}
		}

		for _, role := range []string{"admin", "editor", "author", "viewer"} {
			for _, c := range chains {
				for _, p := range pairs {
					want := roleMay(role, p.object, p.action) && (role == "admin" || c.inScope)
					if got := e.Allow("u-"+role, c.scopes, p.object, p.action); got != want {
						t.Errorf("%s on %s: %s %s = %v, want %v", role, c.name, p.object, p.action, got, want)
					}
				}
			}
		}
	})
}

func TestAllowCases(t *testing.T) {
	var (
		occs      = []string{"office:occs"}
		ecce      = []string{"department:ecce", "office:occs"}
		cte       = []string{"department:cte", "office:occs"}
		other     = []string{"office:other"}
		otherDept = []string{"department:x", "office:other"}
	)
	cases := []struct {
		name   string
		user   string
		scopes []string
		object string
		action string
		want   bool
	}{
		{"editor in occs publishes a department of occs", "u-editor", ecce, "departments", "publish", true},
		{"editor in occs renames a department of occs", "u-editor", ecce, "departments.fields", "name", true},
		{"editor in occs moves a department of occs", "u-editor", ecce, "departments.fields", "office_id", true},
		{"editor in occs publishes office other", "u-editor", other, "offices", "publish", false},
		{"editor in occs publishes a department of other", "u-editor", otherDept, "departments", "publish", false},
		{"editor in occs creates an office", "u-editor", nil, "offices", "create", false},
		{"editor in occs creates a department in occs", "u-editor", occs, "departments", "create", true},
		{"editor in occs reads users", "u-editor", nil, "users", "read", false},
		{"editor in occs creates grants", "u-editor", nil, "grants", "create", false},
		{"editor in occs reads audit", "u-editor", nil, "audit", "read", false},
		{"editor in occs reads users given a scope chain", "u-editor", occs, "users", "read", false},
		{"global editor creates an office", "u-editor-all", nil, "offices", "create", true},
		{"global editor reads roles", "u-editor-all", nil, "roles", "read", false},

		{"author updates a department", "u-author", ecce, "departments", "update", true},
		{"author publishes", "u-author", ecce, "departments", "publish", false},
		{"author unpublishes", "u-author", occs, "offices", "unpublish", false},
		{"author deletes", "u-author", ecce, "departments", "delete", false},
		{"author restores", "u-author", ecce, "departments", "restore", false},
		{"author creates a department", "u-author", occs, "departments", "create", false},

		{"department editor publishes its department", "u-dept", ecce, "departments", "publish", true},
		{"department editor updates the parent office", "u-dept", occs, "offices", "update", false},
		{"department editor reads the parent office", "u-dept", occs, "offices", "read", false},
		{"department editor publishes a sibling department", "u-dept", cte, "departments", "publish", false},
		{"department editor creates a department in the office", "u-dept", occs, "departments", "create", false},

		{"combined: global viewer reads any office", "u-multi", other, "offices", "read", true},
		{"combined: global viewer reads with no scope", "u-multi", nil, "offices", "read", true},
		{"combined: global viewer may not update occs", "u-multi", occs, "offices", "update", false},
		{"combined: author of ecce updates ecce", "u-multi", ecce, "departments", "update", true},
		{"combined: author of ecce changes its summary", "u-multi", ecce, "departments.fields", "summary", true},
		{"combined: author of ecce renames it", "u-multi", ecce, "departments.fields", "name", false},
		{"combined: author of ecce updates a sibling", "u-multi", cte, "departments", "update", false},
		{"combined: editor of other publishes there", "u-multi", otherDept, "departments", "publish", true},
		{"combined: editor of other publishes ecce", "u-multi", ecce, "departments", "publish", false},
		{"combined: no admin objects", "u-multi", nil, "users", "read", false},

		{"no grants: read", "u-none", occs, "offices", "read", false},
		{"no grants: global", "u-none", nil, "offices", "read", false},
		{"unknown user", "nobody", ecce, "departments", "read", false},
		{"empty user", "", nil, "users", "read", false},
		{"user id equal to a role name gets only its grant", "admin", nil, "users", "delete", false},
		{"user id equal to a role name keeps its grant", "admin", occs, "offices", "read", true},
		{"admin on an unknown object", "u-admin", nil, "anything", "whatever", true},
		{"viewer on an unknown action", "u-viewer", occs, "offices", "approve", false},
	}
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		addGrant(t, db, "u-admin", "admin", "*")
		addGrant(t, db, "u-editor", "editor", "office:occs")
		addGrant(t, db, "u-editor-all", "editor", "*")
		addGrant(t, db, "u-author", "author", "office:occs")
		addGrant(t, db, "u-viewer", "viewer", "office:occs")
		addGrant(t, db, "u-dept", "editor", "department:ecce")
		addGrant(t, db, "u-multi", "viewer", "*")
		addGrant(t, db, "u-multi", "author", "department:ecce")
		addGrant(t, db, "u-multi", "editor", "office:other")
		addGrant(t, db, "admin", "viewer", "*")
		e := newEnforcer(t, db)
		for _, c := range cases {
			if got := e.Allow(c.user, c.scopes, c.object, c.action); got != c.want {
				t.Errorf("%s: Allow(%q, %q, %s, %s) = %v, want %v", c.name, c.user, c.scopes, c.object, c.action, got, c.want)
			}
		}
	})
}

func TestAddGrantValidation(t *testing.T) {
	long := strings.Repeat("a", 64)
	cases := []struct {
		name  string
		grant policies.Grant
		field string // "" means valid
	}{
		{"global admin", policies.Grant{UserID: "u1", Role: "admin", Scope: "*"}, ""},
		{"office editor", policies.Grant{UserID: "u1", Role: "editor", Scope: "office:occs"}, ""},
		{"department author", policies.Grant{UserID: "u1", Role: "author", Scope: "department:ecce"}, ""},
		{"hyphenated slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "department:career-tech-2"}, ""},
		{"64-character slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:" + long}, ""},
		{"missing user", policies.Grant{UserID: "", Role: "viewer", Scope: "*"}, "user_id"},
		{"blank user", policies.Grant{UserID: "  ", Role: "viewer", Scope: "*"}, "user_id"},
		{"overlong user", policies.Grant{UserID: strings.Repeat("u", 101), Role: "viewer", Scope: "*"}, "user_id"},
		{"unknown role", policies.Grant{UserID: "u1", Role: "owner", Scope: "*"}, "role"},
		{"empty role", policies.Grant{UserID: "u1", Role: "", Scope: "*"}, "role"},
		{"role in capitals", policies.Grant{UserID: "u1", Role: "Editor", Scope: "*"}, "role"},
		{"empty scope", policies.Grant{UserID: "u1", Role: "viewer", Scope: ""}, "scope"},
		{"unknown scope kind", policies.Grant{UserID: "u1", Role: "viewer", Scope: "team:occs"}, "scope"},
		{"missing slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:"}, "scope"},
		{"capital slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:OCCS"}, "scope"},
		{"double hyphen", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:a--b"}, "scope"},
		{"leading hyphen", policies.Grant{UserID: "u1", Role: "viewer", Scope: "department:-a"}, "scope"},
		{"65-character slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:" + long + "a"}, "scope"},
		{"wildcard slug", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:*"}, "scope"},
		{"star with suffix", policies.Grant{UserID: "u1", Role: "viewer", Scope: "*x"}, "scope"},
		{"nested scope", policies.Grant{UserID: "u1", Role: "viewer", Scope: "office:occs:x"}, "scope"},
		{"admin in an office", policies.Grant{UserID: "u1", Role: "admin", Scope: "office:occs"}, "scope"},
		{"admin in a department", policies.Grant{UserID: "u1", Role: "admin", Scope: "department:ecce"}, "scope"},
	}
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g, err := policies.AddGrant(db, c.grant)
				if c.field == "" {
					if err != nil {
						t.Fatalf("AddGrant(%+v): %v", c.grant, err)
					}
					if g.ID <= 0 || g.UserID != c.grant.UserID || g.Role != c.grant.Role || g.Scope != c.grant.Scope {
						t.Fatalf("AddGrant returned %+v for %+v", g, c.grant)
					}
					return
				}
				var verr *policies.ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("AddGrant(%+v) = %v, want a ValidationError", c.grant, err)
				}
				if verr.Field != c.field || verr.Message == "" {
					t.Fatalf("ValidationError = %+v, want field %q with a message", verr, c.field)
				}
			})
		}
		grants, err := policies.ListGrants(db, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(grants) != 5 {
			t.Fatalf("stored %d grants, want the 5 valid ones: %+v", len(grants), grants)
		}
	})
}

func TestValidateScope(t *testing.T) {
	for scope, ok := range map[string]bool{
		"*": true, "office:occs": true, "department:ecce": true, "office:a-1-b": true,
		"": false, "**": false, "office": false, "office:": false, "Office:occs": false,
		"department:a_b": false, "department:a b": false, "office:a-": false,
	} {
		err := policies.ValidateScope(scope)
		if (err == nil) != ok {
			t.Errorf("ValidateScope(%q) = %v, want ok=%v", scope, err, ok)
		}
	}
}

func TestAddGrantDuplicate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		first := addGrant(t, db, "u1", "editor", "office:occs")
		_, err := policies.AddGrant(db, policies.Grant{UserID: "u1", Role: "editor", Scope: "office:occs"})
		if !errors.Is(err, policies.ErrGrantExists) {
			t.Fatalf("duplicate AddGrant = %v, want ErrGrantExists", err)
		}
		// Same user and role in another scope, or another role in the same
		// scope, are different grants.
		second := addGrant(t, db, "u1", "editor", "office:other")
		third := addGrant(t, db, "u1", "viewer", "office:occs")
		if !(first.ID < second.ID && second.ID < third.ID) {
			t.Fatalf("ids not increasing: %d %d %d", first.ID, second.ID, third.ID)
		}
		// An ID from the request body is ignored.
		g, err := policies.AddGrant(db, policies.Grant{ID: first.ID, UserID: "u2", Role: "viewer", Scope: "*"})
		if err != nil || g.ID == first.ID {
			t.Fatalf("AddGrant with an id = %+v, %v", g, err)
		}
	})
}

func TestAddGrantRollsBackWithTransaction(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		errAudit := errors.New("audit write failed")
		err := db.Transaction(func(tx *gorm.DB) error {
			if _, err := policies.AddGrant(tx, policies.Grant{UserID: "u1", Role: "editor", Scope: "*"}); err != nil {
				return err
			}
			return errAudit
		})
		if !errors.Is(err, errAudit) {
			t.Fatalf("transaction = %v", err)
		}
		grants, err := policies.ListGrants(db, "")
		if err != nil || len(grants) != 0 {
			t.Fatalf("after rollback: %+v, %v", grants, err)
		}
	})
}

func TestRemoveGrant(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		keep := addGrant(t, db, "u1", "viewer", "*")
		g := addGrant(t, db, "u1", "editor", "office:occs")
		e := newEnforcer(t, db)
		if !e.Allow("u1", []string{"office:occs"}, "offices", "publish") {
			t.Fatal("editor grant not in force")
		}

		var removed policies.Grant
		err := db.Transaction(func(tx *gorm.DB) error {
			var err error
			removed, err = policies.RemoveGrant(tx, g.ID)
			return err
		})
		if err != nil {
			t.Fatalf("RemoveGrant: %v", err)
		}
		if removed != g {
			t.Fatalf("RemoveGrant returned %+v, want %+v", removed, g)
		}
		if !e.Allow("u1", []string{"office:occs"}, "offices", "publish") {
			t.Fatal("a grant change must not apply before Reload")
		}
		if err := e.Reload(); err != nil {
			t.Fatal(err)
		}
		if e.Allow("u1", []string{"office:occs"}, "offices", "publish") {
			t.Fatal("removed grant still in force after Reload")
		}
		if !e.Allow("u1", []string{"office:occs"}, "offices", "read") {
			t.Fatal("the other grant was lost")
		}

		// A policy row with an id is not a grant.
		prow := gormadapter.CasbinRule{Ptype: "p", V0: "u1", V1: "users", V2: "read"}
		if err := db.Create(&prow).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{g.ID, 0, -1, keep.ID + 1000, int64(prow.ID)} {
			if _, err := policies.RemoveGrant(db, id); !errors.Is(err, policies.ErrGrantNotFound) {
				t.Errorf("RemoveGrant(%d) = %v, want ErrGrantNotFound", id, err)
			}
		}
		grants, err := policies.ListGrants(db, "")
		if err != nil || len(grants) != 1 || grants[0] != keep {
			t.Fatalf("ListGrants = %+v, %v; want only %+v", grants, err, keep)
		}
	})
}

func TestListGrants(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		a := addGrant(t, db, "u2", "viewer", "*")
		b := addGrant(t, db, "u1", "editor", "office:occs")
		c := addGrant(t, db, "u2", "author", "department:ecce")
		all, err := policies.ListGrants(db, "")
		if err != nil || !slices.Equal(all, []policies.Grant{a, b, c}) {
			t.Fatalf("ListGrants(all) = %+v, %v", all, err)
		}
		u2, err := policies.ListGrants(db, "u2")
		if err != nil || !slices.Equal(u2, []policies.Grant{a, c}) {
			t.Fatalf("ListGrants(u2) = %+v, %v", u2, err)
		}
		none, err := policies.ListGrants(db, "nobody")
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("ListGrants(nobody) = %#v, %v; want an empty slice", none, err)
		}
	})
}

// TestReloadAcrossInstances: two instances share a database; a grant written
// through one reaches the other on its Reload.
func TestReloadAcrossInstances(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		one, two := newEnforcer(t, db), newEnforcer(t, db)
		dept := []string{"department:ecce", "office:occs"}

		g := addGrant(t, db, "u1", "editor", "office:occs")
		if err := one.Reload(); err != nil {
			t.Fatal(err)
		}
		if !one.Allow("u1", dept, "departments", "publish") {
			t.Fatal("instance one: grant not in force after Reload")
		}
		if two.Allow("u1", dept, "departments", "publish") {
			t.Fatal("instance two: grant in force before its Reload")
		}
		if err := two.Reload(); err != nil {
			t.Fatal(err)
		}
		if !two.Allow("u1", dept, "departments", "publish") {
			t.Fatal("instance two: grant not in force after Reload")
		}
		if got := two.GrantsOf("u1"); !slices.Equal(got, []policies.Grant{g}) {
			t.Fatalf("instance two GrantsOf = %+v", got)
		}

		if _, err := policies.RemoveGrant(db, g.ID); err != nil {
			t.Fatal(err)
		}
		for i, e := range []*policies.Enforcer{one, two} {
			if err := e.Reload(); err != nil {
				t.Fatal(err)
			}
			if e.Allow("u1", dept, "departments", "read") {
				t.Errorf("instance %d: removed grant still in force", i+1)
			}
			if got := e.GrantsOf("u1"); got == nil || len(got) != 0 {
				t.Errorf("instance %d: GrantsOf = %#v, want empty", i+1, got)
			}
		}
	})
}

// TestRowsWrittenBehindTheAPI: role permissions come only from the embedded
// policy, and malformed grant rows grant nothing.
func TestRowsWrittenBehindTheAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		rows := []gormadapter.CasbinRule{
			{Ptype: "p", V0: "viewer", V1: "users", V2: "read"}, // would widen a role
			{Ptype: "p", V0: "user:u1", V1: "*", V2: "*"},       // would bypass roles
			{Ptype: "g", V0: "u1", V1: "viewer", V2: "office:occs"},
			{Ptype: "g", V0: "u2", V1: "owner", V2: "*"},
			{Ptype: "g", V0: "u3", V1: "admin", V2: "office:occs"},
			{Ptype: "g", V0: "u4", V1: "editor", V2: "office:BAD"},
			{Ptype: "g2", V0: "u5", V1: "admin", V2: "*"},
		}
		if err := db.Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		e := newEnforcer(t, db)
		occs := []string{"office:occs"}
		if e.Allow("u1", nil, "users", "read") || e.Allow("u1", occs, "offices", "update") {
			t.Error("a p row from the database widened permissions")
		}
		if !e.Allow("u1", occs, "offices", "read") {
			t.Error("the valid grant is not in force")
		}
		for _, u := range []string{"u2", "u3", "u4", "u5"} {
			if e.Allow(u, occs, "offices", "read") || e.Allow(u, nil, "users", "read") {
				t.Errorf("malformed row of %s grants something", u)
			}
			if got := e.GrantsOf(u); len(got) != 0 {
				t.Errorf("GrantsOf(%s) = %+v, want none", u, got)
			}
		}
		listed, err := policies.ListGrants(db, "")
		if err != nil || len(listed) != 4 {
			t.Fatalf("ListGrants = %+v, %v; want the 4 g rows, so an admin can see and remove them", listed, err)
		}
	})
}

func TestScopes(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		addGrant(t, db, "u-admin", "admin", "*")
		addGrant(t, db, "u-multi", "viewer", "*")
		addGrant(t, db, "u-multi", "author", "department:ecce")
		addGrant(t, db, "u-multi", "editor", "office:other")
		addGrant(t, db, "u-order", "viewer", "department:b")
		addGrant(t, db, "u-order", "editor", "office:z")
		addGrant(t, db, "u-order", "author", "office:a")
		addGrant(t, db, "u-order", "viewer", "department:a")
		e := newEnforcer(t, db)
		cases := []struct {
			user, object, action string
			want                 []string
		}{
			{"u-admin", "departments", "publish", []string{"*"}},
			{"u-admin", "users", "read", []string{"*"}},
			{"u-multi", "offices", "read", []string{"*"}},
			{"u-multi", "departments", "publish", []string{"office:other"}},
			{"u-multi", "departments", "update", []string{"office:other", "department:ecce"}},
			{"u-multi", "departments.fields", "summary", []string{"office:other", "department:ecce"}},
			{"u-multi", "departments.fields", "name", []string{"office:other"}},
			{"u-multi", "offices", "update", []string{"office:other"}}, // not department:ecce
			{"u-multi", "users", "read", nil},
			{"u-order", "departments", "read", []string{"office:a", "office:z", "department:a", "department:b"}},
			{"u-order", "offices", "read", []string{"office:a", "office:z"}},
			{"u-order", "offices", "update", []string{"office:a", "office:z"}},
			{"u-order", "departments", "publish", []string{"office:z"}},
			{"u-order", "grants", "read", nil},
			{"u-none", "offices", "read", nil},
		}
		for _, c := range cases {
			if got := e.Scopes(c.user, c.object, c.action); !slices.Equal(got, c.want) {
				t.Errorf("Scopes(%s, %s, %s) = %q, want %q", c.user, c.object, c.action, got, c.want)
			}
		}
	})
}

func perms(scope, object string, actions ...string) []policies.Permission {
	var out []policies.Permission
	for _, a := range actions {
		out = append(out, policies.Permission{Object: object, Action: a, Scope: scope})
	}
	return out
}

func TestPermissions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		addGrant(t, db, "u-admin", "admin", "*")
		addGrant(t, db, "u-viewer", "viewer", "office:occs")
		addGrant(t, db, "u-multi", "viewer", "*")
		addGrant(t, db, "u-multi", "author", "department:ecce")
		addGrant(t, db, "u-multi", "editor", "office:other")
		e := newEnforcer(t, db)

		viewer := slices.Concat(
			perms("office:occs", "offices", "read"),
			perms("office:occs", "departments", "read"),
		)
		if got := e.Permissions("u-viewer"); !slices.Equal(got, viewer) {
			t.Errorf("viewer Permissions = %+v\nwant %+v", got, viewer)
		}

		// "*" first, then the office, then the department; nothing that "*"
		// already allows is repeated, and the department scope says nothing
		// about offices.
		allButRead := []string{"create", "update", "publish", "unpublish", "delete", "restore"}
		multi := slices.Concat(
			perms("*", "offices", "read"),
			perms("*", "departments", "read"),
			perms("office:other", "offices", allButRead...),
			perms("office:other", "offices.fields", allFields...),
			perms("office:other", "departments", allButRead...),
			perms("office:other", "departments.fields", allFields...),
			perms("department:ecce", "departments", "update"),
			perms("department:ecce", "departments.fields", "summary", "description", "contacts", "learn_more_url"),
		)
		if got := e.Permissions("u-multi"); !slices.Equal(got, multi) {
			t.Errorf("combined Permissions = %+v\nwant %+v", got, multi)
		}

		admin := e.Permissions("u-admin")
		for _, obj := range []string{"users", "grants"} {
			for _, a := range adminActions {
				if !slices.Contains(admin, policies.Permission{Object: obj, Action: a, Scope: "*"}) {
					t.Errorf("admin Permissions lack %s %s", obj, a)
				}
			}
		}
		for _, p := range []policies.Permission{{"roles", "read", "*"}, {"audit", "read", "*"}, {"offices", "publish", "*"}, {"departments.fields", "position", "*"}} {
			if !slices.Contains(admin, p) {
				t.Errorf("admin Permissions lack %+v", p)
			}
		}

		if got := e.Permissions("u-none"); got == nil || len(got) != 0 {
			t.Errorf("Permissions of a user without grants = %#v, want empty", got)
		}
	})
}

func TestRoles(t *testing.T) {
	roles := policies.Roles()
	var names []string
	for _, r := range roles {
		names = append(names, r.Name)
		if r.Description == "" {
			t.Errorf("role %s has no description", r.Name)
		}
		if !policies.IsRole(r.Name) {
			t.Errorf("IsRole(%q) = false", r.Name)
		}
		// What Roles says must be what roleMay (the product definition) says,
		// pair by pair.
		for _, p := range r.Permissions {
			if p.Scope != "" {
				t.Errorf("role %s: permission %+v has a scope", r.Name, p)
			}
			if !roleMay(r.Name, p.Object, p.Action) {
				t.Errorf("role %s lists %s %s, which it must not have", r.Name, p.Object, p.Action)
			}
		}
	}
	if want := []string{"admin", "editor", "author", "viewer"}; !slices.Equal(names, want) {
		t.Fatalf("Roles() = %q, want %q", names, want)
	}
	for _, name := range []string{"", "owner", "Admin", "admin "} {
		if policies.IsRole(name) {
			t.Errorf("IsRole(%q) = true", name)
		}
	}

	byName := map[string][]policies.Permission{}
	for _, r := range roles {
		byName[r.Name] = r.Permissions
	}
	var editorWant []policies.Permission
	for _, typ := range []string{"offices", "departments"} {
		editorWant = slices.Concat(editorWant, perms("", typ, contentActions...), perms("", typ+".fields", allFields...))
	}
	if !slices.Equal(byName["editor"], editorWant) {
		t.Errorf("editor permissions = %+v", byName["editor"])
	}
	authorWant := slices.Concat(
		perms("", "offices", "read", "update"),
		perms("", "offices.fields", "summary", "description", "contacts", "learn_more_url"),
		perms("", "departments", "read", "update"),
		perms("", "departments.fields", "summary", "description", "contacts", "learn_more_url"),
	)
	if !slices.Equal(byName["author"], authorWant) {
		t.Errorf("author permissions = %+v", byName["author"])
	}
	if want := slices.Concat(perms("", "offices", "read"), perms("", "departments", "read")); !slices.Equal(byName["viewer"], want) {
		t.Errorf("viewer permissions = %+v", byName["viewer"])
	}
	admin := byName["admin"]
	if len(admin) != 2*(len(contentActions)+len(allFields))+2*len(adminActions)+2 {
		t.Errorf("admin has %d permissions: %+v", len(admin), admin)
	}

	// Callers get a copy.
	roles[1].Permissions[0].Action = "tampered"
	if policies.Roles()[1].Permissions[0].Action == "tampered" {
		t.Error("Roles() shares its slices with callers")
	}
}

func TestFieldObject(t *testing.T) {
	if got := policies.FieldObject(policies.ObjectDepartments); got != "departments.fields" {
		t.Errorf("FieldObject = %q", got)
	}
	if policies.OfficeScope("occs") != "office:occs" || policies.DepartmentScope("ecce") != "department:ecce" {
		t.Error("scope helpers")
	}
}

// TestConcurrentChecksAndReloads is for the race detector: checks run while
// grants change and instances reload.
func TestConcurrentChecksAndReloads(t *testing.T) {
	eachDB(t, func(t *testing.T, db *gorm.DB) {
		addGrant(t, db, "u-steady", "editor", "office:occs")
		e := newEnforcer(t, db)
		dept := []string{"department:ecce", "office:occs"}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var denied sync.Once
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if !e.Allow("u-steady", dept, "departments", "publish") {
						denied.Do(func() { t.Error("a reload briefly withdrew an unchanged grant") })
					}
					e.Allow("u-churn", dept, "departments", "read")
					e.Scopes("u-churn", "departments", "read")
					e.Permissions("u-steady")
					e.GrantsOf("u-churn")
				}
			})
		}
		for i := range 20 {
			g := addGrant(t, db, "u-churn", "viewer", fmt.Sprintf("department:d%d", i))
			if err := e.Reload(); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := policies.RemoveGrant(db, g.ID); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Reload(); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		wg.Wait()
		if got := len(e.GrantsOf("u-churn")); got != 10 {
			t.Fatalf("u-churn holds %d grants, want 10", got)
		}
	})
}

// TestMigratedSchema runs against the project's real migrations, whose
// casbin_rule has a unique index: a concurrent duplicate that passes
// AddGrant's own check is still refused, as ErrGrantExists.
func TestMigratedSchema(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		g := policies.Grant{UserID: "u1", Role: "editor", Scope: "office:occs"}
		tx := db.Begin()
		if _, err := policies.AddGrant(tx, g); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- db.Transaction(func(tx *gorm.DB) error {
				_, err := policies.AddGrant(tx, g)
				return err
			})
		}()
		time.Sleep(100 * time.Millisecond) // let the second one reach the index
		if err := tx.Commit().Error; err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, policies.ErrGrantExists) {
			t.Fatalf("concurrent duplicate AddGrant = %v, want ErrGrantExists", err)
		}
		e := newEnforcer(t, db)
		if !e.Allow("u1", []string{"department:ecce", "office:occs"}, "departments", "publish") {
			t.Fatal("grant not in force")
		}
	})
}

// BenchmarkAllow: 50 users holding 200 grants between them, checked with a
// mix of allowed and denied requests over department and office scopes.
func BenchmarkAllow(b *testing.B) {
	db := dbtest.Open(b, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
	createRuleTable(b, db)
	rng := rand.New(rand.NewPCG(1, 2))
	roles := []string{"editor", "author", "viewer"}
	offices := 20
	const users, grants = 50, 200
	n := 0
	addGrant(b, db, "user-0", "admin", "*")
	n++
	addGrant(b, db, "user-1", "viewer", "*")
	n++
	for n < grants {
		u := 1 + rng.IntN(users-1)
		role := roles[rng.IntN(len(roles))]
		var scope string
		if rng.IntN(2) == 0 {
			scope = fmt.Sprintf("office:o%d", rng.IntN(offices))
		} else {
			scope = fmt.Sprintf("department:o%d-d%d", rng.IntN(offices), rng.IntN(8))
		}
		_, err := policies.AddGrant(db, policies.Grant{UserID: fmt.Sprintf("user-%d", u), Role: role, Scope: scope})
		if errors.Is(err, policies.ErrGrantExists) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	e := newEnforcer(b, db)

	type request struct {
		user           string
		scopes         []string
		object, action string
	}
	objects := []string{"offices", "departments", "departments.fields", "users"}
	var reqs []request
	allowed := 0
	for range 1024 {
		o, d := rng.IntN(offices), rng.IntN(8)
		r := request{user: fmt.Sprintf("user-%d", rng.IntN(users)), object: objects[rng.IntN(len(objects))]}
		switch r.object {
		case "offices":
			r.scopes = []string{fmt.Sprintf("office:o%d", o)}
			r.action = contentActions[rng.IntN(len(contentActions))]
		case "departments":
			r.scopes = []string{fmt.Sprintf("department:o%d-d%d", o, d), fmt.Sprintf("office:o%d", o)}
			r.action = contentActions[rng.IntN(len(contentActions))]
		case "departments.fields":
			r.scopes = []string{fmt.Sprintf("department:o%d-d%d", o, d), fmt.Sprintf("office:o%d", o)}
			r.action = allFields[rng.IntN(len(allFields))]
		default:
			r.action = adminActions[rng.IntN(len(adminActions))]
		}
		if e.Allow(r.user, r.scopes, r.object, r.action) {
			allowed++
		}
		reqs = append(reqs, r)
	}
	b.Logf("%d of %d requests allowed", allowed, len(reqs))

	b.Run("mixed", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r := reqs[i%len(reqs)]
			e.Allow(r.user, r.scopes, r.object, r.action)
			i++
		}
	})

	// The slowest path: grants in every scope of the chain and none allows
	// the action, so Casbin is asked three times and every rule is tried.
	addGrant(b, db, "user-worst", "viewer", "*")
	addGrant(b, db, "user-worst", "viewer", "office:o1")
	addGrant(b, db, "user-worst", "viewer", "department:o1-d1")
	if err := e.Reload(); err != nil {
		b.Fatal(err)
	}
	worst := []string{"department:o1-d1", "office:o1"}
	b.Run("worst-case-deny", func(b *testing.B) {
		for b.Loop() {
			if e.Allow("user-worst", worst, "departments", "publish") {
				b.Fatal("allowed")
			}
		}
	})
	// A pair outside the role table goes to Casbin's Enforce, once per
	// scope: the cost every check would have without the table.
	b.Run("casbin-enforce-path", func(b *testing.B) {
		for b.Loop() {
			if e.Allow("user-worst", worst, "departments", "approve") {
				b.Fatal("allowed")
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				r := reqs[i%len(reqs)]
				e.Allow(r.user, r.scopes, r.object, r.action)
				i++
			}
		})
	})
}
