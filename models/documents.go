package models

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"gorm.io/gorm"
)

// Reading documents for the admin: lists with filters, a department's
// office, the drafts an office preview shows. Writes live in drafts.go,
// publish.go and trash.go.

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
	return getOfficeRef(db.WithContext(ctx), officeID)
}

func getOfficeRef(db *gorm.DB, officeID string) (OfficeRef, error) {
	var ref OfficeRef
	err := db.Table("offices").Select("slug, name").Where("id = ?", officeID).Scan(&ref).Error
	if err == nil && ref.Slug == "" {
		err = ErrNotFound
	}
	return ref, err
}

// DocumentFilter selects documents for the admin lists.
type DocumentFilter struct {
	Q             string
	Status        string   // "", StatusDraft, StatusPublished or StatusChanged
	OfficeID      string   // departments only
	AllScopes     bool     // the user may see everything
	OfficeIDs     []string // otherwise: offices (and their departments) in scope
	DepartmentIDs []string // and departments in scope
	Limit         int
	Offset        int
}

// ListOffices returns the rows of offices (drafts included) matching f.
func ListOffices(ctx context.Context, db *gorm.DB, f DocumentFilter) ([]Office, int64, error) {
	q := db.WithContext(ctx).Model(&Office{})
	q = filterDocuments(q, "offices", f)
	if !f.AllScopes {
		q = q.Where("offices.id IN ?", nonEmpty(f.OfficeIDs))
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
		q = q.Where("offices.id IN ? OR departments.id IN ?", nonEmpty(f.OfficeIDs), nonEmpty(f.DepartmentIDs))
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
