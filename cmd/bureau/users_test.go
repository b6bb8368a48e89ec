package main

import (
	"context"
	"strings"
	"testing"

	"bureau/models"
	"bureau/models/dbtest"
	"bureau/policies"
)

// TestUsersCreateScope: the CLI's grant names a real document; a scope
// naming none creates neither the account nor the grant.
func TestUsersCreateScope(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			env := map[string]string{"BUREAU_DATABASE_URL": target.URL, "BUREAU_DATA_DIR": t.TempDir(), "BUREAU_LOG_LEVEL": "error"}
			if _, err := runCLI(t, env, "", "seed", "demo"); err != nil {
				t.Fatal(err)
			}
			for _, scope := range []string{"department:future", "office:ecce", "office:OCCS"} {
				_, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "e@example.org", "--role", "editor", "--scope", scope, "--password-stdin")
				if err == nil || !strings.Contains(err.Error(), "scope") {
					t.Fatalf("users create --scope %s: %v, want an error naming the scope", scope, err)
				}
			}
			db := dbtest.Open(t, target.URL)
			if n, err := models.CountUsers(context.Background(), db); err != nil || n != 0 {
				t.Fatalf("%d users after refused creations, %v", n, err)
			}
			out, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "e@example.org", "--role", "editor", "--scope", "department:ecce", "--password-stdin")
			if err != nil || !strings.Contains(out, "in scope department:ecce") {
				t.Fatalf("users create: %q %v", out, err)
			}
			grants, err := policies.ListGrants(context.Background(), db)
			if err != nil || len(grants) != 1 || grants[0].Scope != "department:ecce" || grants[0].ScopeID == "" {
				t.Fatalf("grants: %+v, %v", grants, err)
			}
		})
	}
}
