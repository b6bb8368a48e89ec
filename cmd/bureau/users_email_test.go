package main

import (
	"strings"
	"testing"

	"bureau/models/dbtest"
)

// `bureau users create` applies the account email rules: a Cyrillic
// look-alike is refused, a fullwidth spelling is the existing account.
func TestCLIUsersCreateRefusesLookAlikes(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			env := map[string]string{"BUREAU_DATABASE_URL": target.URL, "BUREAU_DATA_DIR": t.TempDir(), "BUREAU_LOG_LEVEL": "error"}
			create := func(email string) (string, error) {
				return runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", email, "--role", "viewer", "--password-stdin")
			}
			if out, err := create("admin@example.org"); err != nil {
				t.Fatalf("create: %q %v", out, err)
			}
			if _, err := create("аdmin@example.org"); err == nil || !strings.Contains(err.Error(), "email") {
				t.Errorf("Cyrillic look-alike: %v", err)
			}
			if _, err := create("ａｄｍｉｎ@example.org"); err == nil {
				t.Error("a fullwidth spelling made a second account")
			}
		})
	}
}
