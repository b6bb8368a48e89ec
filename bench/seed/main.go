// Command seed loads the benchmark's large dataset into the Bureau database
// named by BUREAU_DATABASE_URL: 1,000 offices and 20,000 departments (10 to
// 30 per office, 20 on average) carrying 60,000 contacts (1 to 5 per
// department, 3 on average; each office has one more contact of its own),
// all published. Text is generated deterministically, in realistic sizes:
// summaries of about 200 characters, rich-text descriptions of about 600,
// valid North American phone numbers, US addresses and email addresses.
//
// It writes through the same functions as the admin API (models.CreateOffice,
// models.CreateDepartment, models.Publish), so every document gets its
// revision and audit events like one an editor made. -batch N groups N
// documents per transaction (the models functions then run on the
// transaction, their own transactions becoming savepoints); -batch 1 is one
// transaction per call, as the admin API does it.
//
//	BUREAU_DATABASE_URL=sqlite:/tmp/big/bureau.db go run ./bench/seed
//
// On success it prints, on stdout, lines of the form key=value that the
// benchmark script reads: sample_office, sample_department, offices,
// departments, contacts, seconds.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

func main() {
	offices := flag.Int("offices", 1000, "offices to create")
	departments := flag.Int("departments", 20000, "departments to create, spread over the offices")
	batch := flag.Int("batch", 1, "documents per transaction (1: a transaction per models call)")
	flag.Parse()
	url := os.Getenv("BUREAU_DATABASE_URL")
	if url == "" {
		fmt.Fprintln(os.Stderr, "seed: set BUREAU_DATABASE_URL (e.g. sqlite:/tmp/big/bureau.db)")
		os.Exit(2)
	}
	if *offices < 1 || *departments < 0 || *batch < 1 {
		fmt.Fprintln(os.Stderr, "seed: -offices must be >= 1, -departments >= 0, -batch >= 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, url, *offices, *departments, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string, nOffices, nDepartments, batch int) error {
	start := time.Now()
	db, err := models.Open(ctx, url, nil)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if err := models.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	g := newGenerator(nOffices, nDepartments)

	// Writes go through w: one transaction per batch documents.
	w := &writer{ctx: ctx, db: db, batch: batch}
	officeIDs := make([]string, nOffices)
	for i := range nOffices {
		c := g.office(i)
		err := w.do(func(tx *gorm.DB) error {
			o, err := models.CreateOffice(ctx, tx, models.System, c, "")
			if err != nil {
				return fmt.Errorf("office %s: %w", c.Slug, err)
			}
			officeIDs[i] = o.ID
			_, err = models.Publish(ctx, tx, models.System, models.KindOffice, o.ID, 0)
			return err
		})
		if err != nil {
			return err
		}
	}
	// The departments need the office ids: write the offices first.
	if err := w.flush(); err != nil {
		return err
	}
	contacts, made := 0, 0
	lastReport := time.Now()
	for i := range nOffices {
		for p := range g.perOffice[i] {
			c := g.department(made, i, officeIDs[i], p+1)
			contacts += len(c.Contacts)
			err := w.do(func(tx *gorm.DB) error {
				d, err := models.CreateDepartment(ctx, tx, models.System, c, "")
				if err != nil {
					return fmt.Errorf("department %s: %w", c.Slug, err)
				}
				_, err = models.Publish(ctx, tx, models.System, models.KindDepartment, d.ID, 0)
				return err
			})
			if err != nil {
				return err
			}
			made++
			if time.Since(lastReport) > 10*time.Second {
				fmt.Fprintf(os.Stderr, "seed: %d/%d departments after %.0fs\n", made, nDepartments, time.Since(start).Seconds())
				lastReport = time.Now()
			}
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	mid := nOffices / 2
	fmt.Printf("sample_office=%s\n", g.office(mid).Slug)
	fmt.Printf("sample_office_departments=%d\n", g.perOffice[mid])
	fmt.Printf("sample_department=%s\n", g.departmentSlug(made/2))
	fmt.Printf("offices=%d\ndepartments=%d\ncontacts=%d\n", nOffices, made, contacts)
	fmt.Printf("seconds=%.1f\n", time.Since(start).Seconds())
	return nil
}

// writer runs write functions in transactions of up to batch documents.
// With batch 1 it hands each function the plain connection, so the models
// functions open their own transactions exactly as in the admin API.
type writer struct {
	ctx     context.Context
	db      *gorm.DB
	batch   int
	pending []func(tx *gorm.DB) error
}

func (w *writer) do(fn func(tx *gorm.DB) error) error {
	if w.batch == 1 {
		return fn(w.db)
	}
	w.pending = append(w.pending, fn)
	if len(w.pending) >= w.batch {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	fns := w.pending
	w.pending = nil
	return models.Write(w.ctx, w.db, func(tx *gorm.DB) error {
		for _, fn := range fns {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// generator makes deterministic, realistic content.
type generator struct {
	rng       *rand.Rand
	names     []string // office names, unique
	perOffice []int    // departments of each office, summing to the total
}

func newGenerator(nOffices, nDepartments int) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(2026, 11))}
	seen := map[string]bool{}
	for i := 0; len(g.names) < nOffices; i++ {
		name := qualifiers[i%len(qualifiers)] + " " + areas[(i/len(qualifiers))%len(areas)]
		if round := i / (len(qualifiers) * len(areas)); round > 0 {
			name += " " + strconv.Itoa(round+1)
		}
		if !seen[name] {
			seen[name] = true
			g.names = append(g.names, name)
		}
	}
	// 10 to 30 departments per office, in pairs that sum to twice the mean,
	// the remainder spread one by one.
	mean := nDepartments / nOffices
	g.perOffice = make([]int, nOffices)
	for i := 0; i+1 < nOffices; i += 2 {
		d := g.rng.IntN(mean/2 + 1)
		g.perOffice[i], g.perOffice[i+1] = mean+d, mean-d
	}
	if nOffices%2 == 1 {
		g.perOffice[nOffices-1] = mean
	}
	for i := 0; i < nDepartments-mean*nOffices; i++ {
		g.perOffice[i%nOffices]++
	}
	return g
}

func (g *generator) office(i int) models.OfficeContent {
	name := g.names[i]
	r := rand.New(rand.NewPCG(uint64(i), 1)) // per office, so office(i) is the same when asked again
	return models.OfficeContent{
		CommonContent: models.CommonContent{
			Slug:            slugify(name),
			Name:            name,
			Acronym:         acronym("Office of " + name),
			Summary:         text(r, 200),
			DescriptionHTML: description(r, 600, slugify(name)),
		},
		Contacts: []models.Contact{contact(r, name, 0)},
	}
}

func (g *generator) departmentSlug(n int) string {
	return slugify(departmentNames[n%len(departmentNames)]) + "-" + strconv.Itoa(n+1)
}

// department makes the nth department overall, at position in its office.
func (g *generator) department(n, officeIndex int, officeID string, position int) models.DepartmentContent {
	r := rand.New(rand.NewPCG(uint64(n), 2))
	name := departmentNames[n%len(departmentNames)]
	if n >= len(departmentNames) {
		name += " — " + g.names[officeIndex]
	}
	slug := g.departmentSlug(n)
	c := models.DepartmentContent{
		OfficeID: officeID,
		CommonContent: models.CommonContent{
			Slug:            slug,
			Name:            name,
			Acronym:         acronym(departmentNames[n%len(departmentNames)]),
			Summary:         text(r, 200),
			DescriptionHTML: description(r, 600, slug),
		},
		Position: position,
	}
	if n%3 != 0 {
		c.LearnMoreURL = "https://www.example.org/departments/" + slug
	}
	for k := range 1 + n%5 { // 1..5 contacts, 3 on average
		c.Contacts = append(c.Contacts, contact(r, name, k))
	}
	return c
}

func contact(r *rand.Rand, owner string, k int) models.Contact {
	c := models.Contact{Label: contactLabels[k%len(contactLabels)] + " — " + owner}
	if r.IntN(10) < 7 {
		c.Address = &models.Address{
			Street:     strconv.Itoa(100+r.IntN(9800)) + " " + streets[r.IntN(len(streets))],
			City:       "Chicago",
			State:      "IL",
			PostalCode: fmt.Sprintf("606%02d", 1+r.IntN(60)),
			Country:    "US",
		}
		if r.IntN(4) == 0 {
			c.Address.Street2 = "Suite " + strconv.Itoa(100+r.IntN(900))
		}
	}
	for p := range 1 + r.IntN(2) {
		kind := models.PhoneVoice
		if p == 1 {
			kind = models.PhoneFax
		}
		ph := models.Phone{Kind: kind, Number: phone(r)}
		if kind == models.PhoneVoice && r.IntN(3) == 0 {
			ph.Ext = strconv.Itoa(1000 + r.IntN(9000))
		}
		c.Phones = append(c.Phones, ph)
	}
	if r.IntN(2) == 0 {
		local := slugify(c.Label)
		local = strings.TrimRight(local[:min(30, len(local))], "-")
		c.Emails = []models.Email{{Address: local + "@example.org", Label: "General inquiries"}}
	}
	if r.IntN(2) == 0 {
		c.Hours = "Monday to Friday, 8:00 a.m. to 4:30 p.m."
	}
	return c
}

// phone returns a valid Chicago number (773-553, 773-535 and 312-553 are
// valid NANP exchanges; 555-01xx numbers are not).
func phone(r *rand.Rand) string {
	prefix := []string{"773-553-", "773-535-", "312-553-"}[r.IntN(3)]
	return fmt.Sprintf("%s%04d", prefix, r.IntN(10000))
}

// text makes sentences from the word list until about n characters.
func text(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n-20 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sentence(r))
	}
	return b.String()
}

func sentence(r *rand.Rand) string {
	k := 6 + r.IntN(10)
	w := make([]string, k)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
	return strings.Join(w, " ") + "."
}

// description is rich text of about n characters: paragraphs, a list and a
// link, as editors write them.
func description(r *rand.Rand, n int, slug string) string {
	var b strings.Builder
	b.WriteString("<p>" + text(r, n/3) + "</p>")
	b.WriteString("<ul><li>" + sentence(r) + "</li><li>" + sentence(r) + "</li></ul>")
	b.WriteString(`<p><strong>` + sentence(r) + `</strong> See <a href="https://www.example.org/` + slug + `">the program page</a>.</p>`)
	for b.Len() < n-40 {
		b.WriteString("<p>" + sentence(r) + "</p>")
	}
	return b.String()
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 50 {
		out = strings.TrimRight(out[:50], "-")
	}
	return out
}

func acronym(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		if c := w[0]; c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

var qualifiers = strings.Split("Citywide|Northside|Southside|Westside|Far South|Central|Early Childhood|Elementary|High School|Adult|Regional|District|Community|Youth|Family|Student|Teacher|Campus|Digital|Network", "|")

var areas = strings.Split("Literacy|Mathematics|Science|Arts Education|Transportation|Nutrition Support|Facilities|Safety and Security|Language and Culture|Diverse Learner Supports|Health Services|Attendance and Truancy|Enrollment|Postsecondary Success|Career Education|Athletics|Libraries|Technology Services|Data and Accountability|Grants Management|Family Engagement|Community Partnerships|Teacher Development|Principal Quality|Curriculum Design|Assessment|Counseling|Social Work|Mental Health|Housing Stability|Juvenile Justice Liaison|After School Programs|Summer Learning|Magnet Programs|Charter Oversight|Procurement|Payroll|Human Capital|Communications|Budget Planning|Legal Affairs|Inspector Liaison|Language Access|Bilingual Education|Gifted Programs|Early Intervention|Transition Services|Sustainability|Food Access|Civic Learning", "|")

var departmentNames = strings.Split("Student Support and Engagement|Social and Emotional Learning|Early College and Career Education|School Counseling and Postsecondary Advising|Sustainable Community Schools|Sports Administration|Junior Reserve Officers' Training Corps|Dual Language Programs|Special Education Compliance|Enrollment and Registration|Transportation Routing|Meal Programs|Building Maintenance|Emergency Management|Instructional Technology|Research and Evaluation|Professional Learning|Parent Advisory Councils|Volunteer Coordination|Records and Transcripts", "|")

var contactLabels = []string{"Main office", "Front desk", "Program manager", "Intake and referrals", "After-hours line"}

var streets = strings.Split("W. Madison St.|W. Washington Blvd.|S. Campbell Ave.|N. Clark St.|S. State St.|W. Chicago Ave.|S. Halsted St.|N. Milwaukee Ave.|W. 63rd St.|E. 79th St.|S. Ashland Ave.|W. Irving Park Rd.", "|")

var words = strings.Fields(`students schools families support learning programs district community
	services college career success partners postsecondary readiness academic
	supports engagement equitable resources educators teachers principals access
	opportunities outcomes wellbeing connected skills pathways counseling advising
	leadership collaboration advocacy data informed practices comprehensive
	neighborhood citywide networks summer enrichment safety health nutrition
	technology literacy mathematics science arts athletics transportation
	enrollment attendance graduation credentials training mentoring internships`)
