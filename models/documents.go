package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// The editorial life of a document: create, save drafts, publish, withdraw,
// trash. Every change writes, in one transaction, the row, an immutable
// revision (for content changes) and an audit event; publication changes
// also send an event so other instances refresh their public copy.

// CreateOffice stores a new office as a draft (revision 1). message, which
// may be empty, says why; it is kept on the revision, not in the document.
func CreateOffice(ctx context.Context, db *gorm.DB, actor Actor, c OfficeContent, message string) (*Office, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	o := &Office{Document: Document{ID: uuid.NewString(), Version: 1}}
	o.mirror(&c)
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(o).Error; err != nil {
			return translateWriteError(err)
		}
		return writeRevision(ctx, tx, actor, KindOffice, o.ID, 1, c, message, "create")
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// CreateDepartment stores a new department as a draft. A zero position puts
// it after the office's other departments.
func CreateDepartment(ctx context.Context, db *gorm.DB, actor Actor, c DepartmentContent, message string) (*Department, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	d := &Department{Document: Document{ID: uuid.NewString(), Version: 1}}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := requireOffice(tx, c.OfficeID); err != nil {
			return err
		}
		if c.Position == 0 {
			var last *int
			if err := tx.Model(&Department{}).Where("office_id = ?", c.OfficeID).Select("MAX(position)").Scan(&last).Error; err != nil {
				return err
			}
			c.Position = 1
			if last != nil {
				c.Position = *last + 1
			}
		}
		d.mirror(&c)
		if err := tx.Create(d).Error; err != nil {
			return translateWriteError(err)
		}
		return writeRevision(ctx, tx, actor, KindDepartment, d.ID, 1, c, message, "create")
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// SaveOfficeDraft replaces the draft of an office with c, as revision
// baseVersion+1. baseVersion is the version the editor started from: if the
// draft moved on since, nothing is saved and a *VersionMismatchError says so.
// message (may be empty) is kept on the new revision.
func SaveOfficeDraft(ctx context.Context, db *gorm.DB, actor Actor, id string, baseVersion int, c OfficeContent, message string) (*Office, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	o := &Office{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return saveDraft(ctx, tx, actor, KindOffice, id, baseVersion, &c, message, o, func() { o.mirror(&c) })
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// SaveDepartmentDraft is SaveOfficeDraft for a department; changing
// OfficeID moves it to another office.
func SaveDepartmentDraft(ctx context.Context, db *gorm.DB, actor Actor, id string, baseVersion int, c DepartmentContent, message string) (*Department, error) {
	if err := normalizeChange(&c, &message); err != nil {
		return nil, err
	}
	d := &Department{}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := requireOffice(tx, c.OfficeID); err != nil {
			return err
		}
		return saveDraft(ctx, tx, actor, KindDepartment, id, baseVersion, &c, message, d, func() { d.mirror(&c) })
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// saveDraft is the shared body of the two Save*Draft functions. row is the
// typed row to load into; mirror copies the content's indexed fields onto it.
func saveDraft(ctx context.Context, tx *gorm.DB, actor Actor, kind Kind, id string, baseVersion int, content any, message string, row any, mirror func()) error {
	if err := tx.Where("id = ?", id).Take(row).Error; err != nil {
		return translateReadError(err)
	}
	doc := documentOf(row)
	if doc.Version != baseVersion {
		return &VersionMismatchError{Current: doc.Version}
	}
	current, err := draftContent(tx, kind, id, doc.Version)
	if err != nil {
		return err
	}
	next, err := json.Marshal(content)
	if err != nil {
		return err
	}
	if string(next) == current {
		return nil // nothing changed: no new revision
	}
	oldSlug := doc.Slug
	mirror()
	doc.Version = baseVersion + 1
	// The version condition makes concurrent saves of the same base version
	// lose cleanly instead of overwriting each other.
	res := tx.Model(row).Where("version = ?", baseVersion).Select("*").Omit("id", "created_at", "deleted_at",
		"published_revision", "published_slug", "published_at").Updates(row)
	if res.Error != nil {
		return translateWriteError(res.Error)
	}
	if res.RowsAffected == 0 {
		var now Document
		if err := tx.Table(kind.Plural()).Select("version").Where("id = ?", id).Take(&now).Error; err != nil {
			return translateReadError(err)
		}
		return &VersionMismatchError{Current: now.Version}
	}
	if doc.Slug != oldSlug {
		if err := moveGrants(ctx, tx, string(kind)+":"+oldSlug, string(kind)+":"+doc.Slug); err != nil {
			return err
		}
	}
	return writeRevision(ctx, tx, actor, kind, id, doc.Version, content, message, "update")
}

// moveGrants makes the grants on a renamed document's old scope apply to
// its new one, so rights follow the document, not the name: the old name
// is free for another document, with no rights attached.
func moveGrants(ctx context.Context, tx *gorm.DB, from, to string) error {
	type grantRow struct {
		ID     int64
		V0, V1 string
	}
	var rows []grantRow
	if err := tx.WithContext(ctx).Table("casbin_rule").Select("id, v0, v1").Where("ptype = 'g' AND v2 = ?", from).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		var dup int64
		q := tx.WithContext(ctx).Table("casbin_rule")
		if err := q.Where("ptype = 'g' AND v0 = ? AND v1 = ? AND v2 = ?", r.V0, r.V1, to).Count(&dup).Error; err != nil {
			return err
		}
		if dup > 0 {
			err := tx.WithContext(ctx).Exec("DELETE FROM casbin_rule WHERE id = ?", r.ID).Error
			if err != nil {
				return err
			}
			continue
		}
		if err := tx.WithContext(ctx).Exec("UPDATE casbin_rule SET v2 = ? WHERE id = ?", to, r.ID).Error; err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return Notify(ctx, tx, EventGrants)
}

// Publish makes the current draft of a document public. expectVersion, when
// not zero, is the version the editor reviewed: publishing fails with a
// *VersionMismatchError if the draft changed since.
func Publish(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) (*Document, error) {
	var doc Document
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := notDeleted(tx, kind).Where("id = ?", id).Take(&doc).Error; err != nil {
			return translateReadError(err)
		}
		if expectVersion != 0 && doc.Version != expectVersion {
			return &VersionMismatchError{Current: doc.Version}
		}
		if doc.PublishedRevision != nil && *doc.PublishedRevision == doc.Version {
			return nil // already public
		}
		now := Now()
		version, slug := doc.Version, doc.Slug
		res := tx.Table(kind.Plural()).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"published_revision": version,
			"published_slug":     slug,
			"published_at":       now,
		})
		if res.Error != nil {
			return translateWriteError(res.Error)
		}
		if res.RowsAffected == 0 {
			return &VersionMismatchError{Current: doc.Version}
		}
		doc.PublishedRevision, doc.PublishedSlug, doc.PublishedAt = &version, &slug, &now
		if err := RecordAudit(ctx, tx, actor, string(kind)+".publish", string(kind), id, map[string]any{"revision": version}); err != nil {
			return err
		}
		return Notify(ctx, tx, ContentEvent(kind, id))
	})
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// Unpublish withdraws a document from the public API; its drafts and
// revisions stay. expectVersion, when not zero, is the version the editor
// saw (see Publish).
func Unpublish(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) (*Document, error) {
	var doc Document
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := notDeleted(tx, kind).Where("id = ?", id).Take(&doc).Error; err != nil {
			return translateReadError(err)
		}
		if expectVersion != 0 && doc.Version != expectVersion {
			return &VersionMismatchError{Current: doc.Version}
		}
		if doc.PublishedRevision == nil {
			return nil
		}
		err := tx.Table(kind.Plural()).Where("id = ?", id).Updates(map[string]any{
			"published_revision": nil, "published_slug": nil, "published_at": nil,
		}).Error
		if err != nil {
			return err
		}
		doc.PublishedRevision, doc.PublishedSlug, doc.PublishedAt = nil, nil, nil
		if err := RecordAudit(ctx, tx, actor, string(kind)+".unpublish", string(kind), id, nil); err != nil {
			return err
		}
		return Notify(ctx, tx, ContentEvent(kind, id))
	})
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// Trash moves a document to the trash: it disappears from the public API and
// from admin lists, but keeps its revisions and can be restored. An office
// that still has departments cannot be trashed, so nothing vanishes unseen.
// expectVersion, when not zero, is the version the editor saw.
func Trash(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := rowFor(kind)
		if err := tx.Where("id = ?", id).Take(row).Error; err != nil {
			return translateReadError(err)
		}
		if v := documentOf(row).Version; expectVersion != 0 && v != expectVersion {
			return &VersionMismatchError{Current: v}
		}
		if kind == KindOffice {
			var n int64
			if err := tx.Model(&Department{}).Where("office_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return &ConflictError{Field: "departments", Message: fmt.Sprintf("the office still has %d departments: move or delete them first", n)}
			}
		}
		if err := tx.Delete(row).Error; err != nil {
			return err
		}
		if err := RecordAudit(ctx, tx, actor, string(kind)+".delete", string(kind), id, nil); err != nil {
			return err
		}
		return Notify(ctx, tx, ContentEvent(kind, id))
	})
}

// RestoreFromTrash brings a trashed document back as it was, published or not.
func RestoreFromTrash(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var doc Document
		// Unscoped: Document's DeletedAt would otherwise add "deleted_at IS
		// NULL" and no trashed row could ever be found.
		if err := tx.Unscoped().Table(kind.Plural()).Where("id = ? AND deleted_at IS NOT NULL", id).Take(&doc).Error; err != nil {
			return translateReadError(err)
		}
		if kind == KindDepartment {
			var officeID string
			if err := tx.Table("departments").Select("office_id").Where("id = ?", id).Scan(&officeID).Error; err != nil {
				return err
			}
			if err := requireOffice(tx, officeID); err != nil {
				return &ConflictError{Field: "office_id", Message: "the department's office is in the trash: restore it first"}
			}
		}
		if err := tx.Unscoped().Table(kind.Plural()).Where("id = ?", id).Update("deleted_at", nil).Error; err != nil {
			return err
		}
		if err := RecordAudit(ctx, tx, actor, string(kind)+".restore", string(kind), id, nil); err != nil {
			return err
		}
		return Notify(ctx, tx, ContentEvent(kind, id))
	})
}

// GetOffice returns an office row and its working draft.
func GetOffice(ctx context.Context, db *gorm.DB, id string) (*Office, *OfficeContent, error) {
	o := &Office{}
	c := &OfficeContent{}
	if err := getDraft(ctx, db, KindOffice, id, o, c); err != nil {
		return nil, nil, err
	}
	return o, c, nil
}

// GetDepartment returns a department row and its working draft.
func GetDepartment(ctx context.Context, db *gorm.DB, id string) (*Department, *DepartmentContent, error) {
	d := &Department{}
	c := &DepartmentContent{}
	if err := getDraft(ctx, db, KindDepartment, id, d, c); err != nil {
		return nil, nil, err
	}
	return d, c, nil
}

func getDraft(ctx context.Context, db *gorm.DB, kind Kind, id string, row, content any) error {
	db = db.WithContext(ctx)
	if _, err := uuid.Parse(id); err != nil {
		return ErrNotFound
	}
	if err := db.Where("id = ?", id).Take(row).Error; err != nil {
		return translateReadError(err)
	}
	raw, err := draftContent(db, kind, id, documentOf(row).Version)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), content)
}

// RevisionInfo is a revision as a history lists it: no content, and its
// author by the name they have today ("" for Bureau itself).
type RevisionInfo struct {
	Number     int
	AuthorID   *string
	AuthorName string
	Message    string
	CreatedAt  time.Time
}

// authorNameSQL is the author's display name, or their email when they have
// none; "" when no user saved the revision.
const authorNameSQL = "COALESCE(NULLIF(users.display_name, ''), users.email, '')"

// ListRevisions returns a page of a document's history, newest first, and
// how many revisions it has. One query for the page, joined to the authors.
func ListRevisions(ctx context.Context, db *gorm.DB, kind Kind, id string, limit, offset int) ([]RevisionInfo, int64, error) {
	q := db.WithContext(ctx).Table("revisions").Where("revisions.entity_type = ? AND revisions.entity_id = ?", kind, id)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []RevisionInfo
	err := q.Select("revisions.number, revisions.author_id, revisions.message, revisions.created_at, " + authorNameSQL + " AS author_name").
		Joins("LEFT JOIN users ON users.id = revisions.author_id").
		Order("revisions.number DESC").Limit(limit).Offset(offset).Scan(&out).Error
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, total, err
}

// AuthorName is the name a revision's author goes by today: display name,
// else email; "" for Bureau itself (no author) or an unknown id.
func AuthorName(ctx context.Context, db *gorm.DB, authorID *string) (string, error) {
	if authorID == nil {
		return "", nil
	}
	var name string
	err := db.WithContext(ctx).Table("users").Select(authorNameSQL+" AS name").Where("users.id = ?", *authorID).Scan(&name).Error
	return name, err
}

func draftContent(db *gorm.DB, kind Kind, id string, number int) (string, error) {
	var rev Revision
	err := db.Select("content").Where("entity_type = ? AND entity_id = ? AND number = ?", kind, id, number).Take(&rev).Error
	if err != nil {
		return "", translateReadError(err)
	}
	return rev.Content, nil
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

func translateReadError(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// translateWriteError turns a unique-constraint failure into a conflict on
// the slug, the only user-chosen unique field of documents.
func translateWriteError(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &ConflictError{Field: "slug", Message: "is already used by another item"}
	}
	return err
}

// GetRevision returns one revision of a document.
func GetRevision(ctx context.Context, db *gorm.DB, kind Kind, id string, number int) (*Revision, error) {
	rev := &Revision{}
	err := db.WithContext(ctx).Where("entity_type = ? AND entity_id = ? AND number = ?", kind, id, number).Take(rev).Error
	if err != nil {
		return nil, translateReadError(err)
	}
	return rev, nil
}

// OfficeSlug returns the current slug of an office, trashed or not; the
// scope of a department's grants runs through it.
func OfficeSlug(ctx context.Context, db *gorm.DB, officeID string) (string, error) {
	var slug string
	err := db.WithContext(ctx).Table("offices").Select("slug").Where("id = ?", officeID).Scan(&slug).Error
	if err == nil && slug == "" {
		err = ErrNotFound
	}
	return slug, err
}

// OfficeRef is how a department shows its office: the office's current
// (draft) slug and name.
type OfficeRef struct {
	Slug string
	Name string
}

// GetOfficeRef returns the slug and name of an office, trashed or not.
func GetOfficeRef(ctx context.Context, db *gorm.DB, officeID string) (OfficeRef, error) {
	var ref OfficeRef
	err := db.WithContext(ctx).Table("offices").Select("slug, name").Where("id = ?", officeID).Scan(&ref).Error
	if err == nil && ref.Slug == "" {
		err = ErrNotFound
	}
	return ref, err
}

// DocumentFilter selects documents for the admin lists.
type DocumentFilter struct {
	Q               string
	Status          string   // "", StatusDraft, StatusPublished or StatusChanged
	OfficeID        string   // departments only
	AllScopes       bool     // the user may see everything
	OfficeSlugs     []string // otherwise: offices (and their departments) in scope
	DepartmentSlugs []string // and departments in scope
	Limit           int
	Offset          int
}

// ListOffices returns the rows of offices (drafts included) matching f.
func ListOffices(ctx context.Context, db *gorm.DB, f DocumentFilter) ([]Office, int64, error) {
	q := db.WithContext(ctx).Model(&Office{})
	q = filterDocuments(q, "offices", f)
	if !f.AllScopes {
		q = q.Where("offices.slug IN ?", nonEmpty(f.OfficeSlugs))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Office
	err := q.Order("offices.name, offices.slug").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error
	return rows, total, err
}

// DepartmentItem is a department row of an admin list, with its office's
// current slug and name (from the same query: the list joins offices).
type DepartmentItem struct {
	Department
	OfficeSlug string
	OfficeName string
}

// ListDepartments returns the rows of departments (drafts included)
// matching f, in their offices' order.
func ListDepartments(ctx context.Context, db *gorm.DB, f DocumentFilter) ([]DepartmentItem, int64, error) {
	q := db.WithContext(ctx).Model(&Department{}).Joins("JOIN offices ON offices.id = departments.office_id")
	q = filterDocuments(q, "departments", f)
	if f.OfficeID != "" {
		q = q.Where("departments.office_id = ?", f.OfficeID)
	}
	if !f.AllScopes {
		q = q.Where("offices.slug IN ? OR departments.slug IN ?", nonEmpty(f.OfficeSlugs), nonEmpty(f.DepartmentSlugs))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []DepartmentItem
	err := q.Select("departments.*, offices.slug AS office_slug, offices.name AS office_name").
		Order("offices.name, departments.position, departments.name").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error
	return rows, total, err
}

func filterDocuments(q *gorm.DB, table string, f DocumentFilter) *gorm.DB {
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.Where("LOWER("+table+".name) LIKE ? ESCAPE '\\' OR LOWER("+table+".acronym) LIKE ? ESCAPE '\\' OR "+table+".slug LIKE ? ESCAPE '\\'", like, like, like)
	}
	switch f.Status {
	case StatusDraft:
		q = q.Where(table + ".published_revision IS NULL")
	case StatusPublished:
		q = q.Where(table + ".published_revision = " + table + ".version")
	case StatusChanged:
		q = q.Where(table + ".published_revision IS NOT NULL AND " + table + ".published_revision <> " + table + ".version")
	}
	return q
}

// nonEmpty keeps "IN ?" valid SQL for an empty list: no real slug is "".
func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return []string{""}
	}
	return s
}

// TrashedDocument is an item in the trash.
type TrashedDocument struct {
	Kind      Kind
	ID        string
	Slug      string
	Name      string
	OfficeID  string // departments only
	DeletedAt time.Time
}

// ListTrash returns trashed offices and departments, newest first.
func ListTrash(ctx context.Context, db *gorm.DB) ([]TrashedDocument, error) {
	var out []TrashedDocument
	for _, kind := range []Kind{KindOffice, KindDepartment} {
		docs, err := trashed(ctx, db, kind, "")
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	slices.SortFunc(out, func(a, b TrashedDocument) int { return b.DeletedAt.Compare(a.DeletedAt) })
	return out, nil
}

// GetTrashed returns one trashed document.
func GetTrashed(ctx context.Context, db *gorm.DB, kind Kind, id string) (*TrashedDocument, error) {
	docs, err := trashed(ctx, db, kind, id)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, ErrNotFound
	}
	return &docs[0], nil
}

// trashed reads the trashed documents of one kind, or only id when given.
func trashed(ctx context.Context, db *gorm.DB, kind Kind, id string) ([]TrashedDocument, error) {
	cols := "id, slug, name, deleted_at, '' AS office_id"
	if kind == KindDepartment {
		cols = "id, slug, name, deleted_at, office_id"
	}
	q := db.WithContext(ctx).Table(kind.Plural()).Select(cols).Where("deleted_at IS NOT NULL")
	if id != "" {
		q = q.Where("id = ?", id)
	}
	var rows []struct {
		ID, Slug, Name, OfficeID string
		DeletedAt                time.Time
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]TrashedDocument, len(rows))
	for i, r := range rows {
		out[i] = TrashedDocument{Kind: kind, ID: r.ID, Slug: r.Slug, Name: r.Name, OfficeID: r.OfficeID, DeletedAt: r.DeletedAt.UTC()}
	}
	return out, nil
}

// DepartmentDrafts returns the working drafts of an office's departments,
// in position order: what its preview shows.
func DepartmentDrafts(ctx context.Context, db *gorm.DB, officeID string) ([]Department, []DepartmentContent, error) {
	var rows []Department
	if err := db.WithContext(ctx).Where("office_id = ?", officeID).Order("position, name").Find(&rows).Error; err != nil {
		return nil, nil, err
	}
	contents := make([]DepartmentContent, len(rows))
	for i, r := range rows {
		raw, err := draftContent(db.WithContext(ctx), KindDepartment, r.ID, r.Version)
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(raw), &contents[i]); err != nil {
			return nil, nil, err
		}
	}
	return rows, contents, nil
}
