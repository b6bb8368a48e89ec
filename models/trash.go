package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The trash: a trashed document disappears from the public API and from
// admin lists, but keeps its revisions and can be brought back as it was.

// Trash moves a document to the trash. An office that still has departments
// cannot be trashed, so nothing vanishes unseen. expectVersion, when not
// zero, is the version the editor saw.
func Trash(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) error {
	return Write(ctx, db, func(tx *gorm.DB) error {
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
		return Changed(tx, ContentEvent(kind, id))
	})
}

// RestoreFromTrash brings a trashed document back as it was, published or
// not, and returns it as restored.
func RestoreFromTrash(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string) (*Draft, error) {
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		var doc Document
		// Unscoped: Document's DeletedAt would otherwise add "deleted_at IS
		// NULL" and no trashed row could ever be found.
		if err := tx.Unscoped().Table(kind.Plural()).Where("id = ? AND deleted_at IS NOT NULL", id).Take(&doc).Error; err != nil {
			return nil, translateReadError(err)
		}
		if kind == KindDepartment {
			var officeID string
			if err := tx.Table("departments").Select("office_id").Where("id = ?", id).Scan(&officeID).Error; err != nil {
				return nil, err
			}
			if err := requireOffice(tx, officeID); err != nil {
				return nil, &ConflictError{Field: "office_id", Message: "the department's office is in the trash: restore it first"}
			}
		}
		if err := tx.Unscoped().Table(kind.Plural()).Where("id = ?", id).Update("deleted_at", nil).Error; err != nil {
			return nil, err
		}
		if err := RecordAudit(ctx, tx, actor, string(kind)+".restore", string(kind), id, nil); err != nil {
			return nil, err
		}
		if err := Changed(tx, ContentEvent(kind, id)); err != nil {
			return nil, err
		}
		return readDraft(tx, kind, id)
	})
}

// TrashedDocument is an item in the trash.
type TrashedDocument struct {
	Kind       Kind
	ID         string
	Slug       string
	Name       string
	OfficeID   string // departments only
	OfficeSlug string // departments: their office's current slug, "" if it is gone
	DeletedAt  time.Time
}

// InScopes says which documents a user's grants reach: all of them, or
// offices (with their departments) and departments, by id.
type InScopes struct {
	All           bool
	OfficeIDs     []string
	DepartmentIDs []string
}

// TrashFilter selects a page of the trash.
type TrashFilter struct {
	Offices     InScopes // where trashed offices may be listed
	Departments InScopes // where trashed departments may be listed
	Limit       int
	Offset      int
}

// ListTrash returns a page of trashed offices and departments within the
// filter's scopes, newest first, and how many there are. Scopes, order and
// page are all applied in the database: one query for the page, one count.
func ListTrash(ctx context.Context, db *gorm.DB, f TrashFilter) ([]TrashedDocument, int64, error) {
	db = db.WithContext(ctx)
	all := func() *gorm.DB {
		return db.Raw("? UNION ALL ?", trashedOffices(db, f.Offices), trashedDepartments(db, f.Departments))
	}
	var total int64
	if err := db.Raw("SELECT COUNT(*) FROM (?) AS trash", all()).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []TrashedDocument
	err := db.Raw("SELECT * FROM (?) AS trash ORDER BY deleted_at DESC, kind, id LIMIT ? OFFSET ?", all(), f.Limit, f.Offset).
		Scan(&rows).Error
	for i := range rows {
		rows[i].DeletedAt = rows[i].DeletedAt.UTC()
	}
	return rows, total, err
}

func trashedOffices(db *gorm.DB, in InScopes) *gorm.DB {
	q := db.Table("offices").Where("offices.deleted_at IS NOT NULL").
		Select("'office' AS kind, offices.id, offices.slug, offices.name, '' AS office_id, '' AS office_slug, offices.deleted_at")
	if !in.All {
		q = q.Where("offices.id IN ?", nonEmpty(in.OfficeIDs))
	}
	return q
}

func trashedDepartments(db *gorm.DB, in InScopes) *gorm.DB {
	// The office may itself be trashed: its row still names it.
	q := db.Table("departments").Joins("LEFT JOIN offices ON offices.id = departments.office_id").
		Where("departments.deleted_at IS NOT NULL").
		Select("'department' AS kind, departments.id, departments.slug, departments.name, departments.office_id, " +
			"COALESCE(offices.slug, '') AS office_slug, departments.deleted_at")
	if !in.All {
		q = q.Where("departments.id IN ? OR departments.office_id IN ?", nonEmpty(in.DepartmentIDs), nonEmpty(in.OfficeIDs))
	}
	return q
}

// GetTrashed returns one trashed document.
func GetTrashed(ctx context.Context, db *gorm.DB, kind Kind, id string) (*TrashedDocument, error) {
	q := trashedOffices(db.WithContext(ctx), InScopes{All: true})
	if kind == KindDepartment {
		q = trashedDepartments(db.WithContext(ctx), InScopes{All: true})
	}
	var rows []TrashedDocument
	if err := q.Where(kind.Plural()+".id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	rows[0].DeletedAt = rows[0].DeletedAt.UTC()
	return &rows[0], nil
}
