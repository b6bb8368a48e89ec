package models

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"
)

// The content of an office or a department as editors write it. One value of
// these types is what a revision stores, whole, with its contacts: contacts
// are part of their owner's document, versioned and published with it.

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Street     string `json:"street"`
	Street2    string `json:"street2"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Phone kinds.
const (
	PhoneVoice = "voice"
	PhoneFax   = "fax"
	PhoneTTY   = "tty"
)

// Phone is a number as displayed (Number) with its normalized E.164 form.
type Phone struct {
	Kind   string `json:"kind"`
	Number string `json:"number"`
	E164   string `json:"e164"`
	Ext    string `json:"ext"`
	Label  string `json:"label"`
}

// Email is an address with an optional label ("General inquiries").
type Email struct {
	Address string `json:"address"`
	Label   string `json:"label"`
}

// Contact is one contact point of an office or department.
type Contact struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Address  *Address `json:"address"`
	Phones   []Phone  `json:"phones"`
	Emails   []Email  `json:"emails"`
	Hours    string   `json:"hours"`
	Position int      `json:"position"`
}

// CommonContent is what offices and departments both have. Contacts are
// shared too but stay outside it: a department's stored JSON lists them
// last, after its own fields, and revision JSON must stay byte-identical.
type CommonContent struct {
	Slug            string `json:"slug"`
	Name            string `json:"name"`
	Acronym         string `json:"acronym"`
	Summary         string `json:"summary"`
	DescriptionHTML string `json:"description_html"`
}

// OfficeContent is the editable document of an office.
type OfficeContent struct {
	CommonContent
	Contacts []Contact `json:"contacts"`
}

// DepartmentContent is the editable document of a department.
type DepartmentContent struct {
	OfficeID string `json:"office_id"`
	CommonContent
	LearnMoreURL string    `json:"learn_more_url"`
	Position     int       `json:"position"`
	Contacts     []Contact `json:"contacts"`
}

// Field limits, in characters.
const (
	maxSlug        = 64
	maxName        = 200
	maxAcronym     = 20
	maxSummary     = 1000
	maxDescription = 50000
	maxShortText   = 200
	maxContacts    = 50
	maxPhones      = 20
	maxEmails      = 20
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a well-formed slug.
func ValidSlug(s string) bool {
	return len(s) <= maxSlug && slugPattern.MatchString(s)
}

// Normalize trims, sanitizes and validates an office in place. On failure it
// returns a *ValidationError naming every bad field.
func (c *OfficeContent) Normalize() error {
	v := &ValidationError{}
	c.CommonContent.normalize(v)
	c.Contacts = normalizeContacts(v, c.Contacts)
	return v.Err()
}

// Normalize trims, sanitizes and validates a department in place.
func (c *DepartmentContent) Normalize() error {
	v := &ValidationError{}
	c.OfficeID = strings.TrimSpace(c.OfficeID)
	if id, err := uuid.Parse(c.OfficeID); err != nil {
		v.Add("office_id", "must be the id of an office")
	} else {
		c.OfficeID = id.String()
	}
	c.CommonContent.normalize(v)
	c.LearnMoreURL = normalizeLearnMoreURL(v, c.LearnMoreURL)
	if c.Position < 0 || c.Position > 100000 {
		v.Add("position", "must be between 0 and 100000")
	}
	c.Contacts = normalizeContacts(v, c.Contacts)
	return v.Err()
}

func (c *CommonContent) normalize(v *ValidationError) {
	c.Slug = strings.TrimSpace(c.Slug)
	c.Name = strings.TrimSpace(c.Name)
	c.Acronym = strings.TrimSpace(c.Acronym)
	c.Summary = strings.TrimSpace(c.Summary)
	checkSlug(v, "slug", c.Slug)
	checkText(v, "name", c.Name, maxName, true)
	checkText(v, "acronym", c.Acronym, maxAcronym, false)
	checkText(v, "summary", c.Summary, maxSummary, false)
	html, err := SanitizeRichText(c.DescriptionHTML)
	if err != nil {
		v.Add("description_html", "%s", err.Error())
	}
	c.DescriptionHTML = html
	checkText(v, "description_html", c.DescriptionHTML, maxDescription, false)
}

// maxURL is the longest link editors may store, in bytes.
const maxURL = 2000

// normalizeLearnMoreURL stores a link the way links inside descriptions
// are stored: parsed and written back in one canonical, escaped form, so
// what is served is a URL and never markup that happened to be sent as one.
func normalizeLearnMoreURL(v *ValidationError, raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	normalized, ok := normalizeURL(raw)
	if !ok || len(normalized) > maxURL {
		v.Add("learn_more_url", "must be an absolute http or https URL")
		return raw
	}
	return normalized
}

func checkSlug(v *ValidationError, field, slug string) {
	switch {
	case slug == "":
		v.Add(field, "is required")
	case !ValidSlug(slug):
		v.Add(field, "must be lowercase letters, digits and single hyphens (at most %d characters)", maxSlug)
	}
}

func checkText(v *ValidationError, field, s string, max int, required bool) {
	switch {
	case required && s == "":
		v.Add(field, "is required")
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	case strings.ContainsRune(s, 0):
		v.Add(field, "must not contain NUL characters")
	}
}

// normalizeContacts validates contacts in order, gives new ones an id, and
// renumbers positions to the order the client sent.
func normalizeContacts(v *ValidationError, contacts []Contact) []Contact {
	if len(contacts) > maxContacts {
		v.Add("contacts", "at most %d contacts", maxContacts)
		return contacts
	}
	out := make([]Contact, 0, len(contacts))
	seen := map[string]bool{}
	for i, c := range contacts {
		at := fmt.Sprintf("contacts[%d]", i)
		c.ID = strings.TrimSpace(c.ID)
		if c.ID == "" {
			c.ID = uuid.NewString()
		} else if u, err := uuid.Parse(c.ID); err != nil || seen[u.String()] {
			v.Add(at+".id", "must be a unique UUID, or empty for a new contact")
		} else {
			// uuid.Parse also takes {...}, urn:uuid:... and upper case:
			// store one spelling, so duplicates are caught and ids compare.
			c.ID = u.String()
		}
		seen[c.ID] = true
		c.Label = strings.TrimSpace(c.Label)
		c.Hours = strings.TrimSpace(c.Hours)
		checkText(v, at+".label", c.Label, maxShortText, false)
		checkText(v, at+".hours", c.Hours, maxShortText, false)
		c.Address = normalizeAddress(v, at+".address", c.Address)
		c.Phones = normalizePhones(v, at, c.Phones)
		c.Emails = normalizeEmails(v, at, c.Emails)
		if c.Label == "" && c.Address == nil && len(c.Phones) == 0 && len(c.Emails) == 0 {
			v.Add(at, "needs a label, an address, a phone or an email")
		}
		c.Position = i
		out = append(out, c)
	}
	return out
}

var usStates = strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
	MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI`)
var usZIP = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

func normalizeAddress(v *ValidationError, at string, a *Address) *Address {
	if a == nil {
		return nil
	}
	a.Street = strings.TrimSpace(a.Street)
	a.Street2 = strings.TrimSpace(a.Street2)
	a.City = strings.TrimSpace(a.City)
	a.State = strings.TrimSpace(a.State)
	a.PostalCode = strings.TrimSpace(a.PostalCode)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if *a == (Address{}) {
		return nil
	}
	if a.Country == "" {
		a.Country = "US"
	}
	for _, f := range []struct{ name, value string }{
		{"street", a.Street}, {"street2", a.Street2}, {"city", a.City}, {"state", a.State}, {"postal_code", a.PostalCode},
	} {
		checkText(v, at+"."+f.name, f.value, maxShortText, false)
	}
	if a.Street == "" {
		v.Add(at+".street", "is required")
	}
	if a.City == "" {
		v.Add(at+".city", "is required")
	}
	if !countryCode.MatchString(a.Country) {
		v.Add(at+".country", "must be a two-letter country code such as US")
	}
	if a.Country == "US" {
		a.State = strings.ToUpper(a.State)
		if !contains(usStates, a.State) {
			v.Add(at+".state", "must be a two-letter US state code")
		}
		if !usZIP.MatchString(a.PostalCode) {
			v.Add(at+".postal_code", "must be a ZIP code such as 60602 or 60602-1234")
		}
	}
	return a
}

func normalizePhones(v *ValidationError, at string, phones []Phone) []Phone {
	if len(phones) > maxPhones {
		v.Add(at+".phones", "at most %d phone numbers", maxPhones)
		return phones
	}
	out := make([]Phone, 0, len(phones))
	for i, p := range phones {
		pat := fmt.Sprintf("%s.phones[%d]", at, i)
		p.Kind = strings.ToLower(strings.TrimSpace(p.Kind))
		p.Number = strings.TrimSpace(p.Number)
		p.Ext = strings.TrimSpace(p.Ext)
		p.Label = strings.TrimSpace(p.Label)
		if p.Kind == "" {
			p.Kind = PhoneVoice
		}
		if p.Kind != PhoneVoice && p.Kind != PhoneFax && p.Kind != PhoneTTY {
			v.Add(pat+".kind", "must be voice, fax or tty")
		}
		checkText(v, pat+".label", p.Label, maxShortText, false)
		if p.Ext != "" && !digitsOnly(p.Ext, 1, 8) {
			v.Add(pat+".ext", "must be 1 to 8 digits")
		}
		e164, err := NormalizePhone(p.Number)
		if err != nil {
			v.Add(pat+".number", "%s", err.Error())
		}
		p.E164 = e164
		out = append(out, p)
	}
	return out
}

// NormalizePhone returns the E.164 form of a phone number as people write
// it. Numbers without a country code are read as North American.
func NormalizePhone(number string) (string, error) {
	if number == "" {
		return "", fmt.Errorf("is required")
	}
	if len(number) > 40 {
		return "", fmt.Errorf("is too long")
	}
	parsed, err := phonenumbers.Parse(number, "US")
	if err != nil || !phonenumbers.IsValidNumber(parsed) {
		return "", fmt.Errorf("is not a valid phone number (e.g. 773-553-3543 or +44 20 7946 0958)")
	}
	return phonenumbers.Format(parsed, phonenumbers.E164), nil
}

func normalizeEmails(v *ValidationError, at string, emails []Email) []Email {
	if len(emails) > maxEmails {
		v.Add(at+".emails", "at most %d email addresses", maxEmails)
		return emails
	}
	out := make([]Email, 0, len(emails))
	for i, e := range emails {
		eat := fmt.Sprintf("%s.emails[%d]", at, i)
		e.Address = strings.TrimSpace(e.Address)
		e.Label = strings.TrimSpace(e.Label)
		checkText(v, eat+".label", e.Label, maxShortText, false)
		if !ValidEmail(e.Address) {
			v.Add(eat+".address", "must be an email address such as name@example.org")
		}
		out = append(out, e)
	}
	return out
}

// ValidEmail accepts a bare address (no display name) with a dotted domain.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

func digitsOnly(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maxMessage is the longest revision message, in characters.
const maxMessage = 500

// normalizeChange normalizes a document and the message of the revision it
// will become, so one ValidationError names every bad field of the request.
func normalizeChange(content interface{ Normalize() error }, message *string) error {
	v := &ValidationError{}
	if err := content.Normalize(); err != nil && !errors.As(err, &v) {
		return err
	}
	*message = normalizeMessage(v, *message)
	return v.Err()
}

// normalizeMessage trims a revision message and checks it is plain text of
// at most maxMessage characters: line breaks and tabs, but no other control
// characters. Problems are added to v under the field "message".
func normalizeMessage(v *ValidationError, message string) string {
	message = strings.TrimSpace(strings.ReplaceAll(message, "\r\n", "\n"))
	checkText(v, "message", message, maxMessage, false)
	if strings.ContainsFunc(message, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != 0 }) {
		v.Add("message", "must be plain text, without control characters")
	}
	return message
}
