package models

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// RefreshToken is the stored digest of a refresh token. Tokens of one
// sign-in form a family: each refresh rotates to a new token of the same
// family, and presenting an already rotated token revokes the family.
type RefreshToken struct {
	ID        int64  `gorm:"primaryKey"`
	UserID    string `gorm:"size:36;index"`
	FamilyID  string `gorm:"size:36;index"`
	Digest    string `gorm:"size:64;uniqueIndex"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

// Refresh token failures. ErrRefreshReused means a rotated token came back:
// it was stolen or replayed, and its family is now revoked.
var (
	ErrRefreshInvalid = errors.New("refresh token is invalid or expired")
	ErrRefreshReused  = errors.New("refresh token was already used")
)

// StartRefreshFamily stores the first token of a new sign-in.
func StartRefreshFamily(ctx context.Context, tx *gorm.DB, userID, digest string, expires time.Time) error {
	return tx.WithContext(ctx).Create(&RefreshToken{
		UserID: userID, FamilyID: uuid.NewString(), Digest: digest, ExpiresAt: expires.UTC(),
	}).Error
}

// RotateRefreshToken spends the token with digest old and stores newDigest
// in its family. It returns the token's user. Reuse of a spent token revokes
// the family (committed even though the call fails).
func RotateRefreshToken(ctx context.Context, db *gorm.DB, old, newDigest string, expires, now time.Time) (userID string, err error) {
	var reusedFamily string
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t RefreshToken
		if err := tx.Clauses(lockForUpdate(tx)...).Where("digest = ?", old).Take(&t).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrRefreshInvalid
			}
			return err
		}
		if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
			return ErrRefreshInvalid
		}
		if t.UsedAt != nil {
			reusedFamily = t.FamilyID
			userID = t.UserID
			return ErrRefreshReused
		}
		// The used_at IS NULL condition makes two concurrent refreshes with
		// the same token race safely: exactly one wins.
		res := tx.Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			reusedFamily, userID = t.FamilyID, t.UserID
			return ErrRefreshReused
		}
		userID = t.UserID
		return tx.Create(&RefreshToken{UserID: t.UserID, FamilyID: t.FamilyID, Digest: newDigest, ExpiresAt: expires.UTC()}).Error
	})
	if errors.Is(err, ErrRefreshReused) {
		if rerr := revokeFamily(ctx, db, reusedFamily, now); rerr != nil {
			return userID, rerr
		}
	}
	return userID, err
}

// RevokeRefreshToken revokes the family of userID's token with digest
// (sign-out of one session) and reports whether there was one. A digest that
// is unknown or of another user revokes nothing.
func RevokeRefreshToken(ctx context.Context, tx *gorm.DB, userID, digest string, now time.Time) (bool, error) {
	var t RefreshToken
	err := tx.WithContext(ctx).Select("family_id").Where("digest = ? AND user_id = ?", digest, userID).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, revokeFamily(ctx, tx, t.FamilyID, now)
}

// RevokeUserRefreshTokens ends every session of a user (password change,
// deactivation, a sign-out that cannot tell which session is its own).
func RevokeUserRefreshTokens(ctx context.Context, tx *gorm.DB, userID string, now time.Time) error {
	return tx.WithContext(ctx).Model(&RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
}

func revokeFamily(ctx context.Context, db *gorm.DB, family string, now time.Time) error {
	return db.WithContext(ctx).Model(&RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", family).Update("revoked_at", now).Error
}

// lockForUpdate locks the selected row on PostgreSQL; SQLite has no row
// locks (and needs none: its writers are serialised).
func lockForUpdate(tx *gorm.DB) []clause.Expression {
	if DialectOf(tx) == Postgres {
		return []clause.Expression{clause.Locking{Strength: "UPDATE"}}
	}
	return nil
}
