package backup

import (
	"time"

	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models"
)

// userRecord is an account with what signs it in: the argon2id hash and
// the token version (a restored instance with the same JWT secret keeps
// honouring the access tokens that were valid, and no others).
type userRecord struct {
	ID           string     `json:"id"`
	Email        string     `json:"email"`
	DisplayName  string     `json:"display_name"`
	PasswordHash string     `json:"password_hash"`
	Active       bool       `json:"active"`
	TokenVersion int64      `json:"token_version"`
	LastLoginAt  *time.Time `json:"last_login_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func (userRecord) TableName() string { return "users" }

func (u *userRecord) normalize() {
	u.LastLoginAt = storedTimePtr(u.LastLoginAt)
	u.CreatedAt = storedTime(u.CreatedAt)
	u.UpdatedAt = storedTime(u.UpdatedAt)
}

func (u *userRecord) check(st *loadState) error {
	c := checker{kind: "user", id: u.ID}
	c.uuid("id", u.ID)
	// Every account of a file was made through CreateUser or a rename, so
	// its email passes what they demand today, in its stored form.
	if msg := models.AccountEmailError(u.Email); msg != "" {
		c.fail("email %q %s", u.Email, msg)
	} else if u.Email != models.NormalizeEmail(u.Email) {
		c.fail("email %q is not in its stored form %q", u.Email, models.NormalizeEmail(u.Email))
	}
	c.text("display_name", u.DisplayName, 200, false)
	// Only hashes sign-in can verify: anything else is an account no
	// password opens, or one whose sign-in costs unbounded work.
	if err := auth.CheckHash(u.PasswordHash); err != nil || len(u.PasswordHash) > 255 {
		c.fail("password_hash is not an argon2id hash in the form Bureau writes")
	}
	if u.TokenVersion < 1 {
		c.fail("token_version must be at least 1")
	}
	c.set("created_at", u.CreatedAt)
	c.set("updated_at", u.UpdatedAt)
	if err := c.err(); err != nil {
		return err
	}
	return st.addUser(u.ID, u.Email)
}

func users() section {
	return &table[userRecord, *userRecord]{
		name:  "user",
		query: func(tx *gorm.DB) *gorm.DB { return tx.Table("users").Order(byText(tx, "id")) },
		done:  func(st *loadState) error { return st.checkAuthors() },
	}
}
