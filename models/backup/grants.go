package backup

import (
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/policies"
)

// grantRecord is a grant as the admin API shows it: a user holds a role in
// a scope, "*", "office:{slug}" or "department:{slug}". The file says what
// a grant means, not how it is stored: the grants table names documents
// by id, and the import finds each document by its slug among the
// documents of the file. The id is kept, since the admin API addresses
// grants by it.
type grantRecord struct {
	ID        int64     `json:"id"`
	UserID    string    `json:"user_id"`
	Role      string    `json:"role"`
	Scope     string    `json:"scope"`
	CreatedAt time.Time `json:"created_at"`

	kind, documentID string // resolved by check
}

func (g *grantRecord) normalize() { g.CreatedAt = storedTime(g.CreatedAt) }

// check also finds the document the scope names. A grant on a slug that no
// document of the file has (files of Bureau before grants named documents
// by id may hold such) is dropped, as the grants migration drops it: it
// grants nothing.
func (g *grantRecord) check(st *loadState) error {
	c := checker{kind: "grant", id: itoa(int(g.ID))}
	if !policies.IsRole(g.Role) {
		c.fail("role %q is not one of admin, editor, author, viewer", g.Role)
	}
	if err := policies.ValidateScope(g.Scope); err != nil {
		c.fail("%v", err)
	}
	if g.Role == policies.RoleAdmin && g.Scope != policies.ScopeAll {
		c.fail(`the admin role is granted in scope "*" only`)
	}
	if err := c.err(); err != nil {
		return err
	}
	if g.CreatedAt.IsZero() { // a file from before grants kept the time
		g.CreatedAt = models.Now()
	}
	return st.addGrant(g)
}

func (g grantRecord) row() models.GrantRow {
	return models.GrantRow{ID: g.ID, UserID: g.UserID, Role: g.Role, Kind: g.kind, DocumentID: g.documentID, CreatedAt: g.CreatedAt}
}

// grantKind is the kind of grant records.
const grantKind = "grant"

func grants() section {
	return &table[grantRecord, *grantRecord]{
		name: grantKind,
		query: func(tx *gorm.DB) *gorm.DB {
			return tx.Table("grants g").
				Select("g.id, g.user_id, g.role, CASE g.kind WHEN ? THEN '*' ELSE g.kind || ':' || COALESCE(o.slug, d.slug) END AS scope, g.created_at", models.GrantKindAll).
				Joins("LEFT JOIN offices o ON g.kind = 'office' AND o.id = g.document_id").
				Joins("LEFT JOIN departments d ON g.kind = 'department' AND d.id = g.document_id").
				Where("g.kind = ? OR o.id IS NOT NULL OR d.id IS NOT NULL", models.GrantKindAll).
				Order("g.id")
		},
		insert: func(tx *gorm.DB, rows []grantRecord) error {
			stored := make([]models.GrantRow, 0, len(rows))
			for _, g := range rows {
				if g.kind != "" {
					stored = append(stored, g.row())
				}
			}
			if len(stored) == 0 {
				return nil
			}
			return tx.CreateInBatches(stored, batchSize).Error
		},
	}
}
