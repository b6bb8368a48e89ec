package backup

import (
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

// DocumentRecord is the row every office and department has (exported only
// because GORM maps the fields of exported embedded structs alone). The content
// lives in its revisions; these columns mirror the draft and say which
// revision is public and whether the document is in the trash.
type DocumentRecord struct {
	ID                string     `json:"id"`
	Slug              string     `json:"slug"`
	Name              string     `json:"name"`
	Acronym           string     `json:"acronym"`
	Summary           string     `json:"summary"`
	Version           int        `json:"version"`
	PublishedRevision *int       `json:"published_revision"`
	PublishedSlug     *string    `json:"published_slug"`
	PublishedAt       *time.Time `json:"published_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	DeletedAt         *time.Time `json:"deleted_at"`
}

func (d *DocumentRecord) normalize() {
	d.PublishedAt = storedTimePtr(d.PublishedAt)
	d.CreatedAt = storedTime(d.CreatedAt)
	d.UpdatedAt = storedTime(d.UpdatedAt)
	d.DeletedAt = storedTimePtr(d.DeletedAt)
}

func (d *DocumentRecord) check(st *loadState, kind models.Kind) error {
	c := checker{kind: string(kind), id: d.ID}
	c.uuid("id", d.ID)
	c.slug("slug", d.Slug)
	c.text("name", d.Name, 200, true)
	c.text("acronym", d.Acronym, 20, false)
	c.text("summary", d.Summary, 0, false)
	if d.Version < 1 {
		c.fail("version must be at least 1")
	}
	published := d.PublishedRevision != nil
	if published != (d.PublishedSlug != nil) || published != (d.PublishedAt != nil) {
		c.fail("published_revision, published_slug and published_at must be all set or all null")
	}
	if published {
		if *d.PublishedRevision < 1 || *d.PublishedRevision > d.Version {
			c.fail("published_revision %d is not a revision of this document (1 to %d)", *d.PublishedRevision, d.Version)
		}
		c.slug("published_slug", *d.PublishedSlug)
	}
	c.set("created_at", d.CreatedAt)
	c.set("updated_at", d.UpdatedAt)
	if d.DeletedAt != nil && d.DeletedAt.Before(d.CreatedAt) {
		c.fail("deleted_at is earlier than created_at")
	}
	if err := c.err(); err != nil {
		return err
	}
	return st.addDocument(kind, d)
}

type officeRecord struct {
	DocumentRecord
}

func (officeRecord) TableName() string { return "offices" }

func (o *officeRecord) check(st *loadState) error {
	return o.DocumentRecord.check(st, models.KindOffice)
}

type departmentRecord struct {
	DocumentRecord
	OfficeID string `json:"office_id"`
	Position int    `json:"position"`
}

func (departmentRecord) TableName() string { return "departments" }

func (d *departmentRecord) check(st *loadState) error {
	if !st.hasDocument(models.KindOffice, d.OfficeID) {
		return recordError("department", d.ID, "office_id %q is not an office of this file", d.OfficeID)
	}
	if d.Position < 0 {
		return recordError("department", d.ID, "position must not be negative")
	}
	if err := d.DocumentRecord.check(st, models.KindDepartment); err != nil {
		return err
	}
	st.docs[docKey{models.KindDepartment, d.ID}].officeID = d.OfficeID
	return nil
}

func offices() section {
	return &table[officeRecord, *officeRecord]{
		name:  "office",
		query: func(tx *gorm.DB) *gorm.DB { return tx.Table("offices").Order(byText(tx, "id")) },
	}
}

func departments() section {
	return &table[departmentRecord, *departmentRecord]{
		name:  "department",
		query: func(tx *gorm.DB) *gorm.DB { return tx.Table("departments").Order(byText(tx, "id")) },
	}
}

// revisionRecord is one saved state of a document. Content is kept as the
// exact text stored, so a restored revision is byte for byte the original.
// The row id is not kept: revisions are known by document and number.
type revisionRecord struct {
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Number     int       `json:"number"`
	Content    string    `json:"content"`
	AuthorID   *string   `json:"author_id"`
	Message    string    `json:"message"`
	CreatedAt  time.Time `json:"created_at"`
}

func (revisionRecord) TableName() string { return "revisions" }

func (r *revisionRecord) normalize() { r.CreatedAt = storedTime(r.CreatedAt) }

func (r *revisionRecord) check(st *loadState) error {
	c := checker{kind: "revision", id: r.EntityType + " " + r.EntityID + " #" + itoa(r.Number)}
	kind := models.Kind(r.EntityType)
	if kind != models.KindOffice && kind != models.KindDepartment {
		c.fail(`entity_type must be "office" or "department"`)
		return c.err()
	}
	content := checkContent(&c, kind, r.Content)
	if r.AuthorID != nil {
		c.uuid("author_id", *r.AuthorID)
	}
	c.text("message", r.Message, 500, false)
	c.set("created_at", r.CreatedAt)
	if err := c.err(); err != nil {
		return err
	}
	if r.AuthorID != nil {
		st.referToAuthor(*r.AuthorID)
	}
	return st.addRevision(kind, r.EntityID, r.Number, content)
}

func revisions() section {
	return &table[revisionRecord, *revisionRecord]{
		name: "revision",
		query: func(tx *gorm.DB) *gorm.DB {
			return tx.Table("revisions").
				Select("entity_type, entity_id, number, content, author_id, message, created_at").
				Order(byText(tx, "entity_type", "entity_id") + ", number")
		},
		done: func(st *loadState) error { return st.checkRevisionsComplete() },
	}
}
