package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// Revision messages and authors, and the office a department list shows.

func validationFields(t *testing.T, err error) []string {
	t.Helper()
	var v *models.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	var out []string
	for _, fe := range v.Errors {
		out = append(out, fe.Field)
	}
	slices.Sort(out)
	return out
}

func TestRevisionMessages(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o, err := models.CreateOffice(ctx, db, editor, officeNamed("messages"), "  First draft \r\n of the office  ")
		if err != nil {
			t.Fatal(err)
		}
		rev, err := models.GetRevision(ctx, db, models.KindOffice, o.ID, 1)
		if err != nil || rev.Message != "First draft \n of the office" {
			t.Fatalf("revision 1 message %q, %v; want it trimmed, line breaks kept", rev.Message, err)
		}

		// 500 characters fit on both databases (PostgreSQL's column was
		// varchar(200) before migration 0004); 501 do not.
		long := strings.Repeat("é", 500)
		next := officeNamed("messages")
		next.Summary = "Changed once"
		if _, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, next, long); err != nil {
			t.Fatalf("a 500-character message: %v", err)
		}
		if rev, _ := models.GetRevision(ctx, db, models.KindOffice, o.ID, 2); rev == nil || rev.Message != long {
			t.Fatalf("revision 2 does not hold the 500-character message")
		}
		next.Summary = "Changed twice"
		for _, tc := range []struct {
			content models.OfficeContent
			message string
			fields  []string
		}{
			{next, long + "x", []string{"message"}},
			{next, "bell\a", []string{"message"}},
			{next, "nul\x00", []string{"message"}},
			{next, "\xff", []string{"message"}},
			{models.OfficeContent{CommonContent: models.CommonContent{Slug: "messages"}}, long + "x", []string{"message", "name"}}, // named together
		} {
			_, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 2, tc.content, tc.message)
			if got := validationFields(t, err); !slices.Equal(got, tc.fields) {
				t.Errorf("message %.20q: fields %v, want %v", tc.message, got, tc.fields)
			}
		}
		if n := countRevisions(t, db, models.KindOffice, o.ID); n != 2 {
			t.Errorf("%d revisions after refused saves, want 2", n)
		}
		d, err := models.CreateDepartment(ctx, db, editor, departmentIn(o.ID, "messages-dept"), "\tNew department\t")
		if err != nil {
			t.Fatal(err)
		}
		if rev, _ := models.GetRevision(ctx, db, models.KindDepartment, d.ID, 1); rev == nil || rev.Message != "New department" {
			t.Errorf("department revision 1 message: %+v", rev)
		}
		if _, err := models.CreateDepartment(ctx, db, editor, departmentIn(o.ID, "messages-dept-2"), long+"x"); err == nil {
			t.Error("CreateDepartment accepted a 501-character message")
		}

		// The migration kept the revision numbers unique on both databases
		// (GORM's SQLite AlterColumn would have dropped that index).
		err = db.Exec("INSERT INTO revisions (entity_type, entity_id, number, content, created_at) VALUES (?, ?, 1, '{}', CURRENT_TIMESTAMP)",
			"office", o.ID).Error
		if err == nil {
			t.Error("a second revision 1 was accepted: the unique index on revisions is gone")
		}
	})
}

func TestListRevisionsNamesAuthors(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		named, err := models.CreateUser(ctx, db, "grace@example.org", "Grace Hopper", "x")
		if err != nil {
			t.Fatal(err)
		}
		unnamed, err := models.CreateUser(ctx, db, "linus@example.org", "", "x")
		if err != nil {
			t.Fatal(err)
		}
		o, err := models.CreateOffice(ctx, db, models.System, officeNamed("authors"), "")
		if err != nil {
			t.Fatal(err)
		}
		for i, who := range []*models.User{named, unnamed} {
			c := officeNamed("authors")
			c.Summary = who.Email
			if _, err := models.SaveOfficeDraft(ctx, db, models.Actor{UserID: who.ID, Email: who.Email}, o.ID, i+1, c, "by "+who.Email); err != nil {
				t.Fatal(err)
			}
		}
		revs, total, err := models.ListRevisions(ctx, db, models.KindOffice, o.ID, 20, 0)
		if err != nil || total != 3 || len(revs) != 3 {
			t.Fatalf("revisions %+v of %d: %v", revs, total, err)
		}
		want := []struct{ name, message string }{{"linus@example.org", "by linus@example.org"}, {"Grace Hopper", "by grace@example.org"}, {"", ""}}
		for i, r := range revs {
			if r.AuthorName != want[i].name || r.Message != want[i].message {
				t.Errorf("revision %d: author %q message %q, want %q %q", r.Number, r.AuthorName, r.Message, want[i].name, want[i].message)
			}
			name, err := models.AuthorName(ctx, db, r.AuthorID)
			if err != nil || name != r.AuthorName {
				t.Errorf("AuthorName(revision %d) = %q, %v; the list says %q", r.Number, name, err, r.AuthorName)
			}
		}
		if revs[2].AuthorID != nil {
			t.Errorf("Bureau's own revision has author %v", *revs[2].AuthorID)
		}
		// Names are today's: a renamed author shows under the new name.
		named.DisplayName = "Rear Admiral Hopper"
		if err := models.SaveUser(ctx, db, named); err != nil {
			t.Fatal(err)
		}
		revs, _, _ = models.ListRevisions(ctx, db, models.KindOffice, o.ID, 1, 1)
		if len(revs) != 1 || revs[0].AuthorName != "Rear Admiral Hopper" {
			t.Errorf("after a rename: %+v", revs)
		}
	})
}

func TestListDepartmentsCarriesTheOffice(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := mustCreateOffice(t, db, officeNamed("alpha"))
		b := mustCreateOffice(t, db, officeNamed("beta"))
		mustCreateDepartment(t, db, departmentIn(a.ID, "a-one"))
		mustCreateDepartment(t, db, departmentIn(b.ID, "b-one"))
		// The office's draft is renamed: lists show its current slug and name.
		renamed := officeNamed("beta-renamed")
		renamed.Name = "Beta, renamed"
		if _, err := models.SaveOfficeDraft(ctx, db, editor, b.ID, 1, renamed, ""); err != nil {
			t.Fatal(err)
		}
		rows, total, err := models.ListDepartments(ctx, db, models.DocumentFilter{AllScopes: true, Limit: 10})
		if err != nil || total != 2 {
			t.Fatalf("%d rows: %v", total, err)
		}
		got := map[string][2]string{}
		for _, r := range rows {
			got[r.Slug] = [2]string{r.OfficeSlug, r.OfficeName}
			if r.ID == "" || r.OfficeID == "" || r.Version != 1 {
				t.Errorf("row %+v lost its department fields", r)
			}
		}
		if got["a-one"] != [2]string{"alpha", "Office alpha"} || got["b-one"] != [2]string{"beta-renamed", "Beta, renamed"} {
			t.Errorf("offices of the rows: %v", got)
		}
		ref, err := models.GetOfficeRef(ctx, db, b.ID)
		if err != nil || ref.Slug != "beta-renamed" || ref.Name != "Beta, renamed" {
			t.Errorf("GetOfficeRef = %+v, %v", ref, err)
		}
		if _, err := models.GetOfficeRef(ctx, db, "8d3f7a52-0c1e-4b7a-9f3e-2a6c5d4b3e21"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetOfficeRef of no office: %v", err)
		}
	})
}
