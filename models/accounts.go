package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The rules about accounts: each function here is one change, in its own
// transaction with its audit event, the session ends it implies and the
// announcement to other instances. Callers check password policy and hash
// passwords (package auth) before calling, outside any transaction.

// NewAccount is what a new account is made of.
type NewAccount struct {
	Email        string
	DisplayName  string
	PasswordHash string
}

// CreateAccount stores a new active account with no grant.
func CreateAccount(ctx context.Context, db *gorm.DB, actor Actor, a NewAccount) (*User, error) {
	var u *User
	err := Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if u, err = CreateUser(ctx, tx, a.Email, a.DisplayName, a.PasswordHash); err != nil {
			return err
		}
		return RecordAudit(ctx, tx, actor, "user.create", "user", u.ID, map[string]any{"email": u.Email})
	})
	return u, err
}

// AccountChange holds what an admin may change about an account; nil
// fields stay as they are. Rights change only through grants.
type AccountChange struct {
	Email        *string
	DisplayName  *string
	Active       *bool
	PasswordHash *string // an admin's reset: ends the user's sessions
}

// UpdateAccount applies change to account id. Deactivating the last active
// admin is a *ConflictError on "active"; a new password or a deactivation
// ends every session of the account.
func UpdateAccount(ctx context.Context, db *gorm.DB, actor Actor, id string, change AccountChange) (*User, error) {
	var u *User
	err := Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if u, err = GetUser(ctx, tx, id); err != nil {
			return err
		}
		changed := []string{}
		if change.Email != nil && NormalizeEmail(*change.Email) != u.Email {
			email := NormalizeEmail(*change.Email)
			if msg := AccountEmailError(email); msg != "" {
				return Invalid("email", msg)
			}
			u.Email = email
			changed = append(changed, "email")
		}
		if change.DisplayName != nil {
			u.DisplayName = strings.TrimSpace(*change.DisplayName)
			changed = append(changed, "display_name")
		}
		endSessions := false
		if change.PasswordHash != nil {
			u.PasswordHash = *change.PasswordHash
			endSessions = true
			changed = append(changed, "password")
		}
		if change.Active != nil && *change.Active != u.Active {
			if !*change.Active {
				if err := keepAnAdmin(ctx, tx, u.ID); err != nil {
					return err
				}
				endSessions = true
			}
			u.Active = *change.Active
			changed = append(changed, "active")
		}
		return saveAccount(ctx, tx, actor, u, endSessions, "user.update", map[string]any{"fields": changed})
	})
	return u, err
}

// SetPasswordByEmail gives the account with email a new password and ends
// its sessions: how a locked-out admin gets back in from the shell.
// ErrNotFound when no account has the email.
func SetPasswordByEmail(ctx context.Context, db *gorm.DB, actor Actor, email, passwordHash string, detail map[string]any) (*User, error) {
	var u *User
	err := Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if u, err = GetUserByEmail(ctx, tx, email); err != nil {
			return err
		}
		u.PasswordHash = passwordHash
		return saveAccount(ctx, tx, actor, u, true, "auth.password_set", detail)
	})
	return u, err
}

// saveAccount writes the changed account u, records action and tells every
// instance to forget its cached copy. endSessions makes every access token
// of u stale and revokes its refresh tokens.
func saveAccount(ctx context.Context, tx *gorm.DB, actor Actor, u *User, endSessions bool, action string, detail map[string]any) error {
	if endSessions {
		u.TokenVersion++
		if err := RevokeUserRefreshTokens(ctx, tx, u.ID, time.Now()); err != nil {
			return err
		}
	}
	if err := SaveUser(ctx, tx, u); err != nil {
		return err
	}
	return RecordAudit(ctx, tx, actor, action, "user", u.ID, detail)
}

// keepAnAdmin refuses to deactivate userID when it is the last active admin.
func keepAnAdmin(ctx context.Context, tx *gorm.DB, userID string) error {
	if err := LockAccounts(ctx, tx); err != nil {
		return err
	}
	admin, err := IsAdmin(ctx, tx, userID)
	if err != nil || !admin {
		return err
	}
	n, err := CountActiveAdmins(ctx, tx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return &ConflictError{Field: "active", Message: "is the last active admin; make another admin first"}
	}
	return nil
}

// ErrAccountsExist: first-run setup was attempted once an account exists.
var ErrAccountsExist = errors.New("an account exists already")
