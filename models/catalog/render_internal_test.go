package catalog

import (
	"bytes"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"bureau/models"
)

// TestOfficePartsMatchWholeEncoding checks that an office document kept in
// parts (its departments' bytes shared with their own documents) joins to
// exactly what encoding the whole office at once gives, with the same
// ETag, and that each department's document is its whole encoding too,
// whatever the text holds: member names and JSON punctuation in strings,
// markup, non-ASCII.
func TestOfficePartsMatchWholeEncoding(t *testing.T) {
	tricky := `a ,"published_at":"2020" and ,"departments":[] and ,"office":{} <b>&</b> "q" é ✓`
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	o := &office{id: "o1", publishedAt: at, updatedAt: at, descText: tricky,
		c: models.OfficeContent{CommonContent: models.CommonContent{Slug: "occs", Name: tricky, Acronym: `"O"`, Summary: tricky, DescriptionHTML: "<p>" + tricky + "</p>"},
			Contacts: []models.Contact{{ID: "c1", Label: tricky, Phones: []models.Phone{{Number: "773-553-3470", Label: tricky}}}}}}
	for _, n := range []int{0, 1, 3} {
		var deps []*department
		for i := range n {
			d := &department{id: string(rune('a' + i)), office: o, publishedAt: at.Add(time.Duration(i) * time.Hour), updatedAt: at, descText: tricky,
				c: models.DepartmentContent{CommonContent: models.CommonContent{Slug: "d" + string(rune('a'+i)), Name: tricky, Summary: tricky},
					Position: i, Contacts: []models.Contact{{ID: "x", Label: tricky, Emails: []models.Email{{Address: "a@b.org", Label: tricky}}}}}}
			renderDepartment(d, &bodyArena{})
			if want := dataEnvelope(d.json(true)); !bytes.Equal(d.doc.Body, want) {
				t.Fatalf("department document:\n got %s\nwant %s", d.doc.Body, want)
			}
			deps = append(deps, d)
		}
		renderOffice(o, deps)
		embedded := make([]departmentJSON, len(deps))
		for i, d := range deps {
			embedded[i] = d.json(false)
		}
		want := dataEnvelope(officeJSON{ID: o.id, Slug: o.c.Slug, Name: o.c.Name, Acronym: o.c.Acronym, Summary: o.c.Summary,
			DescriptionHTML: o.c.DescriptionHTML, DescriptionText: o.descText, Contacts: o.c.Contacts,
			Departments: embedded, PublishedAt: o.publishedAt, UpdatedAt: o.updatedAt})
		got := o.doc.body()
		if !bytes.Equal(got, want) {
			t.Fatalf("%d departments: office document from parts:\n got %s\nwant %s", n, got, want)
		}
		sum := sha256.Sum256(want)
		if o.doc.ETag != etagOf(sum[:]) || o.doc.LengthH[0] != strconv.Itoa(len(want)) {
			t.Errorf("%d departments: ETag %s, length %s; want the whole body's %s, %d", n, o.doc.ETag, o.doc.LengthH[0], etagOf(sum[:]), len(want))
		}
		if n > 0 && o.doc.Body != nil {
			t.Error("the office keeps a joined body besides its parts")
		}
		// The office holds its departments' bytes, not copies of them.
		for i, d := range deps {
			if &d.embedded[0][0] != &d.doc.Body[len(`{"data":`)] {
				t.Errorf("department %d: the office's part is not a slice of its document", i)
			}
		}
	}
}
