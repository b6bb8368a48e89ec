package backup

import (
	"gorm.io/gorm"

	"bureau/policies"
)

// grantRecord is a grant as the admin API shows it: a user holds a role in
// a scope. The file says what a grant means, not how it is stored, so the
// storage may change without a new format. Today grants are rows of
// casbin_rule with ptype "g" (v0 user, v1 role, v2 scope); the row id is
// kept, since the admin API addresses grants by it.
type grantRecord struct {
	ID     int64  `json:"id"`
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Scope  string `json:"scope"`
}

func (g *grantRecord) normalize() {}

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
	return st.addGrant(g)
}

// casbinRule is the storage row of a grant.
type casbinRule struct {
	ID                     int64
	Ptype                  string
	V0, V1, V2, V3, V4, V5 string
}

func (casbinRule) TableName() string { return "casbin_rule" }

func grants() section {
	return &table[grantRecord, *grantRecord]{
		name: "grant",
		query: func(tx *gorm.DB) *gorm.DB {
			return tx.Table("casbin_rule").Select("id, v0 AS user_id, v1 AS role, v2 AS scope").
				Where("ptype = ?", "g").Order("id")
		},
		insert: func(tx *gorm.DB, rows []grantRecord) error {
			rules := make([]casbinRule, len(rows))
			for i, g := range rows {
				rules[i] = casbinRule{ID: g.ID, Ptype: "g", V0: g.UserID, V1: g.Role, V2: g.Scope}
			}
			return tx.CreateInBatches(rules, batchSize).Error
		},
	}
}
