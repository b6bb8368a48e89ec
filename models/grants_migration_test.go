package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// TestGrantsMigration fills casbin_rule as the release before 2026120204
// did, migrates, and checks each old grant: converted to the document's id
// when its slug names a document (trashed ones count), dropped otherwise.
// Rolling back gives the old rows back, by slug.
func TestGrantsMigration(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, target.URL)
			if err := models.MigrateTo(ctx, db, "202612010004_revision_messages"); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			exec := func(sql string, args ...any) {
				t.Helper()
				if err := db.Exec(sql, args...).Error; err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			users := []string{uuid.NewString(), uuid.NewString()}
			for i, id := range users {
				exec("INSERT INTO users (id, email, display_name, password_hash, active, token_version, created_at, updated_at) VALUES (?, ?, '', 'h', ?, 1, ?, ?)",
					id, []string{"a@example.org", "b@example.org"}[i], true, now, now)
			}
			occs, ecce, gone := uuid.NewString(), uuid.NewString(), uuid.NewString()
			exec("INSERT INTO offices (id, slug, name, acronym, summary, version, created_at, updated_at) VALUES (?, 'occs', 'O', '', '', 1, ?, ?)", occs, now, now)
			exec("INSERT INTO departments (id, slug, name, acronym, summary, version, created_at, updated_at, office_id, position) VALUES (?, 'ecce', 'E', '', '', 1, ?, ?, ?, 0)", ecce, now, now, occs)
			exec("INSERT INTO departments (id, slug, name, acronym, summary, version, created_at, updated_at, deleted_at, office_id, position) VALUES (?, 'gone', 'G', '', '', 1, ?, ?, ?, ?, 1)", gone, now, now, now, occs)
			rules := []struct {
				id                int
				ptype, v0, v1, v2 string
			}{
				{1, "g", users[0], "admin", "*"},
				{2, "g", users[1], "editor", "office:occs"},
				{3, "g", users[1], "viewer", "department:ecce"},
				{4, "g", users[1], "author", "department:gone"},   // trashed: kept
				{5, "g", users[1], "editor", "department:future"}, // dormant: dropped
				{6, "g", users[1], "editor", "office:ecce"},       // a department's slug as an office: dropped
				{7, "g", users[1], "owner", "*"},                  // no such role: dropped
				{8, "g", users[1], "admin", "office:occs"},        // scoped admin: dropped
				{9, "g", uuid.NewString(), "viewer", "*"},         // no such user: dropped
				{10, "p", "viewer", "users", "read"},              // not a grant
			}
			for _, r := range rules {
				exec("INSERT INTO casbin_rule (id, ptype, v0, v1, v2, v3, v4, v5) VALUES (?, ?, ?, ?, ?, '', '', '')", r.id, r.ptype, r.v0, r.v1, r.v2)
			}

			if err := models.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			grants, err := models.ListGrants(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			type g struct {
				id                    int64
				user, role, kind, doc string
			}
			var got []g
			for _, r := range grants {
				got = append(got, g{r.ID, r.UserID, r.Role, r.Kind, r.DocumentID})
			}
			want := []g{
				{1, users[0], "admin", "all", ""},
				{2, users[1], "editor", "office", occs},
				{3, users[1], "viewer", "department", ecce},
				{4, users[1], "author", "department", gone},
			}
			if !slices.Equal(got, want) {
				t.Fatalf("converted grants:\n got %+v\nwant %+v", got, want)
			}
			if db.Migrator().HasTable("casbin_rule") {
				t.Fatal("casbin_rule is still there")
			}
			// New grants continue after the converted ids.
			row := models.GrantRow{UserID: users[0], Role: "viewer", Kind: "office", DocumentID: occs}
			if err := db.Transaction(func(tx *gorm.DB) error { return models.InsertGrant(ctx, tx, &row) }); err != nil || row.ID <= 4 {
				t.Fatalf("new grant after the migration: id %d, %v", row.ID, err)
			}

			if err := models.RollbackTo(ctx, db, "202612010004_revision_messages"); err != nil {
				t.Fatal(err)
			}
			var back []struct {
				ID         int64
				V0, V1, V2 string
			}
			if err := db.Table("casbin_rule").Select("id, v0, v1, v2").Where("ptype = 'g'").Order("id").Scan(&back).Error; err != nil {
				t.Fatal(err)
			}
			if len(back) != 5 || back[1].V2 != "office:occs" || back[3].V2 != "department:gone" || back[4].V0 != users[0] {
				t.Fatalf("rolled back rows: %+v", back)
			}
			if db.Migrator().HasTable("grants") {
				t.Fatal("grants is still there after the rollback")
			}
		})
	}
}
