package models

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// User is an account of the web admin. PasswordHash and TokenVersion never
// leave the server: they have no JSON name.
type User struct {
	ID           string     `gorm:"primaryKey;size:36" json:"id"`
	Email        string     `gorm:"size:254;uniqueIndex" json:"email"` // stored lower-case
	DisplayName  string     `gorm:"size:200" json:"display_name"`
	PasswordHash string     `gorm:"size:255" json:"-"`
	Active       bool       `json:"active"`
	TokenVersion int64      `json:"-"` // bumped to invalidate every access token at once
	LastLoginAt  *time.Time `json:"last_login_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// CreateUser stores a new active user. The caller hashes the password.
func CreateUser(ctx context.Context, tx *gorm.DB, email, displayName, passwordHash string) (*User, error) {
	v := &ValidationError{}
	if msg := AccountEmailError(email); msg != "" {
		v.Add("email", "%s", msg)
	}
	email = NormalizeEmail(email)
	displayName = strings.TrimSpace(displayName)
	checkText(v, "display_name", displayName, maxName, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	u := &User{ID: uuid.NewString(), Email: email, DisplayName: displayName, PasswordHash: passwordHash, Active: true, TokenVersion: 1}
	if err := tx.WithContext(ctx).Create(u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, &ConflictError{Field: "email", Message: "is already used by another account"}
		}
		return nil, err
	}
	return u, nil
}

// GetUser loads a user by id.
func GetUser(ctx context.Context, db *gorm.DB, id string) (*User, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, ErrNotFound
	}
	u := &User{}
	if err := db.WithContext(ctx).Where("id = ?", id).Take(u).Error; err != nil {
		return nil, translateReadError(err)
	}
	return u, nil
}

// GetUserByEmail loads a user by email, in any spelling NormalizeEmail
// folds together. An account stored before NormalizeEmail used PRECIS and
// IDNA is also found by its old form.
func GetUserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	// No stored email holds a NUL or invalid UTF-8 (CreateUser validates),
	// and PostgreSQL refuses such text outright: a sign-in with one is an
	// unknown account, not a server error.
	if strings.ContainsRune(email, 0) || !utf8.ValidString(email) {
		return nil, ErrNotFound
	}
	forms := []string{NormalizeEmail(email)}
	if legacy := legacyNormalizeEmail(email); legacy != forms[0] {
		forms = append(forms, legacy)
	}
	var users []User
	if err := db.WithContext(ctx).Where("email IN ?", forms).Limit(2).Find(&users).Error; err != nil {
		return nil, translateReadError(err)
	}
	for _, form := range forms { // the current form wins over the old one
		for i := range users {
			if users[i].Email == form {
				return &users[i], nil
			}
		}
	}
	return nil, ErrNotFound
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Q      string // part of the email or display name
	Active *bool
	Limit  int
	Offset int
}

// ListUsers returns matching users ordered by email, and how many match.
func ListUsers(ctx context.Context, db *gorm.DB, f UserFilter) ([]User, int64, error) {
	q := db.WithContext(ctx).Model(&User{})
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.Where("email LIKE ? ESCAPE '\\' OR LOWER(display_name) LIKE ? ESCAPE '\\'", like, like)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var users []User
	err := q.Order("email").Limit(f.Limit).Offset(f.Offset).Find(&users).Error
	return users, total, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SaveUser writes the editable columns of u (email, display name, password
// hash, active, token version) and nothing else, and announces it so every
// instance forgets its cached copy.
func SaveUser(ctx context.Context, db *gorm.DB, u *User) error {
	v := &ValidationError{}
	checkText(v, "display_name", u.DisplayName, maxName, false)
	if err := v.Err(); err != nil {
		return err
	}
	return Write(ctx, db, func(tx *gorm.DB) error {
		err := tx.Model(u).Select("email", "display_name", "password_hash", "active", "token_version", "updated_at").Updates(u).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return &ConflictError{Field: "email", Message: "is already used by another account"}
		}
		if err != nil {
			return err
		}
		return Changed(tx, EventUser+u.ID)
	})
}

// TouchLogin records a successful sign-in.
func TouchLogin(ctx context.Context, db *gorm.DB, userID string, at time.Time) error {
	// Stored as Now would make it (see Now).
	at = at.UTC().Truncate(time.Microsecond)
	return db.WithContext(ctx).Model(&User{}).Where("id = ?", userID).UpdateColumn("last_login_at", at).Error
}

// BumpTokenVersion invalidates every access token of a user, and announces
// it so other instances drop their cached copy.
func BumpTokenVersion(ctx context.Context, db *gorm.DB, userID string) error {
	return Write(ctx, db, func(tx *gorm.DB) error {
		err := tx.Model(&User{}).Where("id = ?", userID).
			UpdateColumn("token_version", gorm.Expr("token_version + 1")).Error
		if err != nil {
			return err
		}
		return Changed(tx, EventUser+userID)
	})
}

// CountUsers counts all accounts; serve uses it to say how to make the first.
func CountUsers(ctx context.Context, db *gorm.DB) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// LockAccounts serialises transactions that must keep an active admin
// (deactivations, admin grant removals) so two of them cannot each see the
// other admin still there. SQLite serialises all writers already.
func LockAccounts(ctx context.Context, tx *gorm.DB) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.WithContext(ctx).Exec("SELECT pg_advisory_xact_lock(727274001)").Error
}
