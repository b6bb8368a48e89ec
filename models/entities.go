package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kind names a content type. Its value is the singular used in revisions,
// audit targets and events; Plural is the API path segment.
type Kind string

const (
	KindOffice     Kind = "office"
	KindDepartment Kind = "department"
)

// Plural is the table name and the {type} segment of admin routes.
func (k Kind) Plural() string { return string(k) + "s" }

// ParseKind accepts "offices" or "departments" (as in URLs).
func ParseKind(plural string) (Kind, bool) {
	switch plural {
	case "offices":
		return KindOffice, true
	case "departments":
		return KindDepartment, true
	}
	return "", false
}

// Status of a document as editors see it.
const (
	StatusDraft     = "draft"     // never published, or withdrawn
	StatusPublished = "published" // the public sees the latest revision
	StatusChanged   = "changed"   // published, with newer draft changes
)

// Document is the row every office and department has: its identity, the
// searchable fields of its current draft, and which revision is public.
// The content itself lives in revisions (see Revision).
type Document struct {
	ID                string         `gorm:"primaryKey;size:36" json:"id"`
	Slug              string         `gorm:"size:64;uniqueIndex" json:"slug"`
	Name              string         `gorm:"size:200" json:"name"`
	Acronym           string         `gorm:"size:20" json:"acronym"`
	Summary           string         `json:"summary"`
	Version           int            `json:"version"` // the number of the latest revision: the working draft
	PublishedRevision *int           `json:"published_revision"`
	PublishedSlug     *string        `gorm:"size:64;uniqueIndex" json:"-"` // keeps public slugs unique while drafts rename
	PublishedAt       *time.Time     `json:"published_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	DeletedAt         gorm.DeletedAt `gorm:"index" json:"deleted_at,omitempty"`
}

// Status derives draft/published/changed from the revision pointers.
func (d *Document) Status() string {
	switch {
	case d.PublishedRevision == nil:
		return StatusDraft
	case *d.PublishedRevision == d.Version:
		return StatusPublished
	default:
		return StatusChanged
	}
}

// Office is an office row.
type Office struct {
	Document
}

// Department is a department row; OfficeID and Position mirror its draft.
type Department struct {
	Document
	OfficeID string `gorm:"size:36;index" json:"office_id"`
	Position int    `json:"position"`
}

// Revision is one immutable saved state of a document, with its contacts.
// Revisions are numbered 1, 2, ... per document; the highest is the draft.
type Revision struct {
	ID         int64     `gorm:"primaryKey" json:"-"`
	EntityType Kind      `gorm:"size:16;uniqueIndex:idx_revisions_entity_number,priority:1" json:"entity_type"`
	EntityID   string    `gorm:"size:36;uniqueIndex:idx_revisions_entity_number,priority:2" json:"entity_id"`
	Number     int       `gorm:"uniqueIndex:idx_revisions_entity_number,priority:3" json:"number"`
	Content    string    `json:"-"` // JSON of OfficeContent or DepartmentContent
	AuthorID   *string   `gorm:"size:36" json:"author_id"`
	Message    string    `gorm:"size:500" json:"message"` // the editor's note on the change; "" when none
	CreatedAt  time.Time `json:"created_at"`
}

func notDeleted(db *gorm.DB, kind Kind) *gorm.DB {
	return db.Table(kind.Plural()).Where("deleted_at IS NULL")
}

func rowFor(kind Kind) any {
	switch kind {
	case KindOffice:
		return &Office{}
	case KindDepartment:
		return &Department{}
	}
	panic(fmt.Sprintf("unknown kind %q", kind))
}
