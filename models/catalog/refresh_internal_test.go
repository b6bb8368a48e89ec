package catalog

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// TestRefreshReloadsOnlyWhatItRenders checks that an event reloads the
// touched office and its departments only (a new draft: nothing at all),
// and that nothing keeps its decoded content once rendered.
func TestRefreshReloadsOnlyWhatItRenders(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		other, err := models.CreateOffice(ctx, db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "other", Name: "Other", Summary: "Another office."}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Publish(ctx, db, models.System, models.KindOffice, other.ID, 0); err != nil {
			t.Fatal(err)
		}
		cat := New(db, nil)
		if err := cat.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		occs := cat.state.Load().officeBySlug["occs"]
		draft, err := models.CreateDepartment(ctx, db, models.System, models.DepartmentContent{OfficeID: occs.id, CommonContent: models.CommonContent{Slug: "draft-only", Name: "Draft"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, event := range []string{
			models.ContentEvent(models.KindDepartment, draft.ID), // not public: nothing to reload
			models.ContentEvent(models.KindOffice, other.ID),     // an office without departments
		} {
			before := cat.state.Load()
			if err := cat.Refresh(ctx, event); err != nil {
				t.Fatal(err)
			}
			after := cat.state.Load()
			if after.officeBySlug["occs"] != before.officeBySlug["occs"] {
				t.Errorf("%s reloaded an office it does not touch", event)
			}
			for slug, d := range before.deptBySlug {
				if after.deptBySlug[slug] != d {
					t.Errorf("%s reloaded department %s", event, slug)
				}
			}
			assertTrimmed(t, after)
		}
	})
}

func assertTrimmed(t *testing.T, s *state) {
	t.Helper()
	for _, o := range s.offices {
		if o.c.DescriptionHTML != "" || o.c.Summary != "" || o.c.Contacts != nil || o.descText != "" {
			t.Errorf("office %s keeps its decoded content", o.c.Slug)
		}
	}
	for _, d := range s.departments {
		if d.c.DescriptionHTML != "" || d.c.Summary != "" || d.c.Contacts != nil || d.descText != "" {
			t.Errorf("department %s keeps its decoded content", d.c.Slug)
		}
	}
}
