package models_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"bureau/models"
)

// validOffice is an office that passes validation; cases change one thing.
func validOffice() models.OfficeContent {
	return models.OfficeContent{
		CommonContent: models.CommonContent{
			Slug:            "occs",
			Name:            "College and Career Success",
			Acronym:         "OCCS",
			Summary:         "Promotes social and economic mobility.",
			DescriptionHTML: "<p>Promotes social and economic mobility.</p>",
		},
		Contacts: []models.Contact{{
			Label:   "College and Career Success",
			Phones:  []models.Phone{{Kind: models.PhoneFax, Number: "773-553-3543"}},
			Emails:  []models.Email{{Address: "occs@cps.edu", Label: "General inquiries"}},
			Address: &models.Address{Street: "42 W. Madison St.", City: "Chicago", State: "IL", PostalCode: "60602"},
		}},
	}
}

// validDepartment is a department that passes validation.
func validDepartment() models.DepartmentContent {
	return models.DepartmentContent{
		OfficeID: "6f1c1c9e-3f7a-4b8e-9a51-2c7d5e0b7a11",
		CommonContent: models.CommonContent{
			Slug:            "ecce",
			Name:            "Early College and Career Education",
			Acronym:         "ECCE",
			DescriptionHTML: "<p>Provides career-connected learning options.</p>",
		},
		LearnMoreURL: "https://www.cps.edu/academics/career-technical-education/",
		Contacts:     []models.Contact{{Label: "Early College and Career Education"}},
	}
}

// fieldsOf returns the fields a *ValidationError names, in order; nil for a
// nil error. Any other error fails the test.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var v *models.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a *ValidationError, got %T: %v", err, err)
	}
	fields := make([]string, len(v.Errors))
	for i, fe := range v.Errors {
		if fe.Message == "" {
			t.Errorf("field %s has no message", fe.Field)
		}
		fields[i] = fe.Field
	}
	return fields
}

func TestSlugs(t *testing.T) {
	tests := []struct {
		name, slug string
		valid      bool
	}{
		{"simple", "occs", true},
		{"single letter", "a", true},
		{"digits", "2024", true},
		{"hyphenated", "early-college-2", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"uppercase", "OCCS", false},
		{"mixed case", "Occs", false},
		{"double hyphen", "a--b", false},
		{"leading hyphen", "-occs", false},
		{"trailing hyphen", "occs-", false},
		{"underscore", "early_college", false},
		{"space", "early college", false},
		{"accented", "caf\u00e9", false},
		{"slash", "a/b", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.ValidSlug(tt.slug); got != tt.valid {
				t.Errorf("ValidSlug(%q) = %v, want %v", tt.slug, got, tt.valid)
			}
			o := validOffice()
			o.Slug = tt.slug
			fields := fieldsOf(t, o.Normalize())
			if tt.valid && fields != nil {
				t.Errorf("office with slug %q: unexpected errors %v", tt.slug, fields)
			}
			if !tt.valid && !slices.Equal(fields, []string{"slug"}) {
				t.Errorf("office with slug %q: errors %v, want [slug]", tt.slug, fields)
			}
		})
	}
}

func TestOfficeNormalize(t *testing.T) {
	tests := []struct {
		name   string
		change func(*models.OfficeContent)
		fields []string // the fields reported, in order; nil when valid
		check  func(*testing.T, models.OfficeContent)
	}{
		{name: "valid", change: func(*models.OfficeContent) {}},
		{
			name: "trims text fields",
			change: func(o *models.OfficeContent) {
				o.Slug, o.Name, o.Acronym, o.Summary = "  occs ", "\tCollege and Career Success\n", " OCCS ", " Summary. "
			},
			check: func(t *testing.T, o models.OfficeContent) {
				if o.Slug != "occs" || o.Name != "College and Career Success" || o.Acronym != "OCCS" || o.Summary != "Summary." {
					t.Errorf("not trimmed: %q %q %q %q", o.Slug, o.Name, o.Acronym, o.Summary)
				}
			},
		},
		{name: "name required", change: func(o *models.OfficeContent) { o.Name = "" }, fields: []string{"name"}},
		{name: "blank name", change: func(o *models.OfficeContent) { o.Name = "   " }, fields: []string{"name"}},
		{name: "name too long", change: func(o *models.OfficeContent) { o.Name = strings.Repeat("n", 201) }, fields: []string{"name"}},
		{name: "name of 200 runes", change: func(o *models.OfficeContent) { o.Name = strings.Repeat("\u00e9", 200) }},
		{name: "acronym too long", change: func(o *models.OfficeContent) { o.Acronym = strings.Repeat("A", 21) }, fields: []string{"acronym"}},
		{name: "invalid UTF-8", change: func(o *models.OfficeContent) { o.Summary = "bad \xff byte" }, fields: []string{"summary"}},
		{name: "NUL character", change: func(o *models.OfficeContent) { o.Name = "a\x00b" }, fields: []string{"name"}},
		{name: "no contacts", change: func(o *models.OfficeContent) { o.Contacts = nil }},
		{
			name:   "empty contact",
			change: func(o *models.OfficeContent) { o.Contacts = append(o.Contacts, models.Contact{}) },
			fields: []string{"contacts[1]"},
		},
		{
			name:   "too many contacts",
			change: func(o *models.OfficeContent) { o.Contacts = make([]models.Contact, 51) },
			fields: []string{"contacts"},
		},
		{
			name: "new contacts get ids, positions follow order",
			change: func(o *models.OfficeContent) {
				o.Contacts = append(o.Contacts, models.Contact{Label: "Second", Position: 7})
				o.Contacts[0].Position = 3
			},
			check: func(t *testing.T, o models.OfficeContent) {
				for i, c := range o.Contacts {
					if _, err := uuid.Parse(c.ID); err != nil {
						t.Errorf("contacts[%d].id = %q, want a UUID", i, c.ID)
					}
					if c.Position != i {
						t.Errorf("contacts[%d].position = %d, want %d", i, c.Position, i)
					}
				}
			},
		},
		{
			name: "existing contact id kept",
			change: func(o *models.OfficeContent) {
				o.Contacts[0].ID = "0d5c4a6e-8d43-4a4b-a8c7-3f3a0f9b6b2e"
			},
			check: func(t *testing.T, o models.OfficeContent) {
				if o.Contacts[0].ID != "0d5c4a6e-8d43-4a4b-a8c7-3f3a0f9b6b2e" {
					t.Errorf("contact id changed to %q", o.Contacts[0].ID)
				}
			},
		},
		{
			name:   "contact id not a UUID",
			change: func(o *models.OfficeContent) { o.Contacts[0].ID = "contact-1" },
			fields: []string{"contacts[0].id"},
		},
		{
			name: "duplicate contact ids",
			change: func(o *models.OfficeContent) {
				id := "0d5c4a6e-8d43-4a4b-a8c7-3f3a0f9b6b2e"
				o.Contacts[0].ID = id
				o.Contacts = append(o.Contacts, models.Contact{ID: id, Label: "Again"})
			},
			fields: []string{"contacts[1].id"},
		},
		{
			name: "contact id spelled differently is stored canonically",
			change: func(o *models.OfficeContent) {
				o.Contacts[0].ID = "urn:uuid:0D5C4A6E-8D43-4A4B-A8C7-3F3A0F9B6B2E"
			},
			check: func(t *testing.T, o models.OfficeContent) {
				if o.Contacts[0].ID != "0d5c4a6e-8d43-4a4b-a8c7-3f3a0f9b6b2e" {
					t.Errorf("contact id stored as %q", o.Contacts[0].ID)
				}
			},
		},
		{
			name: "one contact id in two spellings",
			change: func(o *models.OfficeContent) {
				o.Contacts[0].ID = "0d5c4a6e-8d43-4a4b-a8c7-3f3a0f9b6b2e"
				o.Contacts = append(o.Contacts, models.Contact{ID: "{0D5C4A6E-8D43-4A4B-A8C7-3F3A0F9B6B2E}", Label: "Again"})
			},
			fields: []string{"contacts[1].id"},
		},
		{
			name: "description is sanitized",
			change: func(o *models.OfficeContent) {
				o.DescriptionHTML = `<p onclick="x()">Hi</p><script>alert(1)</script>`
			},
			check: func(t *testing.T, o models.OfficeContent) {
				if o.DescriptionHTML != "<p>Hi</p>" {
					t.Errorf("description_html = %q", o.DescriptionHTML)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOffice()
			tt.change(&o)
			fields := fieldsOf(t, o.Normalize())
			if !slices.Equal(fields, tt.fields) {
				t.Fatalf("errors %v, want %v", fields, tt.fields)
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}

func TestPhones(t *testing.T) {
	tests := []struct {
		name     string
		phone    models.Phone
		wantKind string
		wantE164 string
		fields   []string // contacts[0].phones[0].<field> errors
	}{
		{name: "dashed", phone: models.Phone{Number: "773-553-3543"}, wantKind: "voice", wantE164: "+17735533543"},
		{name: "parenthesized area code", phone: models.Phone{Number: "(773) 553-3543"}, wantKind: "voice", wantE164: "+17735533543"},
		{name: "dotted", phone: models.Phone{Number: "773.553.3543"}, wantKind: "voice", wantE164: "+17735533543"},
		{name: "with country code", phone: models.Phone{Number: "+1 773 553 3543"}, wantKind: "voice", wantE164: "+17735533543"},
		{name: "UK number", phone: models.Phone{Number: "+44 20 7946 0958"}, wantKind: "voice", wantE164: "+442079460958"},
		{name: "fax", phone: models.Phone{Kind: "fax", Number: "773-553-3543"}, wantKind: "fax", wantE164: "+17735533543"},
		{name: "kind is case-insensitive", phone: models.Phone{Kind: " TTY ", Number: "773-553-3543"}, wantKind: "tty", wantE164: "+17735533543"},
		{name: "extension digits", phone: models.Phone{Number: "773-553-3543", Ext: "1234"}, wantKind: "voice", wantE164: "+17735533543"},
		{name: "too short", phone: models.Phone{Number: "12345"}, fields: []string{"number"}},
		{name: "letters", phone: models.Phone{Number: "call us"}, fields: []string{"number"}},
		{name: "missing number", phone: models.Phone{Kind: "fax"}, fields: []string{"number"}},
		{name: "too long", phone: models.Phone{Number: strings.Repeat("7", 41)}, fields: []string{"number"}},
		{name: "unknown kind", phone: models.Phone{Kind: "pager", Number: "773-553-3543"}, fields: []string{"kind"}},
		{name: "extension with letters", phone: models.Phone{Number: "773-553-3543", Ext: "12a"}, fields: []string{"ext"}},
		{name: "extension too long", phone: models.Phone{Number: "773-553-3543", Ext: "123456789"}, fields: []string{"ext"}},
		{name: "label too long", phone: models.Phone{Number: "773-553-3543", Label: strings.Repeat("l", 201)}, fields: []string{"label"}},
		{name: "everything wrong", phone: models.Phone{Kind: "pager", Number: "12345", Ext: "x1"}, fields: []string{"kind", "ext", "number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOffice()
			o.Contacts[0].Phones = []models.Phone{tt.phone}
			var want []string
			for _, f := range tt.fields {
				want = append(want, "contacts[0].phones[0]."+f)
			}
			fields := fieldsOf(t, o.Normalize())
			if !slices.Equal(fields, want) {
				t.Fatalf("errors %v, want %v", fields, want)
			}
			if want != nil {
				return
			}
			p := o.Contacts[0].Phones[0]
			if p.Kind != tt.wantKind || p.E164 != tt.wantE164 {
				t.Errorf("got kind %q e164 %q, want %q %q", p.Kind, p.E164, tt.wantKind, tt.wantE164)
			}
			if p.Number != strings.TrimSpace(tt.phone.Number) {
				t.Errorf("number as displayed changed: %q", p.Number)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"773-553-3543":     "+17735533543",
		"(773) 553-3543":   "+17735533543",
		"+44 20 7946 0958": "+442079460958",
	} {
		got, err := models.NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "12345", "000-000-0000", "not a number"} {
		if got, err := models.NormalizePhone(in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
		}
	}
}

func TestEmails(t *testing.T) {
	tests := []struct {
		address string
		valid   bool
	}{
		{"occs@cps.edu", true},
		{"first.last+tag@sub.example.org", true},
		{"  occs@cps.edu  ", true}, // trimmed before checking
		{"", false},
		{"occs", false},
		{"occs@", false},
		{"@cps.edu", false},
		{"occs@localhost", false},
		{"OCCS <occs@cps.edu>", false},
		{"occs@cps.edu, other@cps.edu", false},
		{"occs @cps.edu", false},
		{strings.Repeat("a", 250) + "@x.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			o := validOffice()
			o.Contacts[0].Emails = []models.Email{{Address: tt.address}}
			fields := fieldsOf(t, o.Normalize())
			if tt.valid {
				if fields != nil {
					t.Fatalf("unexpected errors %v", fields)
				}
				if got := o.Contacts[0].Emails[0].Address; got != strings.TrimSpace(tt.address) {
					t.Errorf("address normalized to %q", got)
				}
				return
			}
			if !slices.Equal(fields, []string{"contacts[0].emails[0].address"}) {
				t.Errorf("errors %v, want [contacts[0].emails[0].address]", fields)
			}
		})
	}
}

func TestDepartmentNormalize(t *testing.T) {
	tests := []struct {
		name   string
		change func(*models.DepartmentContent)
		fields []string
	}{
		{name: "valid", change: func(*models.DepartmentContent) {}},
		{name: "https learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "https://www.cps.edu/academics/jrotc/" }},
		{name: "http learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "http://cps.edu" }},
		{name: "no learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "" }},
		{name: "javascript learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "javascript:alert(1)" }, fields: []string{"learn_more_url"}},
		{name: "ftp learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "ftp://cps.edu/file" }, fields: []string{"learn_more_url"}},
		{name: "relative learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "/academics/jrotc/" }, fields: []string{"learn_more_url"}},
		{name: "schemeless learn more", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "www.cps.edu/jrotc" }, fields: []string{"learn_more_url"}},
		{name: "learn more with credentials", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "https://user:pw@cps.edu/" }, fields: []string{"learn_more_url"}},
		{name: "learn more without host", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "https:///path" }, fields: []string{"learn_more_url"}},
		{name: "learn more too long", change: func(d *models.DepartmentContent) { d.LearnMoreURL = "https://cps.edu/" + strings.Repeat("a", 2000) }, fields: []string{"learn_more_url"}},
		{name: "office id missing", change: func(d *models.DepartmentContent) { d.OfficeID = "" }, fields: []string{"office_id"}},
		{name: "office id not a UUID", change: func(d *models.DepartmentContent) { d.OfficeID = "occs" }, fields: []string{"office_id"}},
		{name: "negative position", change: func(d *models.DepartmentContent) { d.Position = -1 }, fields: []string{"position"}},
		{name: "huge position", change: func(d *models.DepartmentContent) { d.Position = 100001 }, fields: []string{"position"}},
		{name: "name required", change: func(d *models.DepartmentContent) { d.Name = " " }, fields: []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDepartment()
			tt.change(&d)
			if fields := fieldsOf(t, d.Normalize()); !slices.Equal(fields, tt.fields) {
				t.Errorf("errors %v, want %v", fields, tt.fields)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	const at = "contacts[0].address."
	tests := []struct {
		name    string
		address *models.Address
		fields  []string
		want    *models.Address // the normalized address, when valid
	}{
		{
			name:    "US address",
			address: &models.Address{Street: "42 W. Madison St.", City: "Chicago", State: "IL", PostalCode: "60602"},
			want:    &models.Address{Street: "42 W. Madison St.", City: "Chicago", State: "IL", PostalCode: "60602", Country: "US"},
		},
		{
			name:    "trimmed, state and country upper-cased",
			address: &models.Address{Street: " 42 W. Madison St. ", City: " Chicago", State: "il", PostalCode: "60602-1234 ", Country: "us"},
			want:    &models.Address{Street: "42 W. Madison St.", City: "Chicago", State: "IL", PostalCode: "60602-1234", Country: "US"},
		},
		{
			name:    "all blank is no address",
			address: &models.Address{Street: " ", City: " "},
			want:    nil,
		},
		{
			name:    "unknown state",
			address: &models.Address{Street: "1 Main St", City: "Chicago", State: "XX", PostalCode: "60602"},
			fields:  []string{at + "state"},
		},
		{
			name:    "state spelled out",
			address: &models.Address{Street: "1 Main St", City: "Chicago", State: "Illinois", PostalCode: "60602"},
			fields:  []string{at + "state"},
		},
		{
			name:    "short ZIP",
			address: &models.Address{Street: "1 Main St", City: "Chicago", State: "IL", PostalCode: "6060"},
			fields:  []string{at + "postal_code"},
		},
		{
			name:    "ZIP with letters",
			address: &models.Address{Street: "1 Main St", City: "Chicago", State: "IL", PostalCode: "6060A"},
			fields:  []string{at + "postal_code"},
		},
		{
			name:    "street and city required",
			address: &models.Address{State: "IL", PostalCode: "60602"},
			fields:  []string{at + "street", at + "city"},
		},
		{
			name:    "bad country code",
			address: &models.Address{Street: "1 Main St", City: "Chicago", Country: "USA"},
			fields:  []string{at + "country"},
		},
		{
			name:    "foreign address skips US checks",
			address: &models.Address{Street: "10 Downing St", City: "London", PostalCode: "SW1A 2AA", Country: "gb"},
			want:    &models.Address{Street: "10 Downing St", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOffice()
			o.Contacts[0].Address = tt.address
			fields := fieldsOf(t, o.Normalize())
			if !slices.Equal(fields, tt.fields) {
				t.Fatalf("errors %v, want %v", fields, tt.fields)
			}
			if tt.fields != nil {
				return
			}
			got := o.Contacts[0].Address
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("address = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestErrorsNameEveryBadField(t *testing.T) {
	o := models.OfficeContent{
		CommonContent: models.CommonContent{Slug: "Bad Slug", Name: ""},
		Contacts: []models.Contact{
			{
				Label: "Main office",
				Phones: []models.Phone{
					{Number: "773-553-3543"},
					{Kind: "fax", Number: "12345"},
				},
				Emails: []models.Email{{Address: "occs@cps.edu"}, {Address: "not an email"}},
			},
			{
				Label:   "Annex",
				Address: &models.Address{Street: "2651 W. Washington Blvd.", City: "Chicago", State: "IL", PostalCode: "606"},
			},
		},
	}
	want := []string{
		"slug",
		"name",
		"contacts[0].phones[1].number",
		"contacts[0].emails[1].address",
		"contacts[1].address.postal_code",
	}
	err := o.Normalize()
	if got := fieldsOf(t, err); !slices.Equal(got, want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	if !strings.Contains(err.Error(), "contacts[0].phones[1].number: ") {
		t.Errorf("error text %q does not name the field", err)
	}
}

func TestSanitizeRichText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraph with emphasis", "<p>Hello <strong>bold</strong> and <em>italic</em> <b>b</b> <i>i</i></p>", "<p>Hello <strong>bold</strong> and <em>italic</em> <b>b</b> <i>i</i></p>"},
		{"headings h2-h4", "<h2>Two</h2><h3>Three</h3><h4>Four</h4>", "<h2>Two</h2><h3>Three</h3><h4>Four</h4>"},
		{"lists", "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>", "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"},
		{"blockquote", "<blockquote><p>Quoted</p></blockquote>", "<blockquote><p>Quoted</p></blockquote>"},
		{"line break", "<p>a<br>b</p>", "<p>a<br/>b</p>"},
		{"unclosed elements are closed", "<h2>unclosed <b>bold", "<h2>unclosed <b>bold</b></h2>"},
		{"stray end tags dropped", "<p>x</b></p></em>", "<p>x</p>"},
		{"misnested tags balanced", "<p><b>a<i>b</b>c</i></p>", "<p><b>a<i>b</i></b><i>c</i></p>"},
		{"h1 not allowed", "<h1>Title</h1><p>x</p>", "Title<p>x</p>"},
		{"h5 not allowed", "<h5>Small</h5>", "Small"},
		{"script removed with its content", "<p>x</p><script>alert(1)</script>", "<p>x</p>"},
		{"style removed with its content", "<style>p{color:red}</style><p>x</p>", "<p>x</p>"},
		{"onclick removed", `<p onclick="steal()">x</p>`, "<p>x</p>"},
		{"style attribute removed", `<p style="color:red">x</p>`, "<p>x</p>"},
		{"iframe removed", `<iframe src="https://evil.example"></iframe><p>x</p>`, "<p>x</p>"},
		{"img removed", `<img src="x" onerror="steal()"><p>x</p>`, "<p>x</p>"},
		{"div and span unwrapped", "<div><span>x</span></div>", "x"},
		{"javascript link removed", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"javascript link with entity tricks", `<a href="jav&#x09;ascript:alert(1)">click</a>`, "click"},
		{"data link removed", `<a href="data:text/html,<b>x</b>">click</a>`, "click"},
		{"relative link removed", `<a href="/academics/">click</a>`, "click"},
		{"https link kept", `<a href="https://www.cps.edu/">CPS</a>`, `<a href="https://www.cps.edu/" rel="noopener">CPS</a>`},
		{"http link kept", `<a href="http://cps.edu">CPS</a>`, `<a href="http://cps.edu" rel="noopener">CPS</a>`},
		{"mailto link kept", `<a href="mailto:occs@cps.edu">mail</a>`, `<a href="mailto:occs@cps.edu" rel="noopener">mail</a>`},
		{"rel and target replaced", `<a href="https://cps.edu" rel="nofollow" target="_blank">CPS</a>`, `<a href="https://cps.edu" rel="noopener">CPS</a>`},
		{"link inside paragraph", `<p>See <a href="https://cps.edu">CPS</a>.</p>`, `<p>See <a href="https://cps.edu" rel="noopener">CPS</a>.</p>`},
		{"text is escaped", "5 < 6 & 7 > 3", "5 &lt; 6 &amp; 7 &gt; 3"},
		{"trimmed", "  <p>x</p>\n ", "<p>x</p>"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitize(t, tt.in)
			if got != tt.want {
				t.Errorf("SanitizeRichText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := sanitize(t, got); again != got {
				t.Errorf("not idempotent:\n once  %q\n twice %q", got, again)
			}
		})
	}
}

func TestSanitizeRichTextLimitsNesting(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"32 nested quotes", strings.Repeat("<blockquote>", 32) + "deep", true},
		{"33 nested quotes", strings.Repeat("<blockquote>", 33) + "deep", false},
		{"4,000 nested quotes", strings.Repeat("<blockquote>", 4000) + "deep", false},
		{"4,000 nested bold", strings.Repeat("<b>", 4000) + "deep", false},
		{"4,000 nested lists", strings.Repeat("<ul><li>", 2000) + "deep", false},
	} {
		out, err := models.SanitizeRichText(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("%s: err = %v, want ok = %v", tt.name, err, tt.ok)
		}
		if err == nil && strings.Count(out, "<") != 2*strings.Count(out, "</") {
			t.Errorf("%s: unbalanced output %.200q", tt.name, out)
		}
	}
	// Through Normalize the refusal names the field.
	o := validOffice()
	o.DescriptionHTML = strings.Repeat("<blockquote>", 4000)
	if got := fieldsOf(t, o.Normalize()); !slices.Equal(got, []string{"description_html"}) {
		t.Errorf("fields = %v, want [description_html]", got)
	}
}

func TestLearnMoreURLIsStoredNormalized(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`https://ok.example/"><script>alert(1)</script>`, "https://ok.example/%22%3E%3Cscript%3Ealert%281%29%3C/script%3E"},
		{`https://ok.example/?q="><script>x</script>`, "https://ok.example/?q=%22%3E%3Cscript%3Ex%3C/script%3E"},
		{"https://ok.example/a b#frag ment", "https://ok.example/a%20b#frag%20ment"},
		{"HTTPS://WWW.CPS.EDU/Academics/", "https://www.cps.edu/Academics/"},
		{"https://www.cps.edu/academics/career-technical-education/", "https://www.cps.edu/academics/career-technical-education/"},
		{"https://x.example/?a=1&b=%20ok", "https://x.example/?a=1&b=%20ok"},
	} {
		d := validDepartment()
		d.LearnMoreURL = tt.in
		if err := d.Normalize(); err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if d.LearnMoreURL != tt.want {
			t.Errorf("%q stored as %q, want %q", tt.in, d.LearnMoreURL, tt.want)
		}
		again := validDepartment()
		again.LearnMoreURL = d.LearnMoreURL
		if err := again.Normalize(); err != nil || again.LearnMoreURL != d.LearnMoreURL {
			t.Errorf("%q: normalizing twice gave %q (%v)", tt.in, again.LearnMoreURL, err)
		}
	}
	for _, bad := range []string{`https://ok.example"><script>/`, "javascript:alert(1)", "https://user:pw@ok.example/", "/relative", "https:opaque"} {
		d := validDepartment()
		d.LearnMoreURL = bad
		if got := fieldsOf(t, d.Normalize()); !slices.Equal(got, []string{"learn_more_url"}) {
			t.Errorf("%q: fields = %v, want [learn_more_url]", bad, got)
		}
	}
}

func sanitize(t *testing.T, in string) string {
	t.Helper()
	out, err := models.SanitizeRichText(in)
	if err != nil {
		t.Fatalf("SanitizeRichText(%q): %v", in, err)
	}
	return out
}

func TestSanitizeRichTextIsIdempotent(t *testing.T) {
	inputs := []string{
		`<p>Tom &amp; Jerry's "show" costs &lt;$5&gt;</p>`,
		`<p>It's <a href="https://x.org/?a=1&b=2&quot;">a "link"</a> &amp; more</p>`,
		`<ul><li><a href="mailto:a@b.org?subject=Hi there">write</a></li><li>caf&eacute; &nbsp; ok</li></ul>`,
		`<p>unclosed <strong>bold <em>both</p><p>next`,
		`<blockquote><h2>Q</h2><p>A &#39; B</p></blockquote><a href="https://cps.edu" rel="noopener">x</a>`,
		"<p>We're committed to maximizing each student's time</p>",
		`<a href="https://cps.edu"><script>x</script>link</a> <a href="javascript:void(0)">no</a>`,
	}
	for _, in := range inputs {
		once := sanitize(t, in)
		if twice := sanitize(t, once); twice != once {
			t.Errorf("input %q:\n once  %q\n twice %q", in, once, twice)
		}
		if strings.Contains(once, "<a ") && strings.Count(once, `rel="noopener"`) != strings.Count(once, "<a ") {
			t.Errorf("input %q: a link lacks rel=noopener: %q", in, once)
		}
	}
}

func TestRichTextToPlain(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"empty", "", ""},
		{"one paragraph", "<p>One.</p>", "One."},
		{"paragraphs", "<p>One.</p><p>Two.</p>", "One.\n\nTwo."},
		{"unordered list", "<ul><li>first</li><li>second</li></ul>", "- first\n- second"},
		{"ordered list", "<ol><li>first</li><li>second</li></ol>", "- first\n- second"},
		{"paragraph, list, paragraph", "<p>Intro</p><ul><li>a</li><li>b</li></ul><p>End</p>", "Intro\n\n- a\n- b\n\nEnd"},
		{"headings", "<h2>Title</h2><p>Body</p>", "Title\n\nBody"},
		{"link keeps its text", `<p>See <a href="https://cps.edu" rel="noopener">CPS</a> now</p>`, "See CPS now"},
		{"entities decoded", "<p>Tom &amp; Jerry&#39;s &lt;show&gt;</p>", "Tom & Jerry's <show>"},
		{"line break", "<p>a<br/>b</p>", "a\nb"},
		{"whitespace collapsed", "<p>a  \n  b</p>", "a b"},
		{"inline emphasis", "<p><strong>Bold</strong> <em>it</em></p>", "Bold it"},
		{"blockquote", "<blockquote>Quote</blockquote><p>After</p>", "Quote\n\nAfter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.RichTextToPlain(tt.html); got != tt.want {
				t.Errorf("RichTextToPlain(%q) = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}

// Revisions store content as JSON. Sharing CommonContent between offices
// and departments must not change a byte of it: JSON written by the
// earlier, flat structs (copied here as they were) decodes and encodes
// back identically.
func TestRevisionJSONIsUnchangedByTheSharedStruct(t *testing.T) {
	type flatOffice struct {
		Slug            string           `json:"slug"`
		Name            string           `json:"name"`
		Acronym         string           `json:"acronym"`
		Summary         string           `json:"summary"`
		DescriptionHTML string           `json:"description_html"`
		Contacts        []models.Contact `json:"contacts"`
	}
	type flatDepartment struct {
		OfficeID        string           `json:"office_id"`
		Slug            string           `json:"slug"`
		Name            string           `json:"name"`
		Acronym         string           `json:"acronym"`
		Summary         string           `json:"summary"`
		DescriptionHTML string           `json:"description_html"`
		LearnMoreURL    string           `json:"learn_more_url"`
		Position        int              `json:"position"`
		Contacts        []models.Contact `json:"contacts"`
	}
	o, d := validOffice(), validDepartment()
	if err := o.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := d.Normalize(); err != nil {
		t.Fatal(err)
	}
	d.Position = 3
	for _, tt := range []struct {
		name    string
		old     any
		content any
	}{
		{"office", flatOffice{o.Slug, o.Name, o.Acronym, o.Summary, o.DescriptionHTML, o.Contacts}, &models.OfficeContent{}},
		{"office without contacts", flatOffice{Slug: "a", Name: "A <b>"}, &models.OfficeContent{}},
		{"department", flatDepartment{d.OfficeID, d.Slug, d.Name, d.Acronym, d.Summary, d.DescriptionHTML, d.LearnMoreURL, d.Position, d.Contacts},
			&models.DepartmentContent{}},
	} {
		stored, err := json.Marshal(tt.old)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(stored, tt.content); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		again, err := json.Marshal(tt.content)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(stored) {
			t.Errorf("%s:\n stored  %s\n encoded %s", tt.name, stored, again)
		}
	}
}
