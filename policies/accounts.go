package policies

import (
	"context"
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

// Account changes that involve a grant; the others are in models/accounts.go.

// CreateAccountWithGrant makes an account holding one grant, in one
// transaction: `bureau users create`. A bad role or scope, or a scope naming
// no document, creates nothing. via says where it came from, for the audit
// log.
func CreateAccountWithGrant(ctx context.Context, db *gorm.DB, actor models.Actor, a models.NewAccount, role, scope, via string) (*models.User, Grant, error) {
	var u *models.User
	var g Grant
	err := models.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if u, err = models.CreateUser(ctx, tx, a.Email, a.DisplayName, a.PasswordHash); err != nil {
			return err
		}
		if g, err = insertGrant(ctx, tx, GrantRequest{UserID: u.ID, Role: role, Scope: scope}); err != nil {
			return err
		}
		return models.RecordAudit(ctx, tx, actor, "user.create", "user", u.ID,
			map[string]any{"email": u.Email, "role": g.Role, "scope": g.Scope, "via": via})
	})
	if err != nil {
		return nil, Grant{}, err
	}
	return u, g, nil
}

// CreateFirstAdmin makes the first account, an admin, and records its
// sign-in at now: first-run setup in the browser. Once any account exists
// (made by the CLI or another instance meanwhile) it is
// models.ErrAccountsExist and changes nothing.
func CreateFirstAdmin(ctx context.Context, db *gorm.DB, a models.NewAccount, clientIP string, now time.Time) (*models.User, error) {
	var u *models.User
	err := models.Write(ctx, db, func(tx *gorm.DB) error {
		if err := models.LockAccounts(ctx, tx); err != nil {
			return err
		}
		n, err := models.CountUsers(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return models.ErrAccountsExist
		}
		if u, err = models.CreateUser(ctx, tx, a.Email, a.DisplayName, a.PasswordHash); err != nil {
			return err
		}
		if _, err := insertGrant(ctx, tx, GrantRequest{UserID: u.ID, Role: RoleAdmin, Scope: ScopeAll}); err != nil {
			return err
		}
		if err := models.TouchLogin(ctx, tx, u.ID, now.UTC()); err != nil {
			return err
		}
		self := models.Actor{UserID: u.ID, Email: u.Email, ClientIP: clientIP}
		return models.RecordAudit(ctx, tx, self, "user.create", "user", u.ID,
			map[string]any{"email": u.Email, "role": RoleAdmin, "scope": ScopeAll, "via": "setup"})
	})
	if err != nil {
		return nil, err
	}
	at := now.UTC()
	u.LastLoginAt = &at
	return u, nil
}
