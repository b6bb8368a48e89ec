package models_test

import (
	"context"
	"errors"
	"testing"

	"bureau/models"
	"bureau/models/dbtest"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"  Someone@Example.ORG ": "someone@example.org",
		"ａｄｍｉｎ@example.org":      "admin@example.org",  // fullwidth letters fold
		"admin@ｅｘａｍｐｌｅ.org":      "admin@example.org",  // in the domain too
		"x@Bücher.de":            "x@xn--bcher-kva.de", // IDN stored as ASCII
		"аdmin@example.org":      "аdmin@example.org",  // Cyrillic а kept: refused below
		"no at sign":             "no at sign",         // left for validation
		"a b@example.org":        "a b@example.org",    // PRECIS refuses spaces
		"ＡＤＭＩＮ@EXAMPLE.ORG":      "admin@example.org",  // fullwidth capitals
		"e\u0301@example.org":    "\u00e9@example.org", // NFC
	} {
		if got := models.NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAccountEmailError(t *testing.T) {
	for email, ok := range map[string]bool{
		"admin@example.org":       true,
		"ａｄｍｉｎ@example.org":       true, // the same as admin@: a conflict, not a new account
		"x@bücher.de":             true, // stored as x@xn--bcher-kva.de
		"first.last+tag@ex.co.uk": true,
		"аdmin@example.org":       false, // Cyrillic а
		"αdmin@example.org":       false, // Greek α
		"josé@example.org":        false,
		"not an email":            false,
		"":                        false,
	} {
		if got := models.AccountEmailError(email) == ""; got != ok {
			t.Errorf("AccountEmailError(%q) = %q", email, models.AccountEmailError(email))
		}
	}
}

// Look-alike spellings of an address never become a second account, and an
// account stored under the old rules (a non-ASCII address, lower-cased
// only) still signs in.
func TestCreateUserRefusesLookAlikes(t *testing.T) {
	ctx := context.Background()
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			db := dbtest.Migrated(t, target.URL)
			if _, err := models.CreateUser(ctx, db, "admin@example.org", "", "h"); err != nil {
				t.Fatal(err)
			}
			var conflict *models.ConflictError
			if _, err := models.CreateUser(ctx, db, "ａｄｍｉｎ@example.org", "", "h"); !errors.As(err, &conflict) {
				t.Errorf("fullwidth admin@: %v, want a conflict", err)
			}
			var invalid *models.ValidationError
			if _, err := models.CreateUser(ctx, db, "аdmin@example.org", "", "h"); !errors.As(err, &invalid) {
				t.Errorf("Cyrillic аdmin@: %v, want a validation error", err)
			}
			var n int64
			db.Model(&models.User{}).Count(&n)
			if n != 1 {
				t.Errorf("%d accounts, want 1", n)
			}
			u, err := models.GetUserByEmail(ctx, db, "ＡＤＭＩＮ@example.org")
			if err != nil || u.Email != "admin@example.org" {
				t.Errorf("lookup by a fullwidth spelling: %v %v", u, err)
			}
			// An account from before: stored lower-cased, with a non-ASCII
			// local part and a Unicode domain.
			old := models.User{ID: "00000000-0000-4000-8000-000000000001", Email: "josé@bücher.de", PasswordHash: "h", Active: true, TokenVersion: 1}
			if err := db.Create(&old).Error; err != nil {
				t.Fatal(err)
			}
			if u, err := models.GetUserByEmail(ctx, db, " José@Bücher.de"); err != nil || u.ID != old.ID {
				t.Errorf("an account stored under the old rules: %v %v", u, err)
			}
		})
	}
}
