package models

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// The demo content is the first customer's page, word for word: the Office
// of College and Career Success of a school district and its seven
// departments (see testdata/occs-page.txt for the page itself). The page
// shows "Learn more" links without their targets; the URLs below point at
// the district's department pages.

const occsIntro = "The Office of College and Career Success (OCCS) promotes social and economic mobility among CPS students by building systems and providing supports to increase the number of CPS graduates who earn postsecondary credentials and enter into fulfilling, family-sustaining careers."

const occsMore = "OCCS works with both internal and external partners to ensure that all CPS students develop essential postsecondary competencies, including academic and financial readiness for postsecondary, career awareness and alignment, and foundational skills. Ultimately, every CPS senior will leverage these competencies to develop a concrete, personalized postsecondary plan to pave the way for their success in life after high school."

func demoOffice() OfficeContent {
	return OfficeContent{
		CommonContent: CommonContent{
			Slug:            "occs",
			Name:            "College and Career Success",
			Acronym:         "OCCS",
			Summary:         occsIntro,
			DescriptionHTML: "<p>" + occsIntro + "</p><p>" + occsMore + "</p>",
		},
		Contacts: []Contact{{
			Label:   "College and Career Success",
			Phones:  []Phone{{Kind: PhoneFax, Number: "773-553-3543"}},
			Address: chicago("42 W. Madison St.", "60602"),
		}},
	}
}

type demoDepartment struct {
	slug, name, acronym, text, learnMore string
	contact                              Contact
}

func demoDepartments() []demoDepartment {
	return []demoDepartment{
		{
			slug: "ecce", name: "Early College and Career Education", acronym: "ECCE",
			text:      "Provides career-connected learning options that help students link their education to the real world. We're committed to maximizing each student's time at CPS to develop the skills, knowledge, and mindset they'll need to succeed in the workplace, community, and careers.",
			learnMore: "https://www.cps.edu/academics/career-technical-education/",
			contact:   Contact{Label: "Early College and Career Education", Address: chicago("42 W. Madison St.", "60602")},
		},
		{
			slug: "oscpa", name: "School Counseling and Postsecondary Advising", acronym: "OSCPA",
			text:      "Ensures that postsecondary champions* implement comprehensive, student-centered, data-informed practices through an effective model of leadership, collaboration, advocacy, and systemic change to impact the academic, social/emotional, and postsecondary outcomes of ALL students in the district.",
			learnMore: "https://www.cps.edu/services-and-supports/school-counseling-and-postsecondary-advising/",
			contact: Contact{
				Label:   "School Counseling and Postsecondary Advising",
				Phones:  []Phone{{Kind: PhoneFax, Number: "773-553-3470"}},
				Address: chicago("42 W. Madison St", "60602"),
			},
		},
		{
			slug: "osse", name: "Student Support and Engagement", acronym: "OSSE",
			text:      "Provides comprehensive support to help students become more connected to and engaged in school, prioritizing those most likely to become disconnected from their learning communities. This work is heavily centered around our district's commitment to student Connectedness and Wellbeing.",
			learnMore: "https://www.cps.edu/services-and-supports/student-support-and-engagement/",
			contact:   Contact{Label: "Office of Student Support and Engagement", Address: chicago("42 W. Madison St.", "60602")},
		},
		{
			slug: "osel", name: "Social and Emotional Learning", acronym: "OSEL",
			text:      "Partners with CPS schools and networks to develop and sustain supportive learning communities founded on caring relationships and robust multi-tiered systems of support (MTSS) that meet the social and emotional needs of all students. OSEL promotes the development of self awareness, self management, social awareness, interpersonal skills, and responsible decision-making skills that students need for college, career, and life success.",
			learnMore: "https://www.cps.edu/services-and-supports/social-and-emotional-learning/",
			contact: Contact{
				Label:   "Office of Social & Emotional Learning",
				Phones:  []Phone{{Kind: PhoneFax, Number: "773-553-1895"}, {Kind: PhoneFax, Number: "773-553-3654"}},
				Address: chicago("42 W. Madison St.", "60602"),
			},
		},
		{
			slug: "scs", name: "Sustainable Community Schools", acronym: "SCS",
			text:      "Envisions schools as central, neighborhood locations where students receive an education and schools work with community groups to connect children and families to a range of services that foster individual and economic well-being. The Community Schools Initiative also extends the hours that schools are open so buildings may stay in use up to seven days a week and during the summer, creating a vibrant community meeting place.",
			learnMore: "https://www.cps.edu/services-and-supports/community-schools-initiative/",
			contact:   Contact{Label: "Community Schools Initiative", Address: chicago("2651 W. Washington Blvd.", "60612")},
		},
		{
			slug: "osa", name: "Sports Administration", acronym: "OSA",
			text:    "We oversee the equitable implementation of sports programs across all elementary schools and high schools within the Chicago Public School District (CPS) and Chicago Public League (CPL).",
			contact: Contact{Label: "Sports Administration", Address: chicago("2651 W. Washington Blvd.", "60612")},
		},
		{
			slug: "jrotc", name: "Junior Reserve Officers' Training Corps", acronym: "JROTC",
			text:      "Assists JROTC high school students in developing skills and knowledge that can help them in their postsecondary pathway: college, career, or military. We foster partnerships with universities, military branches, trade-skill providers, and shareholders to provide scholarships, leadership experiences, unique hands-on opportunities, and community service.",
			learnMore: "https://www.cps.edu/academics/jrotc/",
			contact: Contact{
				Label:   "Department of JROTC Leadership",
				Phones:  []Phone{{Kind: PhoneFax, Number: "773-535-1957"}},
				Address: chicago("145 S. Campbell Ave.", "60612"),
			},
		},
	}
}

func chicago(street, zip string) *Address {
	return &Address{Street: street, City: "Chicago", State: "IL", PostalCode: zip, Country: "US"}
}

// SeedDemo loads the demo office and its departments, published. Whatever
// already exists (by slug, in the trash or not) is left exactly as it is, so
// running it again changes nothing. It reports how many documents it created.
func SeedDemo(ctx context.Context, db *gorm.DB) (int, error) {
	created := 0
	officeID, made, err := seedOffice(ctx, db, demoOffice())
	if err != nil {
		return created, err
	}
	if made {
		created++
	}
	for i, d := range demoDepartments() {
		c := DepartmentContent{
			OfficeID: officeID,
			CommonContent: CommonContent{Slug: d.slug, Name: d.name, Acronym: d.acronym,
				Summary: d.text, DescriptionHTML: "<p>" + d.text + "</p>"},
			LearnMoreURL: d.learnMore,
			Position:     i + 1, Contacts: []Contact{d.contact},
		}
		exists, err := slugTaken(ctx, db, KindDepartment, c.Slug)
		if err != nil || exists {
			if err != nil {
				return created, err
			}
			continue
		}
		dep, err := CreateDepartment(ctx, db, System, c, "")
		if err != nil {
			return created, err
		}
		if _, err := Publish(ctx, db, System, KindDepartment, dep.ID, 0); err != nil {
			return created, err
		}
		created++
	}
	return created, nil
}

func seedOffice(ctx context.Context, db *gorm.DB, c OfficeContent) (id string, created bool, err error) {
	var existing Document
	// Unscoped: a trashed office still holds its slug and must be left alone.
	err = db.WithContext(ctx).Unscoped().Table("offices").Select("id").Where("slug = ?", c.Slug).Take(&existing).Error
	if err == nil {
		return existing.ID, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, err
	}
	o, err := CreateOffice(ctx, db, System, c, "")
	if err != nil {
		return "", false, err
	}
	if _, err := Publish(ctx, db, System, KindOffice, o.ID, 0); err != nil {
		return "", false, err
	}
	return o.ID, true, nil
}

func slugTaken(ctx context.Context, db *gorm.DB, kind Kind, slug string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table(kind.Plural()).Where("slug = ?", slug).Count(&n).Error
	return n > 0, err
}

// IsEmpty reports whether the database has never held content (trashed
// documents count as content); `serve` loads the demo content only into an
// empty embedded database. Accounts do not count: creating the first admin
// before the first start still gets the demo.
func IsEmpty(ctx context.Context, db *gorm.DB) (bool, error) {
	for _, table := range []string{"offices", "departments"} {
		var n int64
		if err := db.WithContext(ctx).Table(table).Count(&n).Error; err != nil {
			return false, err
		}
		if n > 0 {
			return false, nil
		}
	}
	return true, nil
}
