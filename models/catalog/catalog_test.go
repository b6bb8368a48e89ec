package catalog_test

import (
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

// demoOrder is the seeded departments in the page's order.
var demoOrder = []string{"ecce", "oscpa", "osse", "osel", "scs", "osa", "jrotc"}

type contactJSON struct {
	Label  string `json:"label"`
	Phones []struct {
		Kind   string `json:"kind"`
		Number string `json:"number"`
		E164   string `json:"e164"`
	} `json:"phones"`
}

type departmentJSON struct {
	ID              string        `json:"id"`
	Slug            string        `json:"slug"`
	Name            string        `json:"name"`
	Acronym         string        `json:"acronym"`
	DescriptionText string        `json:"description_text"`
	Position        int           `json:"position"`
	Contacts        []contactJSON `json:"contacts"`
	Office          *struct {
		Slug, Name, Acronym string
	} `json:"office"`
}

type officeJSON struct {
	ID              string           `json:"id"`
	Slug            string           `json:"slug"`
	Name            string           `json:"name"`
	DescriptionText string           `json:"description_text"`
	Contacts        []contactJSON    `json:"contacts"`
	Departments     []departmentJSON `json:"departments"`
	DepartmentCount int              `json:"department_count"`
}

type listJSON[T any] struct {
	Data []T `json:"data"`
	Meta struct {
		Total, Limit, Offset int
	} `json:"meta"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func officeDoc(t *testing.T, cat *catalog.Catalog, slug string) officeJSON {
	t.Helper()
	doc, ok := cat.Office(slug)
	if !ok {
		t.Fatalf("office %q is not public", slug)
	}
	return decode[struct{ Data officeJSON }](t, doc.Body).Data
}

func departmentDoc(t *testing.T, cat *catalog.Catalog, slug string) departmentJSON {
	t.Helper()
	doc, ok := cat.Department(slug)
	if !ok {
		t.Fatalf("department %q is not public", slug)
	}
	return decode[struct{ Data departmentJSON }](t, doc.Body).Data
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func slugsOf(deps []departmentJSON) []string {
	out := make([]string, len(deps))
	for i, d := range deps {
		out[i] = d.Slug
	}
	return out
}

func listDepartments(t *testing.T, cat *catalog.Catalog, q catalog.ListQuery) listJSON[departmentJSON] {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	return decode[listJSON[departmentJSON]](t, cat.ListDepartments(q).Body)
}

func listOffices(t *testing.T, cat *catalog.Catalog, q catalog.ListQuery) listJSON[officeJSON] {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	return decode[listJSON[officeJSON]](t, cat.ListOffices(q).Body)
}

// seeded returns a database with the demo content and a catalog loaded from it.
func seeded(t *testing.T, db *gorm.DB) *catalog.Catalog {
	t.Helper()
	if _, err := models.SeedDemo(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return cat
}

func idOf(t *testing.T, db *gorm.DB, kind models.Kind, slug string) string {
	t.Helper()
	var ids []string
	if err := db.Table(kind.Plural()).Where("slug = ?", slug).Pluck("id", &ids).Error; err != nil || len(ids) != 1 {
		t.Fatalf("id of %s %q: %v %v", kind, slug, ids, err)
	}
	return ids[0]
}

func refresh(t *testing.T, cat *catalog.Catalog, kind models.Kind, id string) {
	t.Helper()
	if err := cat.Refresh(context.Background(), models.ContentEvent(kind, id)); err != nil {
		t.Fatalf("refresh %s %s: %v", kind, id, err)
	}
}

func publish(t *testing.T, db *gorm.DB, kind models.Kind, id string) {
	t.Helper()
	if _, err := models.Publish(context.Background(), db, models.System, kind, id, 0); err != nil {
		t.Fatalf("publish %s %s: %v", kind, id, err)
	}
}

// editDepartment saves a new draft of a department (by draft slug) and
// returns its id.
func editDepartment(t *testing.T, db *gorm.DB, slug string, change func(*models.DepartmentContent)) string {
	t.Helper()
	id := idOf(t, db, models.KindDepartment, slug)
	row, c, err := models.GetDepartment(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	change(c)
	if _, err := models.SaveDepartmentDraft(context.Background(), db, models.System, id, row.Version, *c, ""); err != nil {
		t.Fatalf("save department %s: %v", slug, err)
	}
	return id
}

func editOffice(t *testing.T, db *gorm.DB, slug string, change func(*models.OfficeContent)) string {
	t.Helper()
	id := idOf(t, db, models.KindOffice, slug)
	row, c, err := models.GetOffice(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	change(c)
	if _, err := models.SaveOfficeDraft(context.Background(), db, models.System, id, row.Version, *c, ""); err != nil {
		t.Fatalf("save office %s: %v", slug, err)
	}
	return id
}

func createOffice(t *testing.T, db *gorm.DB, slug, name string, published bool) string {
	t.Helper()
	o, err := models.CreateOffice(context.Background(), db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: slug, Name: name}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if published {
		publish(t, db, models.KindOffice, o.ID)
	}
	return o.ID
}

func createDepartment(t *testing.T, db *gorm.DB, officeID, slug string, published bool) string {
	t.Helper()
	d, err := models.CreateDepartment(context.Background(), db, models.System, models.DepartmentContent{
		OfficeID: officeID,
		CommonContent: models.CommonContent{Slug: slug, Name: "Department " + slug,
			Summary: "A department called " + slug},
	}, "")

	if err != nil {
		t.Fatal(err)
	}
	if published {
		publish(t, db, models.KindDepartment, d.ID)
	}
	return d.ID
}

// visible reports whether a department is public, after checking that
// every way of reading the catalog agrees on it.
func visible(t *testing.T, cat *catalog.Catalog, slug, officeSlug string) bool {
	t.Helper()
	_, direct := cat.Department(slug)
	inList := slices.Contains(slugsOf(listDepartments(t, cat, catalog.ListQuery{}).Data), slug)
	inOffice := false
	if doc, ok := cat.Office(officeSlug); ok {
		inOffice = slices.Contains(slugsOf(decode[struct{ Data officeJSON }](t, doc.Body).Data.Departments), slug)
	}
	if direct != inList || direct != inOffice {
		t.Errorf("department %q: lookup %v, in list %v, in office %q %v", slug, direct, inList, officeSlug, inOffice)
	}
	return direct
}

func TestLoadAll(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := catalog.New(db, nil)
		if o, d := cat.Counts(); o != 0 || d != 0 {
			t.Errorf("a new catalog has %d offices, %d departments", o, d)
		}
		if _, ok := cat.Office("occs"); ok {
			t.Error("a new catalog has an office")
		}
		if list := listOffices(t, cat, catalog.ListQuery{}); len(list.Data) != 0 || list.Meta.Total != 0 {
			t.Errorf("a new catalog lists %+v", list)
		}

		cat = seeded(t, db)
		if o, d := cat.Counts(); o != 1 || d != 7 {
			t.Errorf("Counts() = %d, %d; want 1, 7", o, d)
		}
		occs := officeDoc(t, cat, "occs")
		if occs.Name != "College and Career Success" || !slices.Equal(slugsOf(occs.Departments), demoOrder) {
			t.Errorf("office: %s with departments %v", occs.Name, slugsOf(occs.Departments))
		}
		for i, d := range occs.Departments {
			if d.Position != i+1 || d.Office != nil {
				t.Errorf("embedded department %s: position %d, office %v", d.Slug, d.Position, d.Office)
			}
		}
		if !strings.HasPrefix(occs.DescriptionText, "The Office of College and Career Success (OCCS) promotes") {
			t.Errorf("description_text = %q", occs.DescriptionText)
		}
		if len(occs.Contacts) != 1 || occs.Contacts[0].Phones[0].E164 != "+17735533543" {
			t.Errorf("office contacts %+v", occs.Contacts)
		}
		ecce := departmentDoc(t, cat, "ecce")
		if ecce.Office == nil || ecce.Office.Slug != "occs" || ecce.Office.Acronym != "OCCS" || ecce.Contacts == nil {
			t.Errorf("department ecce: %+v", ecce)
		}
		for _, slug := range []string{"nope", "ecce", ""} {
			if _, ok := cat.Office(slug); ok {
				t.Errorf("Office(%q) found", slug)
			}
		}
		for _, slug := range []string{"nope", "occs", ""} {
			if _, ok := cat.Department(slug); ok {
				t.Errorf("Department(%q) found", slug)
			}
		}
	})
}

func TestVisibility(t *testing.T) {
	tests := []struct {
		name string
		// setup changes the database and the catalog; it returns the slug
		// of a department and of the office it should appear in.
		setup   func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (dept, office string)
		visible bool
	}{
		{
			name: "draft department of a published office",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				id := createDepartment(t, db, idOf(t, db, models.KindOffice, "occs"), "draft-dept", false)
				refresh(t, cat, models.KindDepartment, id)
				return "draft-dept", "occs"
			},
		},
		{
			name: "published department of a published office",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				id := createDepartment(t, db, idOf(t, db, models.KindOffice, "occs"), "public-dept", true)
				refresh(t, cat, models.KindDepartment, id)
				return "public-dept", "occs"
			},
			visible: true,
		},
		{
			name: "published department of a draft office",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				office := createOffice(t, db, "draft-office", "Draft Office", false)
				id := createDepartment(t, db, office, "orphan-dept", true)
				refresh(t, cat, models.KindOffice, office)
				refresh(t, cat, models.KindDepartment, id)
				return "orphan-dept", "draft-office"
			},
		},
		{
			name: "office published after its department",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				office := createOffice(t, db, "late-office", "Late Office", false)
				id := createDepartment(t, db, office, "early-dept", true)
				refresh(t, cat, models.KindDepartment, id)
				if _, ok := cat.Department("early-dept"); ok {
					t.Error("visible before its office is public")
				}
				publish(t, db, models.KindOffice, office)
				refresh(t, cat, models.KindOffice, office)
				return "early-dept", "late-office"
			},
			visible: true,
		},
		{
			name: "unpublished department",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				id := idOf(t, db, models.KindDepartment, "osse")
				if _, err := models.Unpublish(context.Background(), db, models.System, models.KindDepartment, id, 0); err != nil {
					t.Fatal(err)
				}
				refresh(t, cat, models.KindDepartment, id)
				return "osse", "occs"
			},
		},
		{
			name: "trashed department",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				id := idOf(t, db, models.KindDepartment, "osa")
				if err := models.Trash(context.Background(), db, models.System, models.KindDepartment, id, 0); err != nil {
					t.Fatal(err)
				}
				refresh(t, cat, models.KindDepartment, id)
				return "osa", "occs"
			},
		},
		{
			name: "restored department",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				id := idOf(t, db, models.KindDepartment, "scs")
				if err := models.Trash(context.Background(), db, models.System, models.KindDepartment, id, 0); err != nil {
					t.Fatal(err)
				}
				refresh(t, cat, models.KindDepartment, id)
				if _, err := models.RestoreFromTrash(context.Background(), db, models.System, models.KindDepartment, id); err != nil {
					t.Fatal(err)
				}
				refresh(t, cat, models.KindDepartment, id)
				return "scs", "occs"
			},
			visible: true,
		},
		{
			name: "department of an unpublished office",
			setup: func(t *testing.T, db *gorm.DB, cat *catalog.Catalog) (string, string) {
				office := createOffice(t, db, "gone-office", "Gone Office", true)
				id := createDepartment(t, db, office, "stranded-dept", true)
				refresh(t, cat, models.KindOffice, office)
				refresh(t, cat, models.KindDepartment, id)
				if _, ok := cat.Department("stranded-dept"); !ok {
					t.Fatal("not visible while its office is public")
				}
				if _, err := models.Unpublish(context.Background(), db, models.System, models.KindOffice, office, 0); err != nil {
					t.Fatal(err)
				}
				refresh(t, cat, models.KindOffice, office)
				if _, ok := cat.Office("gone-office"); ok {
					t.Error("unpublished office still public")
				}
				return "stranded-dept", "gone-office"
			},
		},
	}
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				dept, office := tt.setup(t, db, cat)
				if got := visible(t, cat, dept, office); got != tt.visible {
					t.Errorf("department %q visible = %v, want %v", dept, got, tt.visible)
				}
				_, deps := cat.Counts()
				if want := len(listDepartments(t, cat, catalog.ListQuery{}).Data); deps != want {
					t.Errorf("Counts() says %d departments, the list has %d", deps, want)
				}
			})
		}
	})
}

func TestRefreshMovesDepartments(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		other := createOffice(t, db, "other", "Other Office", true)
		refresh(t, cat, models.KindOffice, other)
		occsBefore, _ := cat.Office("occs")
		otherBefore, _ := cat.Office("other")
		if got := officeDoc(t, cat, "other").Departments; len(got) != 0 {
			t.Fatalf("new office has departments %v", slugsOf(got))
		}

		// A moved draft is not public yet.
		id := editDepartment(t, db, "ecce", func(c *models.DepartmentContent) { c.OfficeID = other })
		refresh(t, cat, models.KindDepartment, id)
		if got := departmentDoc(t, cat, "ecce").Office.Slug; got != "occs" {
			t.Errorf("before publishing the move, ecce is under %q", got)
		}

		publish(t, db, models.KindDepartment, id)
		refresh(t, cat, models.KindDepartment, id)
		if got := slugsOf(officeDoc(t, cat, "occs").Departments); !slices.Equal(got, demoOrder[1:]) {
			t.Errorf("occs departments after the move: %v", got)
		}
		if got := slugsOf(officeDoc(t, cat, "other").Departments); !slices.Equal(got, []string{"ecce"}) {
			t.Errorf("other departments after the move: %v", got)
		}
		if ref := departmentDoc(t, cat, "ecce").Office; ref == nil || ref.Slug != "other" || ref.Name != "Other Office" {
			t.Errorf("ecce's office after the move: %+v", ref)
		}
		occsAfter, _ := cat.Office("occs")
		otherAfter, _ := cat.Office("other")
		if occsAfter.ETag == occsBefore.ETag || otherAfter.ETag == otherBefore.ETag {
			t.Error("both office documents must be re-rendered after a move")
		}
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Office: "other"}).Data); !slices.Equal(got, []string{"ecce"}) {
			t.Errorf("departments?office=other: %v", got)
		}
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Office: "occs"}).Data); slices.Contains(got, "ecce") {
			t.Errorf("departments?office=occs still has ecce: %v", got)
		}
		offices := listOffices(t, cat, catalog.ListQuery{})
		counts := map[string]int{}
		for _, o := range offices.Data {
			counts[o.Slug] = o.DepartmentCount
		}
		if counts["occs"] != 6 || counts["other"] != 1 {
			t.Errorf("department counts in the office list: %v", counts)
		}
	})
}

func TestRefreshOffice(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		ecceBefore, _ := cat.Department("ecce")
		id := editOffice(t, db, "occs", func(c *models.OfficeContent) {
			c.Slug = "college-career"
			c.Name = "College & Career Success"
		})
		refresh(t, cat, models.KindOffice, id)
		if got := officeDoc(t, cat, "occs").Name; got != "College and Career Success" {
			t.Errorf("an unpublished draft reached the public: %q", got)
		}
		publish(t, db, models.KindOffice, id)
		refresh(t, cat, models.KindOffice, id)
		if _, ok := cat.Office("occs"); ok {
			t.Error("the old slug still answers")
		}
		if got := officeDoc(t, cat, "college-career"); got.Name != "College & Career Success" || len(got.Departments) != 7 {
			t.Errorf("renamed office: %s with %d departments", got.Name, len(got.Departments))
		}
		if ref := departmentDoc(t, cat, "ecce").Office; ref == nil || ref.Slug != "college-career" || ref.Name != "College & Career Success" {
			t.Errorf("department's office reference after the rename: %+v", ref)
		}
		if ecceAfter, _ := cat.Department("ecce"); ecceAfter.ETag == ecceBefore.ETag {
			t.Error("department document not re-rendered after its office changed")
		}
		if got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Office: "college-career"}).Data); !slices.Equal(got, demoOrder) {
			t.Errorf("departments?office=college-career: %v", got)
		}
	})
}

func TestListOrder(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		// A second office sorting before "College and Career Success", with
		// one department, and a later edit to make updated_at differ.
		alpha := createOffice(t, db, "alpha", "Alpha Office", true)
		zeta := createDepartment(t, db, alpha, "zeta", true)
		refresh(t, cat, models.KindOffice, alpha)
		refresh(t, cat, models.KindDepartment, zeta)
		osse := editDepartment(t, db, "osse", func(c *models.DepartmentContent) { c.Summary += " Edited." })
		publish(t, db, models.KindDepartment, osse)
		refresh(t, cat, models.KindDepartment, osse)

		byName := []string{"zeta", "ecce", "jrotc", "oscpa", "osel", "osa", "osse", "scs"} // "Department zeta" first
		tests := []struct {
			sort string
			want []string
		}{
			{"", append([]string{"zeta"}, demoOrder...)},
			{"office", append([]string{"zeta"}, demoOrder...)},
			{"-office", append(reversed(demoOrder), "zeta")},
			{"name", byName},
			{"-name", reversed(byName)},
			{"slug", []string{"ecce", "jrotc", "osa", "oscpa", "osel", "osse", "scs", "zeta"}},
			{"acronym", []string{"zeta", "ecce", "jrotc", "osa", "oscpa", "osel", "osse", "scs"}},
		}
		for _, tt := range tests {
			t.Run("departments sort="+tt.sort, func(t *testing.T) {
				got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Sort: tt.sort}).Data)
				if !slices.Equal(got, tt.want) {
					t.Errorf("got  %v\nwant %v", got, tt.want)
				}
			})
		}
		t.Run("departments sort=updated_at", func(t *testing.T) {
			got := slugsOf(listDepartments(t, cat, catalog.ListQuery{Sort: "updated_at"}).Data)
			if got[len(got)-1] != "osse" {
				t.Errorf("the last edited department is not last: %v", got)
			}
			got = slugsOf(listDepartments(t, cat, catalog.ListQuery{Sort: "-updated_at"}).Data)
			if got[0] != "osse" {
				t.Errorf("the last edited department is not first: %v", got)
			}
		})
		t.Run("offices", func(t *testing.T) {
			for sort, want := range map[string][]string{
				"":      {"alpha", "occs"},
				"name":  {"alpha", "occs"},
				"-name": {"occs", "alpha"},
				"-slug": {"occs", "alpha"},
			} {
				var got []string
				for _, o := range listOffices(t, cat, catalog.ListQuery{Sort: sort}).Data {
					got = append(got, o.Slug)
				}
				if !slices.Equal(got, want) {
					t.Errorf("sort=%q: %v, want %v", sort, got, want)
				}
			}
		})
	})
}

func TestListPagesAndFilters(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		tests := []struct {
			name      string
			q         catalog.ListQuery
			want      []string
			wantTotal int
		}{
			{"first page", catalog.ListQuery{Limit: 3}, demoOrder[:3], 7},
			{"second page", catalog.ListQuery{Limit: 3, Offset: 3}, demoOrder[3:6], 7},
			{"last page", catalog.ListQuery{Limit: 3, Offset: 6}, demoOrder[6:], 7},
			{"past the end", catalog.ListQuery{Limit: 3, Offset: 10}, []string{}, 7},
			{"descending page", catalog.ListQuery{Limit: 2, Offset: 1, Sort: "-office"}, []string{"osa", "scs"}, 7},
			{"office filter", catalog.ListQuery{Limit: 100, Office: "occs"}, demoOrder, 7},
			{"office filter, sorted", catalog.ListQuery{Limit: 2, Office: "occs", Sort: "-name"}, []string{"scs", "osse"}, 7},
			{"unknown office", catalog.ListQuery{Limit: 100, Office: "nope"}, []string{}, 0},
			{"search by acronym", catalog.ListQuery{Limit: 100, Q: "jrotc"}, []string{"jrotc"}, 1},
			// Ranked: osel has the word in its name, oscpa in its summary.
			{"search is case-insensitive", catalog.ListQuery{Limit: 100, Q: "EMOTIONAL"}, []string{"osel", "oscpa"}, 2},
			{"all words must match", catalog.ListQuery{Limit: 100, Q: "emotional  MTSS"}, []string{"osel"}, 1},
			{"words in any order", catalog.ListQuery{Limit: 100, Q: "CPL sports"}, []string{"osa"}, 1},
			{"no match", catalog.ListQuery{Limit: 100, Q: "emotional sports"}, []string{}, 0},
			{"search pages count matches", catalog.ListQuery{Limit: 1, Offset: 1, Q: "emotional"}, []string{"oscpa"}, 2},
			{"search and office", catalog.ListQuery{Limit: 100, Q: "emotional", Office: "occs"}, []string{"osel", "oscpa"}, 2},
			{"search in descending order", catalog.ListQuery{Limit: 100, Q: "emotional", Sort: "-office"}, []string{"osel", "oscpa"}, 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list := listDepartments(t, cat, tt.q)
				if got := slugsOf(list.Data); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				if list.Meta.Total != tt.wantTotal || list.Meta.Limit != tt.q.Limit || list.Meta.Offset != tt.q.Offset {
					t.Errorf("meta %+v, want total %d, limit %d, offset %d", list.Meta, tt.wantTotal, tt.q.Limit, tt.q.Offset)
				}
				// A page comes from the list cache the second time: it must
				// be the same answer.
				if again := cat.ListDepartments(tt.q); string(again.Body) != string(cat.ListDepartments(tt.q).Body) {
					t.Error("the cached page differs")
				}
			})
		}
		offices := listOffices(t, cat, catalog.ListQuery{Limit: 10, Q: "Mobility"})
		if offices.Meta.Total != 1 || offices.Data[0].Slug != "occs" || offices.Data[0].DepartmentCount != 7 {
			t.Errorf("offices?q=Mobility: %+v", offices)
		}
		if offices := listOffices(t, cat, catalog.ListQuery{Limit: 10, Q: "jrotc"}); offices.Meta.Total != 0 {
			t.Errorf("offices?q=jrotc matched %+v", offices.Data)
		}
	})
}

func TestETags(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		cat := seeded(t, db)
		type docs struct{ office, ecce, osa, officeList, deptList catalog.Doc }
		read := func() docs {
			var d docs
			d.office, _ = cat.Office("occs")
			d.ecce, _ = cat.Department("ecce")
			d.osa, _ = cat.Department("osa")
			d.officeList = cat.ListOffices(catalog.ListQuery{Limit: 20})
			d.deptList = cat.ListDepartments(catalog.ListQuery{Limit: 20})
			return d
		}
		first := read()
		for name, d := range map[string]catalog.Doc{"office": first.office, "ecce": first.ecce, "office list": first.officeList, "department list": first.deptList} {
			if !strings.HasPrefix(d.ETag, `"`) || !strings.HasSuffix(d.ETag, `"`) || len(d.ETag) < 10 {
				t.Errorf("%s ETag %q is not a strong quoted tag", name, d.ETag)
			}
			if d.LastModified.IsZero() || d.LastModHTTP == "" {
				t.Errorf("%s has no Last-Modified", name)
			}
		}

		// Reloading, or refreshing something that did not change, keeps
		// every validator.
		if err := cat.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		refresh(t, cat, models.KindDepartment, idOf(t, db, models.KindDepartment, "osa"))
		if again := read(); again.office.ETag != first.office.ETag || again.ecce.ETag != first.ecce.ETag ||
			again.officeList.ETag != first.officeList.ETag || again.deptList.ETag != first.deptList.ETag {
			t.Error("ETags changed although nothing did")
		}
		other := catalog.New(db, nil)
		if err := other.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		if doc, _ := other.Office("occs"); doc.ETag != first.office.ETag {
			t.Error("another instance computes a different ETag for the same content")
		}

		// A saved draft is not public: nothing changes.
		id := editDepartment(t, db, "ecce", func(c *models.DepartmentContent) { c.Name = "Early College, Draft" })
		refresh(t, cat, models.KindDepartment, id)
		draft := read()
		if draft.ecce.ETag != first.ecce.ETag || draft.office.ETag != first.office.ETag {
			t.Error("ETags changed for an unpublished draft")
		}
		if got := departmentDoc(t, cat, "ecce").Name; got != "Early College and Career Education" {
			t.Errorf("public name %q while a newer draft exists", got)
		}

		publish(t, db, models.KindDepartment, id)
		refresh(t, cat, models.KindDepartment, id)
		published := read()
		if published.ecce.ETag == first.ecce.ETag || published.office.ETag == first.office.ETag ||
			published.deptList.ETag == first.deptList.ETag {
			t.Error("ETags did not change with the published content")
		}
		if published.osa.ETag != first.osa.ETag {
			t.Error("an untouched department's ETag changed")
		}
		if got := departmentDoc(t, cat, "ecce").Name; got != "Early College, Draft" {
			t.Errorf("public name %q after publishing", got)
		}
		if published.office.LastModified.Before(first.office.LastModified) {
			t.Error("Last-Modified went back in time")
		}
	})
}

// TestReadsDuringRefresh reads documents while the catalog rebuilds; run
// with -race it proves readers never see a document being rewritten.
func TestReadsDuringRefresh(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		cat := seeded(t, db)
		ids := map[string]string{}
		for _, slug := range demoOrder {
			ids[slug] = idOf(t, db, models.KindDepartment, slug)
		}
		officeID := idOf(t, db, models.KindOffice, "occs")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					doc, ok := cat.Office("occs")
					if !ok {
						t.Error("office vanished during a refresh")
						return
					}
					if !json.Valid(doc.Body) {
						t.Error("torn office document")
						return
					}
					for _, slug := range demoOrder {
						if d, ok := cat.Department(slug); ok && !json.Valid(d.Body) {
							t.Error("torn department document")
						}
					}
					cat.ListDepartments(catalog.ListQuery{Limit: 20})
					// Searches build each new state's index while it is read.
					if got := cat.ListDepartments(catalog.ListQuery{Limit: 20, Q: "emotional"}); !json.Valid(got.Body) {
						t.Error("torn search page")
					}
					runtime.Gosched()
				}
			})
		}
		for i := range 14 {
			slug := demoOrder[i%len(demoOrder)]
			if err := cat.Refresh(ctx, models.ContentEvent(models.KindDepartment, ids[slug])); err != nil {
				t.Error(err)
			}
			if i%5 == 0 {
				if err := cat.Refresh(ctx, models.ContentEvent(models.KindOffice, officeID)); err != nil {
					t.Error(err)
				}
			}
		}
		if err := cat.Refresh(ctx, models.EventAll); err != nil {
			t.Error(err)
		}
		close(stop)
		wg.Wait()
		if err := cat.Refresh(ctx, "bogus:"+officeID); err == nil {
			t.Error("an unknown event kind was accepted")
		}
	})
}
