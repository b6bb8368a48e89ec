package catalog

import (
	"bytes"
	"encoding/json"
	"time"

	"bureau/models"
)

// The public JSON shapes. Field order here is the order on the wire.

type officeRef struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Acronym string `json:"acronym"`
}

type officeJSON struct {
	ID              string           `json:"id"`
	Slug            string           `json:"slug"`
	Name            string           `json:"name"`
	Acronym         string           `json:"acronym"`
	Summary         string           `json:"summary"`
	DescriptionHTML string           `json:"description_html"`
	DescriptionText string           `json:"description_text"`
	Contacts        []models.Contact `json:"contacts"`
	Departments     []departmentJSON `json:"departments"`
	PublishedAt     time.Time        `json:"published_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
}

type officeSummaryJSON struct {
	ID              string    `json:"id"`
	Slug            string    `json:"slug"`
	Name            string    `json:"name"`
	Acronym         string    `json:"acronym"`
	Summary         string    `json:"summary"`
	DepartmentCount int       `json:"department_count"`
	PublishedAt     time.Time `json:"published_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

type departmentJSON struct {
	ID              string           `json:"id"`
	Slug            string           `json:"slug"`
	Name            string           `json:"name"`
	Acronym         string           `json:"acronym"`
	Summary         string           `json:"summary"`
	DescriptionHTML string           `json:"description_html"`
	DescriptionText string           `json:"description_text"`
	LearnMoreURL    string           `json:"learn_more_url"`
	Position        int              `json:"position"`
	Contacts        []models.Contact `json:"contacts"`
	Office          *officeRef       `json:"office,omitempty"`
	PublishedAt     time.Time        `json:"published_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
}

func (d *department) json(withOffice bool) departmentJSON {
	j := departmentJSON{
		ID: d.id, Slug: d.c.Slug, Name: d.c.Name, Acronym: d.c.Acronym, Summary: d.c.Summary,
		DescriptionHTML: d.c.DescriptionHTML, DescriptionText: d.descText, LearnMoreURL: d.c.LearnMoreURL,
		Position: d.c.Position, Contacts: nonNilContacts(d.c.Contacts),
		PublishedAt: d.publishedAt, UpdatedAt: d.updatedAt,
	}
	if withOffice && d.office != nil {
		j.Office = &officeRef{Slug: d.office.c.Slug, Name: d.office.c.Name, Acronym: d.office.c.Acronym}
	}
	return j
}

func nonNilContacts(cs []models.Contact) []models.Contact {
	if cs == nil {
		return []models.Contact{}
	}
	for i := range cs {
		if cs[i].Phones == nil {
			cs[i].Phones = []models.Phone{}
		}
		if cs[i].Emails == nil {
			cs[i].Emails = []models.Email{}
		}
	}
	return cs
}

// dataEnvelope wraps one object as {"data": ...}.
func dataEnvelope(v any) []byte {
	return mustMarshal(struct {
		Data any `json:"data"`
	}{v})
}

// mustMarshal encodes without escaping <, > and &, so rich text reads as
// written; answers are application/json with nosniff, never HTML.
func mustMarshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only plain structs of strings, ints and times are encoded here.
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// renderOffice prepares an office's document and list item; departments
// are its visible departments in order, rendered already.
//
// The document embeds each department as its own document shows it, less
// the office reference, so it is kept as parts: the office's own JSON up to
// its departments, each department's bytes (two slices of that
// department's document, around its "office" member), and the closing
// fields. The department bytes are then held once, not twice; the joined
// bytes are exactly what encoding the whole office would give
// (TestOfficePartsMatchWholeEncoding).
func renderOffice(o *office, departments []*department) {
	modified := o.publishedAt
	for _, d := range departments {
		if d.publishedAt.After(modified) {
			modified = d.publishedAt
		}
	}
	whole := dataEnvelope(officeJSON{
		ID: o.id, Slug: o.c.Slug, Name: o.c.Name, Acronym: o.c.Acronym, Summary: o.c.Summary,
		DescriptionHTML: o.c.DescriptionHTML, DescriptionText: o.descText,
		Contacts: nonNilContacts(o.c.Contacts), Departments: []departmentJSON{},
		PublishedAt: o.publishedAt, UpdatedAt: o.updatedAt,
	})
	// Times hold no quote, and a quote inside a string is escaped, so the
	// last `,"departments":[]` before the two times is the member itself.
	at := bytes.LastIndex(whole, []byte(`,"departments":[]`)) + len(`,"departments":[`)
	parts := make([][]byte, 0, 2+3*len(departments))
	parts = append(parts, whole[:at:at])
	for i, d := range departments {
		if i > 0 {
			parts = append(parts, comma)
		}
		parts = append(parts, d.embedded[0])
		if d.embedded[1] != nil {
			parts = append(parts, d.embedded[1])
		}
	}
	parts = append(parts, whole[at:])
	o.doc = makePartsDoc(parts, modified)
	o.doc.attachCompression(&documentLevels)
	o.item = mustMarshal(officeSummaryJSON{
		ID: o.id, Slug: o.c.Slug, Name: o.c.Name, Acronym: o.c.Acronym, Summary: o.c.Summary,
		DepartmentCount: len(departments), PublishedAt: o.publishedAt, UpdatedAt: o.updatedAt,
	})
}

var comma = []byte(",")

// renderDepartment prepares a visible department's document and list item,
// and the slices of it its office's document embeds.
func renderDepartment(d *department, arena *bodyArena) {
	modified := d.publishedAt
	if d.office != nil && d.office.publishedAt.After(modified) {
		modified = d.office.publishedAt
	}
	// Encoded once, without the office reference (as the office embeds
	// it); the reference goes in before published_at, where the field
	// order puts it. Times hold no quote, so the last `,"published_at":"`
	// is the member itself.
	inOffice := mustMarshal(d.json(false))
	var ref []byte
	if d.office != nil {
		ref = append([]byte(`,"office":`), mustMarshal(officeRef{Slug: d.office.c.Slug, Name: d.office.c.Name, Acronym: d.office.c.Acronym})...)
	}
	at := bytes.LastIndex(inOffice, []byte(`,"published_at":"`))
	const head = `{"data":`
	body := arena.alloc(len(head) + len(inOffice) + len(ref) + 1)
	body = append(body, head...)
	body = append(body, inOffice[:at]...)
	body = append(body, ref...)
	body = append(body, inOffice[at:]...)
	body = append(body, '}')
	d.doc = newPublishedDoc(body, modified)
	// The list item is the document's "data" value: share its bytes
	// rather than keep a second copy of every department.
	d.item = body[len(head) : len(body)-1]
	beforeRef := len(head) + at
	if ref == nil {
		d.embedded = [2][]byte{d.item, nil}
	} else {
		d.embedded = [2][]byte{body[len(head):beforeRef:beforeRef], body[beforeRef+len(ref) : len(body)-1]}
	}
}

// DraftDepartment is a department draft to preview.
type DraftDepartment struct {
	ID        string
	Content   models.DepartmentContent
	UpdatedAt time.Time
}

// PreviewOffice renders an office draft, with its departments' drafts, in
// the public shape, so editors see what publishing would show.
func PreviewOffice(id string, c models.OfficeContent, updatedAt time.Time, deps []DraftDepartment) []byte {
	o := &office{id: id, c: c, descText: models.RichTextToPlain(c.DescriptionHTML), publishedAt: updatedAt, updatedAt: updatedAt}
	list := make([]*department, len(deps))
	for i, d := range deps {
		list[i] = draftDepartment(d, nil)
		renderDepartment(list[i], nil)
	}
	renderOffice(o, list)
	return o.doc.body()
}

// PreviewDepartment renders a department draft in the public shape, with
// its office's draft name.
func PreviewDepartment(d DraftDepartment, officeID string, officeContent models.OfficeContent) []byte {
	o := &office{id: officeID, c: officeContent}
	dep := draftDepartment(d, o)
	renderDepartment(dep, nil)
	return dep.doc.Body
}

func draftDepartment(d DraftDepartment, o *office) *department {
	return &department{id: d.ID, c: d.Content, descText: models.RichTextToPlain(d.Content.DescriptionHTML),
		publishedAt: d.UpdatedAt, updatedAt: d.UpdatedAt, office: o}
}
