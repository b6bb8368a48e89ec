package models

import (
	"context"

	"gorm.io/gorm"
)

// Publishing points the public document at a revision; withdrawing clears
// the pointer. Both send an event so other instances refresh their public
// copy, and answer with the state their transaction created.

// Publish makes the current draft of a document public. expectVersion, when
// not zero, is the version the editor reviewed: publishing fails with a
// *VersionMismatchError if the draft changed since.
func Publish(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) (*Draft, error) {
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		doc, err := currentDocument(tx, kind, id, expectVersion)
		if err != nil {
			return nil, err
		}
		if doc.PublishedRevision != nil && *doc.PublishedRevision == doc.Version {
			return readDraft(tx, kind, id) // already public
		}
		version := doc.Version
		res := tx.Table(kind.Plural()).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"published_revision": version,
			"published_slug":     doc.Slug,
			"published_at":       Now(),
		})
		if res.Error != nil {
			return nil, translateWriteError(res.Error)
		}
		if res.RowsAffected == 0 {
			return nil, &VersionMismatchError{Current: doc.Version}
		}
		if err := RecordAudit(ctx, tx, actor, string(kind)+".publish", string(kind), id, map[string]any{"revision": version}); err != nil {
			return nil, err
		}
		if err := Changed(tx, ContentEvent(kind, id)); err != nil {
			return nil, err
		}
		return readDraft(tx, kind, id)
	})
}

// Unpublish withdraws a document from the public API; its drafts and
// revisions stay. expectVersion, when not zero, is the version the editor
// saw (see Publish).
func Unpublish(ctx context.Context, db *gorm.DB, actor Actor, kind Kind, id string, expectVersion int) (*Draft, error) {
	return inTransaction(ctx, db, func(tx *gorm.DB) (*Draft, error) {
		doc, err := currentDocument(tx, kind, id, expectVersion)
		if err != nil {
			return nil, err
		}
		if doc.PublishedRevision == nil {
			return readDraft(tx, kind, id)
		}
		res := tx.Table(kind.Plural()).Where("id = ? AND version = ?", id, doc.Version).Updates(map[string]any{
			"published_revision": nil, "published_slug": nil, "published_at": nil,
		})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 0 {
			return nil, &VersionMismatchError{Current: doc.Version}
		}
		if err := RecordAudit(ctx, tx, actor, string(kind)+".unpublish", string(kind), id, nil); err != nil {
			return nil, err
		}
		if err := Changed(tx, ContentEvent(kind, id)); err != nil {
			return nil, err
		}
		return readDraft(tx, kind, id)
	})
}

// currentDocument reads a document that is not in the trash and checks it
// is still at expectVersion (when not zero).
func currentDocument(tx *gorm.DB, kind Kind, id string, expectVersion int) (*Document, error) {
	var doc Document
	if err := notDeleted(tx, kind).Where("id = ?", id).Take(&doc).Error; err != nil {
		return nil, translateReadError(err)
	}
	if expectVersion != 0 && doc.Version != expectVersion {
		return nil, &VersionMismatchError{Current: doc.Version}
	}
	return &doc, nil
}
