package backup

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"
)

// auditRecord is one audit event, with its id (the admin API shows it).
type auditRecord struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    *string   `json:"actor_id"`
	ActorEmail string    `json:"actor_email"`
	Action     string    `json:"action"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	ClientIP   string    `json:"client_ip"`
	Detail     string    `json:"detail"` // JSON text, as stored
}

func (auditRecord) TableName() string { return "audit_events" }

func (a *auditRecord) normalize() { a.At = storedTime(a.At) }

func (a *auditRecord) check(st *loadState) error {
	c := checker{kind: "audit event", id: itoa(int(a.ID))}
	c.set("at", a.At)
	// Bureau itself acts with no actor_id (null); any other actor is a
	// user of the file, since users are never deleted.
	if a.ActorID != nil && !st.users[*a.ActorID] {
		c.fail("actor_id %q is not a user of this file", *a.ActorID)
	}
	c.text("actor_email", a.ActorEmail, 254, false)
	c.text("action", a.Action, 64, true)
	c.text("target_type", a.TargetType, 32, false)
	c.text("target_id", a.TargetID, 64, false)
	c.text("client_ip", a.ClientIP, 64, false)
	if a.Detail != "" && !json.Valid([]byte(a.Detail)) {
		c.fail("detail is not JSON")
	}
	if err := c.err(); err != nil {
		return err
	}
	return st.addAuditEvent(a.ID)
}

func auditEvents() section {
	return &table[auditRecord, *auditRecord]{
		name:  "audit_event",
		query: func(tx *gorm.DB) *gorm.DB { return tx.Table("audit_events").Order("id") },
	}
}
