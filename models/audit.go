package models

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// Actor is who causes a change: a signed-in user (UserID), or the system
// itself (empty UserID: the CLI, the demo loader).
type Actor struct {
	UserID   string
	Email    string
	ClientIP string
}

// System is the actor for changes made by Bureau itself.
var System = Actor{}

// AuditEvent records who did what to which target, when and from where.
// Detail is JSON and never holds a secret, a hash or a token.
type AuditEvent struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	At         time.Time `gorm:"index" json:"at"`
	ActorID    *string   `gorm:"size:36;index" json:"actor_id"`
	ActorEmail string    `gorm:"size:254" json:"actor_email"`
	Action     string    `gorm:"size:64;index" json:"action"`
	TargetType string    `gorm:"size:32;index:idx_audit_target,priority:1" json:"target_type"`
	TargetID   string    `gorm:"size:64;index:idx_audit_target,priority:2" json:"target_id"`
	ClientIP   string    `gorm:"size:64" json:"client_ip"`
	Detail     string    `json:"-"`
}

// DetailMap decodes Detail for display.
func (e *AuditEvent) DetailMap() map[string]any {
	if e.Detail == "" {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Detail), &m); err != nil {
		return map[string]any{}
	}
	return m
}

// RecordAudit writes an audit event with tx, so it commits or rolls back with
// the change it describes.
func RecordAudit(ctx context.Context, tx *gorm.DB, actor Actor, action, targetType, targetID string, detail map[string]any) error {
	ev := AuditEvent{
		At:         Now(),
		ActorEmail: actor.Email,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		ClientIP:   actor.ClientIP,
	}
	if actor.UserID != "" {
		id := actor.UserID
		ev.ActorID = &id
	}
	if len(detail) > 0 {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		ev.Detail = string(b)
	}
	return tx.WithContext(ctx).Create(&ev).Error
}

// AuditFilter selects audit events; empty fields match everything.
type AuditFilter struct {
	ActorID    string
	Action     string
	TargetType string
	TargetID   string
	Since      *time.Time
	Until      *time.Time
	Limit      int
	Offset     int
}

// ListAudit returns matching events, newest first, and how many match.
func ListAudit(ctx context.Context, db *gorm.DB, f AuditFilter) ([]AuditEvent, int64, error) {
	q := db.WithContext(ctx).Model(&AuditEvent{})
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if f.Since != nil {
		q = q.Where("at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("at < ?", *f.Until)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var events []AuditEvent
	err := q.Order("at DESC, id DESC").Limit(f.Limit).Offset(f.Offset).Find(&events).Error
	return events, total, err
}
