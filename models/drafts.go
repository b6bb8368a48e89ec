package models

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Creating documents and saving their drafts. Every change writes, in one
// transaction, the row, an immutable revision and an audit event, and
// answers with the state that transaction created.

// Draft is a document's row and working draft as one transaction saw them.
// Writes return it from inside their transaction, so an answer never
// describes another editor's later write.
type Draft struct {
	Document
	Office     *OfficeContent     // set for offices
	Department *DepartmentContent // set for departments
	OfficeRef  OfficeRef          // departments: their office's current slug and name
}

// Kind says which content the draft holds.
func (d *Draft) Kind() Kind {
	if d.Department != nil {
		return KindDepartment
	}
	return KindOffice
}

// Content is the draft's OfficeContent or DepartmentContent.
func (d *Draft) Content() any {
	if d.Department != nil {
		return d.Department
	}
	return d.Office
}

// GetDraft returns a document (not trashed) with its working draft. An id
// that is not a UUID is ErrNotFound, like an unknown one.
func GetDraft(ctx context.Context, db *gorm.DB, kind Kind, id string) (*Draft, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, ErrNotFound
	}
	return readDraft(db.WithContext(ctx), kind, id)
}

// GetOffice returns an office row and its working draft.
func GetOffice(ctx context.Context, db *gorm.DB, id string) (*Office, *OfficeContent, error) {
	d, err := GetDraft(ctx, db, KindOffice, id)
	if err != nil {
		return nil, nil, err
	}
	return &Office{Document: d.Document}, d.Office, nil
}

// GetDepartment returns a department row and its working draft.
func GetDepartment(ctx context.Context, db *gorm.DB, id string) (*Department, *DepartmentContent, error) {
	d, err := GetDraft(ctx, db, KindDepartment, id)
	if err != nil {
		return nil, nil, err
	}
	return &Department{Document: d.Document, OfficeID: d.Department.OfficeID, Position: d.Department.Position}, d.Department, nil
}

// readDraft reads a document and its draft with db, which may be the
// transaction that just changed them.
func readDraft(db *gorm.DB, kind Kind, id string) (*Draft, error) {
	d := &Draft{}
	if err := notDeleted(db, kind).Where("id = ?", id).Take(&d.Document).Error; err != nil {
		return nil, translateReadError(err)
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	raw, err := draftContent(db, kind, id, d.Version)
	if err != nil {
		return nil, err
	}
	if kind == KindOffice {
		d.Office = &OfficeContent{}
		return d, json.Unmarshal([]byte(raw), d.Office)
	}
	d.Department = &DepartmentContent{}
	if err := json.Unmarshal([]byte(raw), d.Department); err != nil {
		return nil, err
	}
	d.OfficeRef, err = getOfficeRef(db, d.Department.OfficeID)
	return d, err
}

// CreateOffice stores a new office as a draft (revision 1). message, which
// may be empty, says why; it is kept on the revision, not in the document.
func CreateOffice(ctx context.Context, db *gorm.DB, actor Actor, c OfficeContent, message string) (*Draft, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	o := &Office{Document: Document{ID: uuid.NewString(), Version: 1}}
	o.mirror(&c)
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		if err := tx.Create(o).Error; err != nil {
			return nil, translateWriteError(err)
		}
		if err := writeRevision(ctx, tx, actor, KindOffice, o.ID, 1, c, message, "create"); err != nil {
			return nil, err
		}
		return readDraft(tx, KindOffice, o.ID)
	})
}

// CreateDepartment stores a new department as a draft. A zero position puts
// it after the office's other departments.
func CreateDepartment(ctx context.Context, db *gorm.DB, actor Actor, c DepartmentContent, message string) (*Draft, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	d := &Department{Document: Document{ID: uuid.NewString(), Version: 1}}
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		if err := requireOffice(tx, c.OfficeID); err != nil {
			return nil, err
		}
		if c.Position == 0 {
			var last *int
			if err := tx.Model(&Department{}).Where("office_id = ?", c.OfficeID).Select("MAX(position)").Scan(&last).Error; err != nil {
				return nil, err
			}
			c.Position = 1
			if last != nil {
				c.Position = *last + 1
			}
		}
		d.mirror(&c)
		if err := tx.Create(d).Error; err != nil {
			return nil, translateWriteError(err)
		}
		if err := writeRevision(ctx, tx, actor, KindDepartment, d.ID, 1, c, message, "create"); err != nil {
			return nil, err
		}
		return readDraft(tx, KindDepartment, d.ID)
	})
}

// SaveOfficeDraft replaces the draft of an office with c, as revision
// baseVersion+1. baseVersion is the version the editor started from: if the
// draft moved on since, nothing is saved and a *VersionMismatchError says so.
// message (may be empty) is kept on the new revision.
func SaveOfficeDraft(ctx context.Context, db *gorm.DB, actor Actor, id string, baseVersion int, c OfficeContent, message string) (*Draft, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	o := &Office{}
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		return saveDraft(ctx, tx, actor, KindOffice, id, baseVersion, &c, message, o, func() { o.mirror(&c) })
	})
}

// SaveDepartmentDraft is SaveOfficeDraft for a department; changing
// OfficeID moves it to another office.
func SaveDepartmentDraft(ctx context.Context, db *gorm.DB, actor Actor, id string, baseVersion int, c DepartmentContent, message string) (*Draft, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	d := &Department{}
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		if err := requireOffice(tx, c.OfficeID); err != nil {
			return nil, err
		}
		return saveDraft(ctx, tx, actor, KindDepartment, id, baseVersion, &c, message, d, func() { d.mirror(&c) })
	})
}

// saveDraft is the shared body of the two Save*Draft functions. row is the
// typed row to load into; mirror copies the content's indexed fields onto it.
func saveDraft(ctx context.Context, tx *gorm.DB, actor Actor, kind Kind, id string, baseVersion int, content any, message string, row any, mirror func()) (*Draft, error) {
	if err := tx.Where("id = ?", id).Take(row).Error; err != nil {
		return nil, translateReadError(err)
	}
	doc := documentOf(row)
	// Checked before "nothing changed": a stale editor whose body happens
	// to equal the draft must still learn that the draft moved on.
	if doc.Version != baseVersion {
		return nil, &VersionMismatchError{Current: doc.Version}
	}
	current, err := draftContent(tx, kind, id, doc.Version)
	if err != nil {
		return nil, err
	}
	next, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	if string(next) == current {
		return readDraft(tx, kind, id) // nothing changed: no new revision
	}
	mirror()
	doc.Version = baseVersion + 1
	// The version condition makes concurrent saves of the same base version
	// lose cleanly instead of overwriting each other.
	res := tx.Model(row).Where("version = ?", baseVersion).Select("*").Omit("id", "created_at", "deleted_at",
		"published_revision", "published_slug", "published_at").Updates(row)
	if res.Error != nil {
		return nil, translateWriteError(res.Error)
	}
	if res.RowsAffected == 0 {
		var now Document
		if err := tx.Table(kind.Plural()).Select("version").Where("id = ?", id).Take(&now).Error; err != nil {
			return nil, translateReadError(err)
		}
		return nil, &VersionMismatchError{Current: now.Version}
	}
	if err := writeRevision(ctx, tx, actor, kind, id, doc.Version, content, message, "update"); err != nil {
		return nil, err
	}
	return readDraft(tx, kind, id)
}

// inTransaction runs fn in one Write and returns the draft it read before
// commit.
func inTransaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) (*Draft, error)) (*Draft, error) {
	var d *Draft
	err := Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		d, err = fn(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// writeRevision stores content as revision number of a document, with the
// editor's message, and the audit event for it ("office.update" etc.).
func writeRevision(ctx context.Context, tx *gorm.DB, actor Actor, kind Kind, id string, number int, content any, message, verb string) error {
	b, err := json.Marshal(content)
	if err != nil {
		return err
	}
	rev := Revision{EntityType: kind, EntityID: id, Number: number, Content: string(b), Message: message, CreatedAt: Now()}
	if actor.UserID != "" {
		author := actor.UserID
		rev.AuthorID = &author
	}
	if err := tx.Create(&rev).Error; err != nil {
		return translateWriteError(err)
	}
	return RecordAudit(ctx, tx, actor, string(kind)+"."+verb, string(kind), id, map[string]any{"revision": number})
}

func requireOffice(tx *gorm.DB, officeID string) error {
	if _, err := uuid.Parse(officeID); err != nil {
		return Invalid("office_id", "must be the id of an office")
	}
	var n int64
	if err := notDeleted(tx, KindOffice).Where("id = ?", officeID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return Invalid("office_id", "no such office")
	}
	return nil
}

func (o *Office) mirror(c *OfficeContent) {
	o.Slug, o.Name, o.Acronym, o.Summary = c.Slug, c.Name, c.Acronym, c.Summary
}

func (d *Department) mirror(c *DepartmentContent) {
	d.Slug, d.Name, d.Acronym, d.Summary = c.Slug, c.Name, c.Acronym, c.Summary
	d.OfficeID, d.Position = c.OfficeID, c.Position
}

func documentOf(row any) *Document {
	switch r := row.(type) {
	case *Office:
		return &r.Document
	case *Department:
		return &r.Document
	}
	panic(fmt.Sprintf("not a document row: %T", row))
}
