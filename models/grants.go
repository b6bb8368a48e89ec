package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Grants live in the grants table, and this file is the only code that
// reads or writes it; package policies decides what a grant means.
//
// A grant names its document by id (Kind plus DocumentID), so a rename
// changes nothing about who may do what, and a slug that no document has
// can never be granted. Scope "*" is Kind GrantKindAll with DocumentID "".
// A grant on a trashed document stays: it still counts for restoring that
// document, and is shown by the slug the document keeps in the trash (a
// trashed document's slug is not free for another one).

// GrantKindAll is the kind of a grant in scope "*"; the other kinds are
// KindOffice and KindDepartment.
const GrantKindAll = "all"

// GrantRow is a stored grant.
type GrantRow struct {
	ID         int64     `gorm:"primaryKey"`
	UserID     string    `gorm:"size:36;not null"`
	Role       string    `gorm:"size:16;not null"`
	Kind       string    `gorm:"size:16;not null"`
	DocumentID string    `gorm:"size:36;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (GrantRow) TableName() string { return "grants" }

// StoredGrant is a grant with the current slug of its document ("" for "*").
type StoredGrant struct {
	GrantRow
	Slug string
}

// GrantTarget finds the document a grant in kind/slug would name, trashed
// documents included. ErrNotFound when no document has the slug.
func GrantTarget(ctx context.Context, db *gorm.DB, kind Kind, slug string) (string, error) {
	var id string
	err := db.WithContext(ctx).Table(kind.Plural()).Select("id").Where("slug = ?", slug).Take(&id).Error
	if err != nil {
		return "", translateReadError(err)
	}
	return id, nil
}

// InsertGrant stores g. A grant the user already holds is a *ConflictError
// on "role", also when a concurrent insert wins the unique index.
func InsertGrant(ctx context.Context, tx *gorm.DB, g *GrantRow) error {
	var n int64
	err := tx.WithContext(ctx).Model(&GrantRow{}).
		Where("user_id = ? AND role = ? AND kind = ? AND document_id = ?", g.UserID, g.Role, g.Kind, g.DocumentID).
		Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		err = tx.WithContext(ctx).Create(g).Error
	}
	if n > 0 || errors.Is(err, gorm.ErrDuplicatedKey) {
		return &ConflictError{Field: "role", Message: "the user already holds this role in this scope"}
	}
	return err
}

// DeleteGrant removes grant id and returns it as it was. ErrNotFound when
// there is no such grant.
func DeleteGrant(ctx context.Context, tx *gorm.DB, id int64) (*StoredGrant, error) {
	var found []StoredGrant
	if err := grantQuery(ctx, tx).Where("grants.id = ?", id).Scan(&found).Error; err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, ErrNotFound
	}
	res := tx.WithContext(ctx).Where("id = ?", id).Delete(&GrantRow{})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, ErrNotFound
	}
	return &found[0], nil
}

// ListGrants returns the grants of the given users, or of everyone when
// userIDs is empty, ordered by id. Grants whose document no longer exists
// (rows written behind the API's back) are left out: they name nothing,
// and the enforcer, which reads them here too, gives them no force.
func ListGrants(ctx context.Context, db *gorm.DB, userIDs ...string) ([]StoredGrant, error) {
	q := grantQuery(ctx, db)
	if len(userIDs) > 0 {
		q = q.Where("grants.user_id IN ?", userIDs)
	}
	grants := []StoredGrant{}
	err := q.Order("grants.id").Scan(&grants).Error
	return grants, err
}

// grantQuery selects grants with their document's current slug.
func grantQuery(ctx context.Context, db *gorm.DB) *gorm.DB {
	return db.WithContext(ctx).Table("grants").
		Select("grants.id, grants.user_id, grants.role, grants.kind, grants.document_id, grants.created_at, COALESCE(o.slug, d.slug, '') AS slug").
		Joins("LEFT JOIN offices o ON grants.kind = 'office' AND o.id = grants.document_id").
		Joins("LEFT JOIN departments d ON grants.kind = 'department' AND d.id = grants.document_id").
		Where("grants.kind = ? OR o.id IS NOT NULL OR d.id IS NOT NULL", GrantKindAll)
}

// CountActiveAdmins counts active users holding the admin role.
func CountActiveAdmins(ctx context.Context, tx *gorm.DB) (int64, error) {
	var n int64
	err := tx.WithContext(ctx).Table("users").
		Joins("JOIN grants g ON g.user_id = users.id AND g.role = 'admin' AND g.kind = ?", GrantKindAll).
		Where("users.active = ?", true).
		Distinct("users.id").Count(&n).Error
	return n, err
}

// IsAdmin reports whether userID holds the admin role.
func IsAdmin(ctx context.Context, tx *gorm.DB, userID string) (bool, error) {
	var n int64
	err := tx.WithContext(ctx).Model(&GrantRow{}).
		Where("user_id = ? AND role = 'admin' AND kind = ?", userID, GrantKindAll).Count(&n).Error
	return n > 0, err
}
