// Package policies decides who may do what in Bureau: the Casbin model, the
// fixed permissions of the four roles, and the grants (user, role, scope)
// stored in the database.
package policies

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

//go:embed model.conf
var modelText string

//go:embed default_policy.csv
var defaultPolicyText string

// Roles.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	RoleAuthor = "author"
	RoleViewer = "viewer"
)

// ScopeAll is the global scope; a grant in it applies everywhere.
const ScopeAll = "*"

// Content objects, checked in the scope of the office or department concerned.
const (
	ObjectOffices     = "offices"
	ObjectDepartments = "departments"
)

// Admin objects: admin-only, and checked in the global scope alone.
const (
	ObjectUsers  = "users"
	ObjectGrants = "grants"
	ObjectRoles  = "roles"
	ObjectAudit  = "audit"
)

// Actions.
const (
	ActionRead      = "read"
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionPublish   = "publish"
	ActionUnpublish = "unpublish"
	ActionDelete    = "delete"
	ActionRestore   = "restore"
)

// Fields of offices and departments: the actions on FieldObject(type).
const (
	FieldName         = "name"
	FieldSlug         = "slug"
	FieldAcronym      = "acronym"
	FieldSummary      = "summary"
	FieldDescription  = "description"
	FieldContacts     = "contacts"
	FieldLearnMoreURL = "learn_more_url"
	FieldOfficeID     = "office_id"
	FieldPosition     = "position"
)

// FieldObject is the object whose actions are the field names of a content
// type: may the user change field "name" of a department is
// Allow(user, scopes, FieldObject("departments"), "name").
func FieldObject(contentType string) string {
	return contentType + ".fields"
}

// OfficeScope is the scope, as Allow and Scopes take and give it, of the
// office with id and all of its departments. Scopes are checked by document
// id, so a rename changes nothing; the API shows them by slug (Grant.Scope).
func OfficeScope(id string) string { return "office:" + id }

// DepartmentScope is the scope of the department with id.
func DepartmentScope(id string) string { return "department:" + id }

// Permission is one thing a role or a user may do. Scope is empty in a
// role's listing (a role means the same in every scope) and set in a user's.
type Permission struct {
	Object string `json:"object"`
	Action string `json:"action"`
	Scope  string `json:"scope,omitempty"`
}

// Role is a role with its permissions, as enforced.
type Role struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
}

// roleDescriptions fixes the roles and their order; their permissions come
// from default_policy.csv.
var roleDescriptions = []struct{ name, description string }{
	{RoleAdmin, "Everything, including users, grants, roles and the audit log. Always granted in scope *."},
	{RoleEditor, "Create, edit, publish, unpublish, delete and restore offices and departments in scope; may change every field."},
	{RoleAuthor, "Read and edit drafts in scope, but only summary, description, contacts and learn_more_url; may not publish, delete, create, rename or move."},
	{RoleViewer, "Read drafts, revisions and history in scope."},
}

// IsRole reports whether name is one of Bureau's roles.
func IsRole(name string) bool {
	for _, r := range roleDescriptions {
		if r.name == name {
			return true
		}
	}
	return false
}

// Roles lists the roles, admin first, with the permissions the enforcer
// actually grants them, so the API's description cannot drift from the checks.
func Roles() []Role {
	out := make([]Role, len(derivedRoles))
	for i, r := range derivedRoles {
		r.Permissions = append([]Permission(nil), r.Permissions...)
		out[i] = r
	}
	return out
}

// grantable is an (object, action) pair. universe lists every pair Bureau
// checks; Allow answers other pairs too, only more slowly.
type grantable struct{ object, action string }

var universe = func() []grantable {
	var u []grantable
	for _, typ := range []string{ObjectOffices, ObjectDepartments} {
		for _, a := range []string{ActionRead, ActionCreate, ActionUpdate, ActionPublish, ActionUnpublish, ActionDelete, ActionRestore} {
			u = append(u, grantable{typ, a})
		}
		for _, f := range []string{FieldName, FieldSlug, FieldAcronym, FieldSummary, FieldDescription, FieldContacts, FieldLearnMoreURL, FieldOfficeID, FieldPosition} {
			u = append(u, grantable{FieldObject(typ), f})
		}
	}
	for _, obj := range []string{ObjectUsers, ObjectGrants} {
		for _, a := range []string{ActionRead, ActionCreate, ActionUpdate, ActionDelete} {
			u = append(u, grantable{obj, a})
		}
	}
	// Roles are fixed in code and the audit log is append-only: read is all there is.
	u = append(u, grantable{ObjectRoles, ActionRead}, grantable{ObjectAudit, ActionRead})
	return u
}()

// defaultPolicy is default_policy.csv parsed: rows of (role, object, action).
// The file is part of the binary, so a malformed one is a build defect and
// panics at start-up (and in every test).
var defaultPolicy = mustParsePolicy(defaultPolicyText)

// derivedRoles and permitted are what Casbin, given the embedded model and
// policy, says each role may do over the universe. Role permissions do not
// depend on the scope, so they are computed once; Roles reports them and
// Allow decides with them, so the two cannot disagree.
var derivedRoles, permitted = mustDeriveRoles()

// roleSet is a set of roles, one bit per entry of roleDescriptions.
type roleSet uint8

func roleBit(name string) roleSet {
	for i, r := range roleDescriptions {
		if r.name == name {
			return 1 << i
		}
	}
	return 0
}

func mustParsePolicy(text string) [][]string {
	var rows [][]string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) != 4 || fields[0] != "p" {
			panic(fmt.Sprintf("policies: default_policy.csv line %d: want \"p, role, object, action\", got %q", n+1, line))
		}
		if !IsRole(fields[1]) {
			panic(fmt.Sprintf("policies: default_policy.csv line %d: unknown role %q", n+1, fields[1]))
		}
		rows = append(rows, fields[1:])
	}
	return rows
}

// newCasbin builds an enforcer from the embedded model, the role policy and
// the grants a gives (see policyAdapter).
func newCasbin(a *policyAdapter) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("policies: model.conf: %w", err)
	}
	ce, err := casbin.NewEnforcer(m, a)
	if err != nil {
		return nil, fmt.Errorf("policies: casbin: %w", err)
	}
	return ce, nil
}

// mustDeriveRoles asks Casbin what a holder of each role in scope "*" may
// do, pair by pair over the universe.
func mustDeriveRoles() ([]Role, map[grantable]roleSet) {
	ce, err := newCasbin(&policyAdapter{})
	if err != nil {
		panic(err)
	}
	ce.EnableAutoSave(false) // the probes below live in memory only
	roles := make([]Role, 0, len(roleDescriptions))
	table := make(map[grantable]roleSet, len(universe))
	for _, rd := range roleDescriptions {
		probe := "probe:" + rd.name
		if _, err := ce.AddGroupingPolicy(probe, rd.name, ScopeAll); err != nil {
			panic(err)
		}
		r := Role{Name: rd.name, Description: rd.description, Permissions: []Permission{}}
		for _, g := range universe {
			ok, err := ce.Enforce(probe, ScopeAll, g.object, g.action)
			if err != nil {
				panic(err)
			}
			if ok {
				r.Permissions = append(r.Permissions, Permission{Object: g.object, Action: g.action})
				table[g] |= roleBit(rd.name)
			}
		}
		if len(r.Permissions) == 0 {
			panic(fmt.Sprintf("policies: role %q has no permission in default_policy.csv", rd.name))
		}
		roles = append(roles, r)
	}
	return roles, table
}
