package catalog_test

import (
	"context"
	"slices"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

// searchFixture publishes one office with four departments whose words sit
// in known fields. Editors' order (position): library, transport,
// especial, adultos.
func searchFixture(t *testing.T, db *gorm.DB) *catalog.Catalog {
	t.Helper()
	ctx := context.Background()
	o, err := models.CreateOffice(ctx, db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "distrito", Name: "Distrito Escolar de Peñalolén", Acronym: "DEP", Summary: "Oficina del distrito."}, Contacts: []models.Contact{{
		Label:  "Recepción",
		Emails: []models.Email{{Address: "recepcion@distrito.example"}},
	}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	publish(t, db, models.KindOffice, o.ID)
	deps := []models.DepartmentContent{
		{CommonContent: models.CommonContent{Slug: "library", Name: "Library Services", Summary: "Books and reading rooms.", DescriptionHTML: "<p>Reading rooms for <b>educación</b> of all ages.</p>"}},
		{CommonContent: models.CommonContent{Slug: "transport", Name: "Transportation", Summary: "Buses and educación vial."}, Contacts: []models.Contact{{Label: "Oficina Central", Address: &models.Address{
			Street: "125 S. Clark St.", City: "Evanston", State: "IL", PostalCode: "60201", Country: "US"}}}},
		{CommonContent: models.CommonContent{Slug: "especial", Name: "Educación Especial", Acronym: "EE", Summary: "Support for students with disabilities."}, Contacts: []models.Contact{{
			Label:   "Special Education Office",
			Address: &models.Address{Street: "2651 W. Washington Blvd.", City: "Chicago", State: "IL", PostalCode: "60612", Country: "US"},
			Phones:  []models.Phone{{Kind: models.PhoneFax, Number: "773-553-3470"}},
			Emails:  []models.Email{{Address: "especial@cps.edu", Label: "Intake"}},
		}}},
		{CommonContent: models.CommonContent{Slug: "adultos", Name: "Educación de Adultos", Summary: "Evening classes.", DescriptionHTML: "<p>Classes at the Große Straße campus on pneumonoultramicroscopicsilicovolcanoconiosisandmorelettersxyz and Ἀθῆναι.</p>"}},
	}
	for i, c := range deps {
		c.OfficeID = o.ID
		c.Position = i + 1
		d, err := models.CreateDepartment(ctx, db, models.System, c, "")
		if err != nil {
			t.Fatalf("department %s: %v", c.Slug, err)
		}
		publish(t, db, models.KindDepartment, d.ID)
	}
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestSearchMatching(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := searchFixture(t, db)
		tests := []struct {
			name, q string
			want    []string
		}{
			// Ranked: name matches (in editors' order), then summary, then description.
			{"accents ignored", "educacion", []string{"especial", "adultos", "transport", "library"}},
			{"case and accents in the query", "EDUCACIÓN", []string{"especial", "adultos", "transport", "library"}},
			{"last word is a prefix", "educ", []string{"especial", "adultos", "transport", "library"}},
			{"every word is a prefix of a word", "educ espe", []string{"especial"}},
			{"words match from their start", "ducacion", []string{}},
			{"every word must match", "educacion washington", []string{"especial"}},
			{"every word, in any field", "buses educacion", []string{"transport"}},
			{"one word missing", "educacion zzz", []string{}},
			{"acronym", "ee", []string{"especial"}},
			{"street prefix (typeahead)", "washin", []string{"especial"}},
			{"street with punctuation", "2651 W. Washington", []string{"especial"}},
			{"city", "evanston", []string{"transport"}},
			{"postal code", "60612", []string{"especial"}},
			{"contact label", "oficina", []string{"transport"}},
			{"email address", "especial@cps.edu", []string{"especial"}},
			{"email prefix", "especial@cp", []string{"especial"}},
			{"email label", "intake", []string{"especial"}},
			{"phone as displayed", "773-553-3470", []string{"especial"}},
			{"local number with a dash", "553-3470", []string{"especial"}},
			{"phone digits only", "7735533470", []string{"especial"}},
			{"phone E.164", "+17735533470", []string{"especial"}},
			{"phone with spaces and parentheses", "(773) 553-3470", []string{"especial"}},
			{"phone digits as a prefix", "773553", []string{"especial"}},
			{"last digits of a phone", "3470", []string{"especial"}},
			{"another phone is not found", "553-3471", []string{}},
			{"case folding beyond lower case", "strasse", []string{"adultos"}},
			{"folded on the query side too", "STRAẞE", []string{"adultos"}},
			{"greek accents", "αθηναι", []string{"adultos"}},
			{"a very long word, typed in full", "pneumonoultramicroscopicsilicovolcanoconiosisandmorelettersxyz", []string{"adultos"}},
			{"punctuation only matches everything", "--", []string{"library", "transport", "especial", "adultos"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list := listDepartments(t, cat, catalog.ListQuery{Q: tt.q})
				if got := slugsOf(list.Data); !slices.Equal(got, tt.want) {
					t.Errorf("q=%q: got %v, want %v", tt.q, got, tt.want)
				}
				if list.Meta.Total != len(tt.want) {
					t.Errorf("q=%q: total %d, want %d", tt.q, list.Meta.Total, len(tt.want))
				}
			})
		}

		offices := listOffices(t, cat, catalog.ListQuery{Q: "penalolen"})
		if offices.Meta.Total != 1 || offices.Data[0].Slug != "distrito" {
			t.Errorf("offices?q=penalolen: %+v", offices)
		}
		if offices := listOffices(t, cat, catalog.ListQuery{Q: "recepcion@distrito"}); offices.Meta.Total != 1 {
			t.Errorf("an office is not found by its contact email: %+v", offices)
		}
		if offices := listOffices(t, cat, catalog.ListQuery{Q: "especial"}); offices.Meta.Total != 0 {
			t.Errorf("an office is found by a department's words: %+v", offices)
		}
	})
}

func TestSearchRankingAndSort(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := searchFixture(t, db)
		tests := []struct {
			name      string
			q         catalog.ListQuery
			want      []string
			wantTotal int
		}{
			{"no q: editors' order", catalog.ListQuery{}, []string{"library", "transport", "especial", "adultos"}, 4},
			{"ranked", catalog.ListQuery{Q: "educacion"}, []string{"especial", "adultos", "transport", "library"}, 4},
			{"ranked pages", catalog.ListQuery{Q: "educacion", Limit: 2, Offset: 1}, []string{"adultos", "transport"}, 4},
			// Names compare byte by byte: "Educación Especial" < "Educación de Adultos".
			{"sort overrides the ranking", catalog.ListQuery{Q: "educacion", Sort: "name"}, []string{"especial", "adultos", "library", "transport"}, 4},
			{"descending sort", catalog.ListQuery{Q: "educacion", Sort: "-name"}, []string{"transport", "library", "adultos", "especial"}, 4},
			{"editors' order asked for", catalog.ListQuery{Q: "educacion", Sort: "office"}, []string{"library", "transport", "especial", "adultos"}, 4},
			{"with the office filter", catalog.ListQuery{Q: "educacion", Office: "distrito"}, []string{"especial", "adultos", "transport", "library"}, 4},
			{"with another office", catalog.ListQuery{Q: "educacion", Office: "nope"}, []string{}, 0},
			{"name before contacts", catalog.ListQuery{Q: "educ"}, []string{"especial", "adultos", "transport", "library"}, 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list := listDepartments(t, cat, tt.q)
				if got := slugsOf(list.Data); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				if list.Meta.Total != tt.wantTotal {
					t.Errorf("total %d, want %d", list.Meta.Total, tt.wantTotal)
				}
			})
		}
	})
}

// TestSearchFollowsPublications checks that a publication re-indexes the
// document: new words are found, the old ones no longer.
func TestSearchFollowsPublications(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := searchFixture(t, db)
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Q: "washington"}).Data); !slices.Equal(got, []string{"especial"}) {
			t.Fatalf("before: %v", got)
		}
		id := editDepartment(t, db, "especial", func(c *models.DepartmentContent) {
			c.Contacts[0].Address.Street = "125 S. Clark St."
			c.Contacts[0].Phones[0].Number = "312-553-1000"
		})
		publish(t, db, models.KindDepartment, id)
		refresh(t, cat, models.KindDepartment, id)
		for q, want := range map[string][]string{
			"washington": {},
			"3470":       {},
			"5531000":    {"especial"},
			"clark":      {"transport", "especial"},
		} {
			if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Q: q}).Data); !slices.Equal(got, want) {
				t.Errorf("q=%q after the publication: %v, want %v", q, got, want)
			}
		}
		// A rename of the office re-renders its departments and keeps them found.
		oid := editOffice(t, db, "distrito", func(c *models.OfficeContent) { c.Name = "Distrito Norte" })
		publish(t, db, models.KindOffice, oid)
		refresh(t, cat, models.KindOffice, oid)
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Q: "especial"}).Data); !slices.Equal(got, []string{"especial"}) {
			t.Errorf("after the office's rename: %v", got)
		}
		if got := departmentDoc(t, cat, "especial").Office; got == nil || got.Name != "Distrito Norte" {
			t.Errorf("department's office after the rename: %+v", got)
		}
		// Re-rendered from content read again, not from what was kept.
		if got := departmentDoc(t, cat, "library").DescriptionText; got != "Reading rooms for educación of all ages." {
			t.Errorf("a department's description after its office's rename: %q", got)
		}
		if offices := listOffices(t, cat, catalog.ListQuery{Q: "norte"}); offices.Meta.Total != 1 {
			t.Errorf("offices?q=norte after the rename: %+v", offices)
		}
	})
}

// TestRefreshOfAnUnpublishedDocument checks that an event for a document
// that is not public (a new draft) re-renders nothing: every other
// document keeps its full content.
func TestRefreshOfAnUnpublishedDocument(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		before := departmentDoc(t, cat, "ecce")
		officeBefore, _ := cat.Office("occs")
		officeID := idOf(t, db, models.KindOffice, "occs")
		refresh(t, cat, models.KindDepartment, createDepartment(t, db, officeID, "draft-only", false))
		refresh(t, cat, models.KindOffice, createOffice(t, db, "empty-office", "Empty Office", true))
		after := departmentDoc(t, cat, "ecce")
		if after.DescriptionText == "" || after.DescriptionText != before.DescriptionText || len(after.Contacts) != len(before.Contacts) {
			t.Errorf("ecce changed after unrelated refreshes: %+v", after)
		}
		if officeAfter, _ := cat.Office("occs"); officeAfter.ETag != officeBefore.ETag {
			t.Error("the office document changed after unrelated refreshes")
		}
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Q: "madison"}).Data); len(got) != 4 {
			t.Errorf("departments found by their street after unrelated refreshes: %v", got)
		}
	})
}
