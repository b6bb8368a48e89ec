package policies

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"
)

// Grant gives a user a role in a scope. It is a casbin_rule row with ptype
// "g": v0 the user id, v1 the role, v2 the scope; ID is the row id.
type Grant struct {
	ID     int64  `json:"id"`
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Scope  string `json:"scope"`
}

var (
	ErrGrantExists   = errors.New("the user already holds this role in this scope")
	ErrGrantNotFound = errors.New("grant not found")
)

// ValidationError says which field of a grant is wrong and why; its text is
// safe to show to a client.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

const grantPtype = "g"

// maxValueLen is the size of the casbin_rule value columns.
const maxValueLen = 100

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidateScope accepts "*", "office:{slug}" and "department:{slug}".
func ValidateScope(scope string) error {
	if scope == ScopeAll {
		return nil
	}
	kind, slug, ok := strings.Cut(scope, ":")
	if !ok || (kind != "office" && kind != "department") {
		return &ValidationError{Field: "scope", Message: `must be "*", "office:{slug}" or "department:{slug}"`}
	}
	if len(slug) > 64 || !slugPattern.MatchString(slug) {
		return &ValidationError{Field: "scope", Message: "slug must be lowercase letters, digits and single hyphens, at most 64 characters"}
	}
	return nil
}

func validateGrant(g Grant) error {
	if strings.TrimSpace(g.UserID) == "" {
		return &ValidationError{Field: "user_id", Message: "is required"}
	}
	if len(g.UserID) > maxValueLen {
		return &ValidationError{Field: "user_id", Message: fmt.Sprintf("must be at most %d characters", maxValueLen)}
	}
	if !IsRole(g.Role) {
		return &ValidationError{Field: "role", Message: "must be one of admin, editor, author, viewer"}
	}
	if err := ValidateScope(g.Scope); err != nil {
		return err
	}
	// Admin objects (users, grants, audit) are checked in scope "*" only, so
	// a scoped admin would be a confusing second name for editor.
	if g.Role == RoleAdmin && g.Scope != ScopeAll {
		return &ValidationError{Field: "scope", Message: `the admin role can only be granted in scope "*"`}
	}
	return nil
}

// AddGrant stores a grant through tx, so it commits with whatever else the
// caller writes (the audit event). Call Reload on every Enforcer after commit.
func AddGrant(tx *gorm.DB, g Grant) (Grant, error) {
	if err := validateGrant(g); err != nil {
		return Grant{}, err
	}
	var n int64
	err := tx.Model(&gormadapter.CasbinRule{}).
		Where("ptype = ? AND v0 = ? AND v1 = ? AND v2 = ?", grantPtype, g.UserID, g.Role, g.Scope).
		Count(&n).Error
	if err != nil {
		return Grant{}, fmt.Errorf("look up grant: %w", err)
	}
	if n > 0 {
		return Grant{}, ErrGrantExists
	}
	row := gormadapter.CasbinRule{Ptype: grantPtype, V0: g.UserID, V1: g.Role, V2: g.Scope}
	if err := tx.Create(&row).Error; err != nil {
		// A concurrent AddGrant of the same grant lost the race to the
		// unique index on (ptype, v0..v5).
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return Grant{}, ErrGrantExists
		}
		return Grant{}, fmt.Errorf("store grant: %w", err)
	}
	return grantFromRule(row), nil
}

// RemoveGrant deletes a grant through tx and returns what it was. Call
// Reload on every Enforcer after commit.
func RemoveGrant(tx *gorm.DB, id int64) (Grant, error) {
	if id <= 0 {
		return Grant{}, ErrGrantNotFound
	}
	var row gormadapter.CasbinRule
	err := tx.Where("id = ? AND ptype = ?", id, grantPtype).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Grant{}, ErrGrantNotFound
	}
	if err != nil {
		return Grant{}, fmt.Errorf("look up grant: %w", err)
	}
	res := tx.Where("id = ? AND ptype = ?", id, grantPtype).Delete(&gormadapter.CasbinRule{})
	if res.Error != nil {
		return Grant{}, fmt.Errorf("delete grant: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return Grant{}, ErrGrantNotFound
	}
	return grantFromRule(row), nil
}

// ListGrants reads the stored grants of userID, or of everyone when userID
// is "", ordered by id.
func ListGrants(db *gorm.DB, userID string) ([]Grant, error) {
	q := db.Where("ptype = ?", grantPtype)
	if userID != "" {
		q = q.Where("v0 = ?", userID)
	}
	var rows []gormadapter.CasbinRule
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	grants := make([]Grant, len(rows))
	for i, r := range rows {
		grants[i] = grantFromRule(r)
	}
	return grants, nil
}

func grantFromRule(r gormadapter.CasbinRule) Grant {
	return Grant{ID: int64(r.ID), UserID: r.V0, Role: r.V1, Scope: r.V2}
}
