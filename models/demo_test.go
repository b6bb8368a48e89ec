package models_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

// documentRow is what a seed must not touch when it has nothing to do.
type documentRow struct {
	ID                string
	Slug              string
	Version           int
	PublishedRevision *int
	PublishedAt       *time.Time
	UpdatedAt         time.Time
	DeletedAt         *time.Time
}

type dbSnapshot struct {
	Offices, Departments []documentRow
	Revisions, Audit     int64
}

func snapshot(t *testing.T, db *gorm.DB) dbSnapshot {
	t.Helper()
	var s dbSnapshot
	for table, dst := range map[string]*[]documentRow{"offices": &s.Offices, "departments": &s.Departments} {
		if err := db.Table(table).Order("id").Find(dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Model(&models.Revision{}).Count(&s.Revisions).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.AuditEvent{}).Count(&s.Audit).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSeed(t *testing.T, db *gorm.DB) int {
	t.Helper()
	n, err := models.SeedDemo(context.Background(), db)
	if err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	return n
}

func TestSeedDemo(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		empty, err := models.IsEmpty(ctx, db)
		if err != nil || !empty {
			t.Fatalf("IsEmpty on a new database = %v, %v", empty, err)
		}
		if n := mustSeed(t, db); n != 8 {
			t.Fatalf("first seed created %d documents, want 8", n)
		}
		if empty, _ := models.IsEmpty(ctx, db); empty {
			t.Error("IsEmpty after seeding = true")
		}
		var published int64
		for _, table := range []string{"offices", "departments"} {
			var n int64
			if err := db.Table(table).Where("published_revision = version AND deleted_at IS NULL").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			published += n
		}
		if published != 8 {
			t.Errorf("%d published documents, want 8", published)
		}

		before := snapshot(t, db)
		if n := mustSeed(t, db); n != 0 {
			t.Errorf("second seed created %d documents, want 0", n)
		}
		if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("second seed changed the database:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestSeedDemoLeavesTrashedContentAlone(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		mustSeed(t, db)
		var ids []string
		if err := db.Table("departments").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := models.Trash(ctx, db, models.System, models.KindDepartment, id, 0); err != nil {
				t.Fatal(err)
			}
		}
		var officeID string
		if err := db.Table("offices").Where("slug = 'occs'").Pluck("id", &officeID).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.Trash(ctx, db, models.System, models.KindOffice, officeID, 0); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, db)
		if n := mustSeed(t, db); n != 0 {
			t.Errorf("seed over trashed demo content created %d documents, want 0", n)
		}
		if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("seed changed trashed content:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

// jsonIndex is what a JSON document says, for looking lines up in it.
type jsonIndex struct {
	strings map[string]bool
	objects []map[string]any
}

// indexJSON collects every string value and every object under v. A
// plain-text description also counts paragraph by paragraph, since the page
// shows it as separate paragraphs.
func indexJSON(v any) jsonIndex {
	ix := jsonIndex{strings: map[string]bool{}}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case string:
			ix.strings[v] = true
			if key == "description_text" {
				for _, p := range strings.Split(v, "\n\n") {
					ix.strings[p] = true
				}
			}
		case []any:
			for _, e := range v {
				walk("", e)
			}
		case map[string]any:
			ix.objects = append(ix.objects, v)
			for k, e := range v {
				walk(k, e)
			}
		}
	}
	walk("", v)
	return ix
}

// hasObject reports whether some object has all of the given string fields.
func (ix jsonIndex) hasObject(fields map[string]string) bool {
	for _, o := range ix.objects {
		match := true
		for k, want := range fields {
			if got, ok := o[k].(string); !ok || got != want {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

var (
	faxLine      = regexp.MustCompile(`^(.+) \(Fax\)$`)
	cityLine     = regexp.MustCompile(`^(.+), ([A-Z]{2}) (\d{5}(?:-\d{4})?)$`)
	acronymLine  = regexp.MustCompile(`^(.+) \(([A-Z]+)\)$`)
	pageBulletRe = regexp.MustCompile(`^\x{2022}\s*`)
)

// TestDemoIsThePageWordForWord checks the published demo office, as the
// public API serves it, against the customer's page: every line of the page
// must be in the JSON exactly, attached to the right office or department.
func TestDemoIsThePageWordForWord(t *testing.T) {
	page, err := os.ReadFile("testdata/occs-page.txt")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		mustSeed(t, db)
		cat := catalog.New(db, nil)
		if err := cat.LoadAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		doc, ok := cat.Office("occs")
		if !ok {
			t.Fatal(`the catalog has no office "occs"`)
		}
		var body struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(doc.Body, &body); err != nil {
			t.Fatal(err)
		}
		office := body.Data
		departments, _ := office["departments"].([]any)
		if len(departments) != 7 {
			t.Fatalf("the office has %d departments, want 7", len(departments))
		}
		withoutDepartments := map[string]any{}
		for k, v := range office {
			if k != "departments" {
				withoutDepartments[k] = v
			}
		}
		officeIndex := indexJSON(withoutDepartments)
		deptIndex := make([]jsonIndex, len(departments))
		for i, d := range departments {
			deptIndex[i] = indexJSON(d)
		}

		type pageDepartment struct {
			name, acronym, contactLabel string
			learnMore                   bool
		}
		var (
			pageDepts  []pageDepartment
			inContacts bool // past "Additional Contact Information"
			contact    = -1 // the department whose contact block we are in
			scope      = officeIndex
			scopeName  = "the office"
			checked    int
		)
		for n, raw := range strings.Split(string(page), "\n") {
			line := strings.TrimSpace(raw) // also trims the page's no-break spaces
			bullet := pageBulletRe.MatchString(line)
			line = pageBulletRe.ReplaceAllString(line, "")
			where := fmt.Sprintf("page line %d %q", n+1, line)
			switch {
			case line == "", line == "Top of Page":
				continue
			case line == "Additional Contact Information":
				inContacts = true
				continue
			case strings.EqualFold(line, "Learn more"):
				if len(pageDepts) == 0 {
					t.Fatalf("%s: before any department", where)
				}
				pageDepts[len(pageDepts)-1].learnMore = true
				continue
			}
			if bullet {
				if !inContacts {
					m := acronymLine.FindStringSubmatch(line)
					if m == nil {
						t.Fatalf("%s: a department heading without an acronym", where)
					}
					pageDepts = append(pageDepts, pageDepartment{name: m[1], acronym: m[2]})
					if i := len(pageDepts) - 1; i < len(deptIndex) {
						scope, scopeName = deptIndex[i], fmt.Sprintf("department %d", i+1)
					}
				} else {
					contact++
					if contact >= len(pageDepts) || contact >= len(deptIndex) {
						t.Fatalf("%s: more contact blocks than departments", where)
					}
					pageDepts[contact].contactLabel = line
					scope, scopeName = deptIndex[contact], fmt.Sprintf("department %d", contact+1)
				}
			}
			checked++
			if m := faxLine.FindStringSubmatch(line); m != nil {
				if !scope.hasObject(map[string]string{"kind": "fax", "number": m[1]}) {
					t.Errorf("%s: %s has no fax number %q", where, scopeName, m[1])
				}
				continue
			}
			if m := cityLine.FindStringSubmatch(line); m != nil {
				if !scope.hasObject(map[string]string{"city": m[1], "state": m[2], "postal_code": m[3]}) {
					t.Errorf("%s: %s has no address in %s, %s %s", where, scopeName, m[1], m[2], m[3])
				}
				continue
			}
			if m := acronymLine.FindStringSubmatch(line); m != nil {
				if !scope.hasObject(map[string]string{"name": m[1], "acronym": m[2]}) {
					t.Errorf("%s: %s is not named %q with acronym %q", where, scopeName, m[1], m[2])
				}
				continue
			}
			if !scope.strings[line] {
				t.Errorf("%s: not a value of %s, word for word", where, scopeName)
			}
		}
		if checked < 40 {
			t.Errorf("only %d lines checked: is the page file complete?", checked)
		}

		// The departments come in the page's order, with its names, links
		// and contact labels.
		if len(pageDepts) != len(departments) {
			t.Fatalf("the page lists %d departments, the office %d", len(pageDepts), len(departments))
		}
		for i, raw := range departments {
			d := raw.(map[string]any)
			want := pageDepts[i]
			if d["name"] != want.name || d["acronym"] != want.acronym {
				t.Errorf("department %d is %v (%v), the page says %s (%s)", i+1, d["name"], d["acronym"], want.name, want.acronym)
			}
			if d["position"] != float64(i+1) {
				t.Errorf("department %d (%s) has position %v", i+1, want.name, d["position"])
			}
			url, _ := d["learn_more_url"].(string)
			if (url != "") != want.learnMore {
				t.Errorf("department %d (%s): learn_more_url %q, but the page shows a link: %v", i+1, want.name, url, want.learnMore)
			}
			if url != "" && !strings.HasPrefix(url, "https://") {
				t.Errorf("department %d: learn_more_url %q is not https", i+1, url)
			}
			contacts, _ := d["contacts"].([]any)
			if len(contacts) != 1 || contacts[0].(map[string]any)["label"] != want.contactLabel {
				t.Errorf("department %d (%s): contacts %v, want one labelled %q", i+1, want.name, contacts, want.contactLabel)
			}
		}
		for _, key := range []string{"description_html", "description_text", "summary"} {
			if s, _ := office[key].(string); s == "" {
				t.Errorf("office %s is empty", key)
			}
		}
	})
}
