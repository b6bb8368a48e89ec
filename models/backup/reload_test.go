package backup_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"bureau/models"
	"bureau/models/backup"
	"bureau/models/dbtest"
	"bureau/policies"
)

// TestImportReloadsRunningServers: a server running on the database an
// import replaces serves the imported content, grants and accounts soon
// after, with nothing of what it had cached: the import announces "reload
// everything", and the server reloads its catalog, its grants and its
// cache of users.
func TestImportReloadsRunningServers(t *testing.T) {
	source := dbtest.Migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "source.db"))
	accounts := seedInstance(t, source)
	admin := accounts[0]
	file := exportOf(t, source)

	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db := dbtest.Migrated(t, target.URL)
			// Before: the demo, and the admin's account with a later token
			// version than the file's, so tokens valid here are not there.
			if _, err := models.SeedDemo(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := db.Create(&models.User{ID: admin.id, Email: admin.email, PasswordHash: "$argon2id$old", Active: true, TokenVersion: 6}).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := policies.AddGrant(context.Background(), db, models.System, policies.GrantRequest{UserID: admin.id, Role: policies.RoleAdmin, Scope: policies.ScopeAll}); err != nil {
				t.Fatal(err)
			}
			in := newInstance(t, db)
			connected := make(chan bool, 1)
			go models.Listen(ctx, db, target.URL, nil, func(p string) { in.srv.HandleEvent(ctx, p) }, connected)
			<-connected // listening: no event of the import can be missed
			go func() { // Listen must be read until it returns
				for range connected {
				}
			}()
			before := in.token(admin.id)
			if a := in.get("/api/v1/admin/users", before); a.Status != http.StatusOK {
				t.Fatalf("before the import: %+v", a)
			}
			if a := in.get("/api/v1/departments/oscpa", ""); a.Status != http.StatusOK {
				t.Fatalf("before the import: %+v", a)
			}

			if _, err := backup.Import(ctx, db, bytes.NewReader(file), backup.ImportOptions{Replace: true}); err != nil {
				t.Fatal(err)
			}
			after := in.token(admin.id) // the file's token version
			deadline := time.Now().Add(10 * time.Second)
			for {
				got := []int{
					in.get("/api/v1/departments/counseling", "").Status, // oscpa, renamed in the file
					in.get("/api/v1/departments/oscpa", "").Status,
					in.get("/api/v1/admin/users", after).Status,  // the file's grants and account
					in.get("/api/v1/admin/users", before).Status, // the cached account is gone
				}
				if got[0] == 200 && got[1] == 404 && got[2] == 200 && got[3] == 401 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("10 s after the import the server still answers %v, want [200 404 200 401]", got)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
