package policies

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"bureau/models"
)

// Grant gives a user a role in a scope. On the API a scope is "*",
// "office:{slug}" or "department:{slug}"; it is stored by document id
// (ScopeID), so a rename changes nothing and the slug shown is always the
// document's current one.
type Grant struct {
	ID      int64  `json:"id"`
	UserID  string `json:"user_id"`
	Role    string `json:"role"`
	Scope   string `json:"scope"`
	ScopeID string `json:"scope_id,omitempty"` // the office's or department's id; none for "*"
}

// domain is the grant's scope as Casbin and Allow see it: "*",
// "office:{id}" or "department:{id}".
func (g Grant) domain() string {
	if g.Scope == ScopeAll {
		return ScopeAll
	}
	kind, _, _ := strings.Cut(g.Scope, ":")
	return kind + ":" + g.ScopeID
}

func grantFromRow(r models.StoredGrant) Grant {
	g := Grant{ID: r.ID, UserID: r.UserID, Role: r.Role, Scope: ScopeAll}
	if r.Kind != models.GrantKindAll {
		g.Scope, g.ScopeID = r.Kind+":"+r.Slug, r.DocumentID
	}
	return g
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// parseScope splits an API scope into the kind of document it names and
// its slug ("" for "*").
func parseScope(scope string) (kind, slug string, err error) {
	if scope == ScopeAll {
		return models.GrantKindAll, "", nil
	}
	kind, slug, ok := strings.Cut(scope, ":")
	if !ok || (kind != string(models.KindOffice) && kind != string(models.KindDepartment)) {
		return "", "", models.Invalid("scope", `must be "*", "office:{slug}" or "department:{slug}"`)
	}
	if len(slug) > 64 || !slugPattern.MatchString(slug) {
		return "", "", models.Invalid("scope", "slug must be lowercase letters, digits and single hyphens, at most 64 characters")
	}
	return kind, slug, nil
}

// ValidateScope accepts "*", "office:{slug}" and "department:{slug}",
// whether or not the document exists.
func ValidateScope(scope string) error {
	_, _, err := parseScope(scope)
	return err
}

// validateRole checks a role for a grant in scope.
func validateRole(role, scope string) error {
	if !IsRole(role) {
		return models.Invalid("role", "must be one of admin, editor, author, viewer")
	}
	// Admin objects (users, grants, audit) are checked in scope "*" only, so
	// a scoped admin would be a confusing second name for editor.
	if role == RoleAdmin && scope != ScopeAll {
		return models.Invalid("scope", `the admin role can only be granted in scope "*"`)
	}
	return nil
}

// hasForce tells whether a stored grant can mean anything: rows written
// behind the API's back (an unknown role, a scoped admin) grant nothing
// rather than something unintended.
func hasForce(g Grant) bool {
	return validateRole(g.Role, g.Scope) == nil && g.UserID != ""
}

// GrantRequest is a grant to give: scope in its API form.
type GrantRequest struct {
	UserID string
	Role   string
	Scope  string
}

// AddGrant gives a grant, with its audit event, in one transaction. A bad
// field, an unknown user or a scope naming no document (trashed ones
// count) is a *models.ValidationError naming the field; a grant the user
// holds already is a *models.ConflictError. The user's access tokens end.
func AddGrant(ctx context.Context, db *gorm.DB, actor models.Actor, req GrantRequest) (Grant, error) {
	var g Grant
	err := models.Write(ctx, db, func(tx *gorm.DB) error {
		if _, err := models.GetUser(ctx, tx, req.UserID); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				return models.Invalid("user_id", "no such user")
			}
			return err
		}
		var err error
		if g, err = insertGrant(ctx, tx, req); err != nil {
			return err
		}
		// Authorization reads grants live, but the version bump keeps "a
		// role change ends old tokens" true.
		if err := models.BumpTokenVersion(ctx, tx, req.UserID); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor, "grant.create", "user", g.UserID, auditDetail(g))
	})
	return g, err
}

// insertGrant validates and stores a grant for an existing user, and
// announces it. It is the one way grants are written.
func insertGrant(ctx context.Context, tx *gorm.DB, req GrantRequest) (Grant, error) {
	if err := validateRole(req.Role, req.Scope); err != nil {
		// A malformed scope is the clearer message when both are wrong.
		if scopeErr := ValidateScope(req.Scope); scopeErr != nil {
			return Grant{}, scopeErr
		}
		return Grant{}, err
	}
	kind, slug, err := parseScope(req.Scope)
	if err != nil {
		return Grant{}, err
	}
	row := models.GrantRow{UserID: req.UserID, Role: req.Role, Kind: kind}
	if kind != models.GrantKindAll {
		row.DocumentID, err = models.GrantTarget(ctx, tx, models.Kind(kind), slug)
		if errors.Is(err, models.ErrNotFound) {
			return Grant{}, models.Invalid("scope", "no "+kind+" has the slug "+slug)
		}
		if err != nil {
			return Grant{}, err
		}
	}
	if err := models.InsertGrant(ctx, tx, &row); err != nil {
		return Grant{}, err
	}
	if err := models.Changed(tx, models.EventGrants); err != nil {
		return Grant{}, err
	}
	return grantFromRow(models.StoredGrant{GrantRow: row, Slug: slug}), nil
}

// RemoveGrant takes a grant away, with its audit event, in one transaction,
// and returns what it was. Removing the last active admin's admin grant is
// a *models.ConflictError; an unknown id is models.ErrNotFound. The user's
// access tokens end.
func RemoveGrant(ctx context.Context, db *gorm.DB, actor models.Actor, id int64) (Grant, error) {
	var g Grant
	err := models.Write(ctx, db, func(tx *gorm.DB) error {
		if err := models.LockAccounts(ctx, tx); err != nil {
			return err
		}
		row, err := models.DeleteGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		g = grantFromRow(*row)
		if g.Role == RoleAdmin {
			n, err := models.CountActiveAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if n == 0 {
				return &models.ConflictError{Field: "role", Message: "this is the last active admin's grant; make another admin first"}
			}
		}
		if err := models.BumpTokenVersion(ctx, tx, g.UserID); err != nil {
			return err
		}
		if err := models.Changed(tx, models.EventGrants); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor, "grant.delete", "user", g.UserID, auditDetail(g))
	})
	return g, err
}

func auditDetail(g Grant) map[string]any {
	d := map[string]any{"grant_id": g.ID, "role": g.Role, "scope": g.Scope}
	if g.ScopeID != "" {
		d["scope_id"] = g.ScopeID
	}
	return d
}

// ListGrants reads the grants of the given users (everyone's when none is
// given), ordered by id, each scope shown by its document's current slug.
// Ids that are not user ids match nothing.
func ListGrants(ctx context.Context, db *gorm.DB, userIDs ...string) ([]Grant, error) {
	valid := make([]string, 0, len(userIDs))
	for _, id := range userIDs {
		if uuid.Validate(id) == nil {
			valid = append(valid, id)
		}
	}
	if len(userIDs) > 0 && len(valid) == 0 {
		return []Grant{}, nil
	}
	rows, err := models.ListGrants(ctx, db, valid...)
	if err != nil {
		return nil, err
	}
	grants := make([]Grant, len(rows))
	for i, r := range rows {
		grants[i] = grantFromRow(r)
	}
	return grants, nil
}
