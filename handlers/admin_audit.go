package handlers

import (
	"time"

	"github.com/gin-gonic/gin"

	"bureau/models"
)

type auditView struct {
	models.AuditEvent
	Detail map[string]any `json:"detail"`
}

// listAudit shows audit events, newest first, filtered by actor, action,
// target and time.
func (s *Server) listAudit(c *gin.Context) error {
	values, err := adminQuery(c, "actor_id", "action", "target_type", "target_id", "since", "until")
	if err != nil {
		return err
	}
	limit, offset, err := pagination(values)
	if err != nil {
		return err
	}
	f := models.AuditFilter{
		ActorID: values.Get("actor_id"), Action: values.Get("action"),
		TargetType: values.Get("target_type"), TargetID: values.Get("target_id"),
		Limit: limit, Offset: offset,
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := values.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return invalidField(p.name, "must be an RFC 3339 time such as 2026-11-28T12:00:00Z")
			}
			*p.dst = &t
		}
	}
	events, total, err := models.ListAudit(c.Request.Context(), s.db, f)
	if err != nil {
		return err
	}
	views := make([]auditView, len(events))
	for i, e := range events {
		views[i] = auditView{AuditEvent: e, Detail: e.DetailMap()}
	}
	writeList(c, views, total, limit, offset)
	return nil
}
