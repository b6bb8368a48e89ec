package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// searchDirectory publishes the demo and two offices of seed-like
// departments (accents, non-Latin words, quotes, HTML, phones and emails)
// and returns the ids of the second office's departments.
func searchDirectory(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := models.SeedDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	var second []string
	for o := range 2 {
		office, err := models.CreateOffice(ctx, db, models.System, models.OfficeContent{
			CommonContent: models.CommonContent{Slug: fmt.Sprintf("office-%d", o), Name: fmt.Sprintf("Oficina Ñ %d", o), Acronym: "OÑ",
				Summary: "Oficina de educación.", DescriptionHTML: "<p>Große <em>Straße</em> &amp; 東京</p>"},
			Contacts: []models.Contact{{Label: "Recepción", Phones: []models.Phone{{Kind: models.PhoneVoice, Number: "312-555-0100"}},
				Emails: []models.Email{{Address: fmt.Sprintf("office%d@cps.edu", o)}}}},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		publishDoc(t, db, models.KindOffice, office.ID)
		for i := range 12 {
			c := seedLikeDepartment(o*100 + i)
			c.OfficeID, c.Acronym, c.Position = office.ID, "D", i+1
			for k := range c.Contacts {
				c.Contacts[k].ID = ""
			}
			d, err := models.CreateDepartment(ctx, db, models.System, c, "")
			if err != nil {
				t.Fatalf("department %s: %v", c.Slug, err)
			}
			publishDoc(t, db, models.KindDepartment, d.ID)
			if o == 1 {
				second = append(second, d.ID)
			}
		}
	}
	return second
}

func publishDoc(t *testing.T, db *gorm.DB, kind models.Kind, id string) {
	t.Helper()
	if _, err := models.Publish(context.Background(), db, models.System, kind, id, 0); err != nil {
		t.Fatalf("publish %s %s: %v", kind, id, err)
	}
}

// termSet is terms as words with their best group, comparable across
// dictionaries.
func termSet(dict *termDict, terms []uint32) map[string]uint32 {
	words := dict.snapshot()
	out := map[string]uint32{}
	for _, t := range terms {
		out[words[t>>2]] = t & 3
	}
	return out
}

// TestTermsFromDocumentsMatchTheContent checks that the words read back
// from the rendered documents are those of the stored content: every
// searched field is in the public document, as it was decoded.
func TestTermsFromDocumentsMatchTheContent(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		searchDirectory(t, db)
		ctx := context.Background()
		cat := New(db, nil)
		if err := cat.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		s := cat.state.Load()
		s.searchWords()
		reference := newTermDict()
		fromContent := func(kind models.Kind, id string) map[string]uint32 {
			var content string
			if err := db.Table("revisions r").Joins("JOIN "+kind.Plural()+" d ON d.id = r.entity_id AND d.published_revision = r.number").
				Where("r.entity_type = ? AND r.entity_id = ?", kind, id).Pluck("r.content", &content).Error; err != nil {
				t.Fatal(err)
			}
			var c models.DepartmentContent // an office's fields are a subset
			if err := json.Unmarshal([]byte(content), &c); err != nil {
				t.Fatal(err)
			}
			return termSet(reference, searchTerms(reference, &searchedFields{Name: c.Name, Acronym: c.Acronym, Slug: c.Slug, Summary: c.Summary,
				DescriptionText: models.RichTextToPlain(c.DescriptionHTML), Contacts: c.Contacts}))
		}
		check := func(kind models.Kind, id, slug string, terms []uint32) {
			got, want := termSet(s.dict, terms), fromContent(kind, id)
			if len(want) < 5 || !maps.Equal(got, want) {
				t.Errorf("%s %s: terms from its document %v, from its content %v", kind, slug, got, want)
			}
		}
		for _, o := range s.allOffices {
			check(models.KindOffice, o.id, o.c.Slug, o.searchTerms(s.dict))
		}
		for _, d := range s.visible {
			check(models.KindDepartment, d.id, d.c.Slug, d.searchTerms(s.dict))
		}
	})
}

var searchQueries = []ListQuery{
	{Limit: 50, Q: "educacion"},
	{Limit: 50, Q: "strasse"},
	{Limit: 50, Q: "東京"},
	{Limit: 50, Q: "773-553-3470"},
	{Limit: 50, Q: "7735533470 intake"},
	{Limit: 50, Q: "quoted"},
	{Limit: 50, Q: "zzz"},
	{Limit: 5, Offset: 3, Q: "d", Sort: "-name"},
	{Limit: 50, Q: "career"},
}

// searchAnswers runs every query on offices and departments.
func searchAnswers(cat *Catalog) map[string]string {
	out := map[string]string{}
	for _, q := range searchQueries {
		out["departments "+q.key("")] = string(cat.ListDepartments(q).Body)
		out["offices "+q.key("")] = string(cat.ListOffices(q).Body)
	}
	return out
}

// TestSearchRightAfterLoadAll checks that searches arriving while the
// search terms and indexes are still being built (concurrently with the
// background build) get exactly the answers given once it is done.
func TestSearchRightAfterLoadAll(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		searchDirectory(t, db)
		ctx := context.Background()
		settled := New(db, nil)
		if err := settled.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * searchPrepareDelay)
		s := settled.state.Load()
		s.searchDepartments() // waits for the background build
		s.searchOffices()
		want := searchAnswers(settled)
		found := 0
		for _, body := range want {
			if !strings.Contains(body, `"total":0,`) {
				found++
			}
		}
		if found < len(want)/2 {
			t.Fatalf("only %d of %d searches find something: %v", found, len(want), want)
		}
		for round := range 3 {
			cat := New(db, nil)
			if err := cat.LoadAll(ctx); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					got := searchAnswers(cat)
					for k, w := range want {
						if got[k] != w {
							t.Errorf("round %d, %s right after LoadAll:\n%s\nonce built:\n%s", round, k, got[k], w)
						}
					}
				})
			}
			wg.Wait()
		}
	})
}

// TestRefreshDuringTheSearchBuild publishes a change while the first
// state's search terms and indexes are being built: both states answer
// by their own content, and the new one finds the change.
func TestRefreshDuringTheSearchBuild(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		second := searchDirectory(t, db)
		ctx := context.Background()
		for round := range 3 {
			cat := New(db, nil)
			if err := cat.LoadAll(ctx); err != nil {
				t.Fatal(err)
			}
			first := cat.state.Load()
			word := fmt.Sprintf("Renamedword%d", round)
			id := second[round]
			row, c, err := models.GetDepartment(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			c.Name = word + " Office"
			if _, err := models.SaveDepartmentDraft(ctx, db, models.System, id, row.Version, *c, ""); err != nil {
				t.Fatal(err)
			}
			publishDoc(t, db, models.KindDepartment, id)
			var wg sync.WaitGroup
			wg.Go(func() { first.searchDepartments(); first.searchOffices() })
			wg.Go(func() {
				if err := cat.Refresh(ctx, models.ContentEvent(models.KindDepartment, id)); err != nil {
					t.Error(err)
				}
			})
			wg.Wait()
			now := cat.state.Load()
			if now == first {
				t.Fatal("Refresh made no new state")
			}
			q := ListQuery{Limit: 50, Q: strings.ToLower(word)}
			if body := string(now.departmentList(q).Body); !strings.Contains(body, `"total":1,`) || !strings.Contains(body, word) {
				t.Errorf("round %d: the new state does not find %s: %s", round, word, body)
			}
			if body := string(first.departmentList(q).Body); !strings.Contains(body, `"total":0,`) {
				t.Errorf("round %d: the first state finds %s: %s", round, word, body)
			}
			// Everything else is found as before the change.
			for _, q := range searchQueries {
				if a, b := first.officeList(q).Body, now.officeList(q).Body; string(a) != string(b) {
					t.Errorf("round %d, offices %q: %s before, %s after", round, q.Q, a, b)
				}
			}
		}
	})
}
