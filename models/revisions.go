package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Revisions: every save's immutable snapshot of a document, numbered 1, 2,
// ... per document; the highest is the working draft.

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
// how many revisions it has. One query for the page, joined to the authors,
// without the revisions' content.
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

// GetRevision returns one revision of a document.
func GetRevision(ctx context.Context, db *gorm.DB, kind Kind, id string, number int) (*Revision, error) {
	rev := &Revision{}
	err := db.WithContext(ctx).Where("entity_type = ? AND entity_id = ? AND number = ?", kind, id, number).Take(rev).Error
	if err != nil {
		return nil, translateReadError(err)
	}
	return rev, nil
}

// draftContent is the stored JSON of one revision.
func draftContent(db *gorm.DB, kind Kind, id string, number int) (string, error) {
	var rev Revision
	err := db.Select("content").Where("entity_type = ? AND entity_id = ? AND number = ?", kind, id, number).Take(&rev).Error
	if err != nil {
		return "", translateReadError(err)
	}
	return rev.Content, nil
}
