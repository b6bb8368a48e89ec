package models

import (
	"context"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The schema is this one ordered list. A migration, once released, never
// changes: add a new one. Each declares the tables as they were at its time
// (the structs below), so later edits to the model types cannot rewrite
// history. The same list runs on SQLite and PostgreSQL.
var migrations = []*gormigrate.Migration{
	{
		ID: "202611280001_content",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&m1Office{}, &m1Department{}, &m1Revision{}, &m1AuditEvent{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("audit_events", "revisions", "departments", "offices")
		},
	},
	{
		ID: "202611280002_accounts",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&m2User{}, &m2RefreshToken{}, &m2CasbinRule{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("casbin_rule", "refresh_tokens", "users")
		},
	},
	{
		ID: "202611290003_events",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&m3Event{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("events")
		},
	},
	{
		// Editors may say why they saved, in up to 500 characters. The
		// column was made with room for 200 and never written to before.
		ID: "202612010004_revision_messages",
		Migrate: func(tx *gorm.DB) error {
			return widenRevisionMessage(tx, &m4Revision{})
		},
		Rollback: func(tx *gorm.DB) error {
			return widenRevisionMessage(tx, &m1Revision{})
		},
	},
	{
		// Grants name documents by id instead of slug (a rename no longer
		// moves grants, and a slug nobody has cannot be granted), in a table
		// of their own instead of gorm-adapter's casbin_rule. See
		// convertCasbinGrants for what happens to each old row.
		ID: "2026120204_grants",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Migrator().CreateTable(&m5Grant{}); err != nil {
				return err
			}
			if err := convertCasbinGrants(tx); err != nil {
				return err
			}
			return tx.Migrator().DropTable("casbin_rule")
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().CreateTable(&m2CasbinRule{}); err != nil {
				return err
			}
			err := tx.Exec(`INSERT INTO casbin_rule (id, ptype, v0, v1, v2, v3, v4, v5)
				SELECT g.id, 'g', g.user_id, g.role,
					CASE g.kind WHEN 'office' THEN 'office:' || o.slug WHEN 'department' THEN 'department:' || d.slug ELSE '*' END,
					'', '', ''
				FROM grants g
				LEFT JOIN offices o ON g.kind = 'office' AND o.id = g.document_id
				LEFT JOIN departments d ON g.kind = 'department' AND d.id = g.document_id
				WHERE g.kind = 'all' OR o.id IS NOT NULL OR d.id IS NOT NULL`).Error
			if err != nil {
				return err
			}
			if err := restartSequenceAfter(tx, "casbin_rule"); err != nil {
				return err
			}
			return tx.Migrator().DropTable("grants")
		},
	},
	{
		// Sign-in counters shared by every instance (see LoginThrottle).
		ID: "2026120201_login_throttles",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&m2026120201LoginThrottle{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("login_throttles")
		},
	},
	{
		// Sign-in attempts in flight are counted apart from failures, with
		// a short expiry (see LoginThrottle). Existing rows hold failures
		// only: no reservations, which the zero defaults say.
		ID: "2026120301_login_throttle_reservations",
		Migrate: func(tx *gorm.DB) error {
			for _, column := range []string{"Pending", "PendingUntil"} {
				if err := tx.Migrator().AddColumn(&m2026120301LoginThrottle{}, column); err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			for _, column := range []string{"PendingUntil", "Pending"} {
				if err := tx.Migrator().DropColumn(&m2026120301LoginThrottle{}, column); err != nil {
					return err
				}
			}
			return nil
		},
	},
}

// widenRevisionMessage gives revisions.message the type it has in the
// frozen struct rev. Only PostgreSQL enforces a varchar length: SQLite takes
// any length whatever the declared type, and GORM's SQLite AlterColumn would
// rebuild the table without its indexes (the unique revision numbers among
// them), so SQLite is left as it is, with the same effect.
func widenRevisionMessage(tx *gorm.DB, rev any) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.Migrator().AlterColumn(rev, "Message")
}

// LatestMigration is the ID of the newest migration; /readyz checks it.
func LatestMigration() string { return migrations[len(migrations)-1].ID }

// Migrate applies every pending migration.
func Migrate(ctx context.Context, db *gorm.DB) error {
	return gormigrate.New(db.WithContext(ctx), migrateOptions, migrations).Migrate()
}

var migrateOptions = &gormigrate.Options{
	TableName:                 "schema_migrations",
	IDColumnName:              "id",
	IDColumnSize:              255,
	UseTransaction:            true,
	ValidateUnknownMigrations: true,
}

// MigrationsApplied reports whether the newest migration has run.
func MigrationsApplied(ctx context.Context, db *gorm.DB) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table("schema_migrations").Where("id = ?", LatestMigration()).Count(&n).Error
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// --- 202611280001_content ---

type m1Office struct {
	ID                string `gorm:"primaryKey;size:36"`
	Slug              string `gorm:"size:64;not null;uniqueIndex"`
	Name              string `gorm:"size:200;not null"`
	Acronym           string `gorm:"size:20;not null;default:''"`
	Summary           string `gorm:"not null;default:''"`
	Version           int    `gorm:"not null"`
	PublishedRevision *int
	PublishedSlug     *string `gorm:"size:64;uniqueIndex"`
	PublishedAt       *time.Time
	CreatedAt         time.Time  `gorm:"not null"`
	UpdatedAt         time.Time  `gorm:"not null"`
	DeletedAt         *time.Time `gorm:"index"`
}

func (m1Office) TableName() string { return "offices" }

type m1Department struct {
	ID                string `gorm:"primaryKey;size:36"`
	Slug              string `gorm:"size:64;not null;uniqueIndex"`
	Name              string `gorm:"size:200;not null"`
	Acronym           string `gorm:"size:20;not null;default:''"`
	Summary           string `gorm:"not null;default:''"`
	Version           int    `gorm:"not null"`
	PublishedRevision *int
	PublishedSlug     *string `gorm:"size:64;uniqueIndex"`
	PublishedAt       *time.Time
	CreatedAt         time.Time  `gorm:"not null"`
	UpdatedAt         time.Time  `gorm:"not null"`
	DeletedAt         *time.Time `gorm:"index"`
	OfficeID          string     `gorm:"size:36;not null;index"`
	Office            *m1Office  `gorm:"foreignKey:OfficeID;references:ID;constraint:OnDelete:RESTRICT"`
	Position          int        `gorm:"not null;default:0"`
}

func (m1Department) TableName() string { return "departments" }

type m1Revision struct {
	ID         int64     `gorm:"primaryKey"`
	EntityType string    `gorm:"size:16;not null;uniqueIndex:idx_revisions_entity_number,priority:1"`
	EntityID   string    `gorm:"size:36;not null;uniqueIndex:idx_revisions_entity_number,priority:2"`
	Number     int       `gorm:"not null;uniqueIndex:idx_revisions_entity_number,priority:3"`
	Content    string    `gorm:"not null"`
	AuthorID   *string   `gorm:"size:36"`
	Message    string    `gorm:"size:200;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (m1Revision) TableName() string { return "revisions" }

type m1AuditEvent struct {
	ID         int64     `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *string   `gorm:"size:36;index"`
	ActorEmail string    `gorm:"size:254;not null;default:''"`
	Action     string    `gorm:"size:64;not null;index"`
	TargetType string    `gorm:"size:32;not null;default:'';index:idx_audit_target,priority:1"`
	TargetID   string    `gorm:"size:64;not null;default:'';index:idx_audit_target,priority:2"`
	ClientIP   string    `gorm:"size:64;not null;default:''"`
	Detail     string    `gorm:"not null;default:''"`
}

func (m1AuditEvent) TableName() string { return "audit_events" }

// --- 202611280002_accounts ---

type m2User struct {
	ID           string `gorm:"primaryKey;size:36"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	DisplayName  string `gorm:"size:200;not null;default:''"`
	PasswordHash string `gorm:"size:255;not null"`
	Active       bool   `gorm:"not null"`
	TokenVersion int64  `gorm:"not null;default:1"`
	LastLoginAt  *time.Time
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

func (m2User) TableName() string { return "users" }

type m2RefreshToken struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    string    `gorm:"size:36;not null;index"`
	User      *m2User   `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	FamilyID  string    `gorm:"size:36;not null;index"`
	Digest    string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time `gorm:"not null"`
}

func (m2RefreshToken) TableName() string { return "refresh_tokens" }

// m2CasbinRule matches the table layout of casbin's gorm-adapter (v3), which
// stores grants; the adapter's own auto-migration is turned off.
type m2CasbinRule struct {
	ID    uint   `gorm:"primaryKey;autoIncrement"`
	Ptype string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V0    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V1    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V2    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V3    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V4    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
	V5    string `gorm:"size:100;uniqueIndex:idx_casbin_rule_unique"`
}

func (m2CasbinRule) TableName() string { return "casbin_rule" }

// --- 202611290003_events ---

// m3Event carries change events between processes on SQLite (a `bureau
// users create` while `serve` runs), where there is no LISTEN/NOTIFY.
type m3Event struct {
	ID        int64     `gorm:"primaryKey"`
	Payload   string    `gorm:"size:200;not null"`
	CreatedAt time.Time `gorm:"not null;index"`
}

func (m3Event) TableName() string { return "events" }

// --- 202612010004_revision_messages ---

// m4Revision is m1Revision with room for a 500-character message.
type m4Revision struct {
	ID         int64     `gorm:"primaryKey"`
	EntityType string    `gorm:"size:16;not null;uniqueIndex:idx_revisions_entity_number,priority:1"`
	EntityID   string    `gorm:"size:36;not null;uniqueIndex:idx_revisions_entity_number,priority:2"`
	Number     int       `gorm:"not null;uniqueIndex:idx_revisions_entity_number,priority:3"`
	Content    string    `gorm:"not null"`
	AuthorID   *string   `gorm:"size:36"`
	Message    string    `gorm:"size:500;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (m4Revision) TableName() string { return "revisions" }

// --- 2026120204_grants ---

// m5Grant is a grant naming its document by id; scope "*" is kind "all"
// with document_id "".
type m5Grant struct {
	ID         int64     `gorm:"primaryKey"`
	UserID     string    `gorm:"size:36;not null;uniqueIndex:idx_grants_unique,priority:1"`
	User       *m2User   `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	Role       string    `gorm:"size:16;not null;uniqueIndex:idx_grants_unique,priority:2"`
	Kind       string    `gorm:"size:16;not null;uniqueIndex:idx_grants_unique,priority:3"`
	DocumentID string    `gorm:"size:36;not null;default:'';uniqueIndex:idx_grants_unique,priority:4;index:idx_grants_document"`
	CreatedAt  time.Time `gorm:"not null"`
}

func (m5Grant) TableName() string { return "grants" }

// convertCasbinGrants copies the g rows of casbin_rule into grants, keeping
// their ids (audit events and admins' links name grants by id). A row is
// dropped, not converted, when
//   - its scope names a slug that no office or department has (trashed ones
//     count): such a grant was dormant, waiting for someone to take the
//     slug, which is the hole this table closes;
//   - its role is not one of the four, or it is not a well-formed
//     (user, role, scope) triple: the enforcer already gave such rows no
//     force;
//   - its user does not exist;
//   - it repeats a grant already converted.
func convertCasbinGrants(tx *gorm.DB) error {
	type rule struct {
		ID         int64
		V0, V1, V2 string
	}
	var rules []rule
	if err := tx.Table("casbin_rule").Select("id, v0, v1, v2").Where("ptype = 'g'").Order("id").Scan(&rules).Error; err != nil {
		return err
	}
	roles := map[string]bool{"admin": true, "editor": true, "author": true, "viewer": true}
	seen := map[[4]string]bool{}
	now := time.Now().UTC()
	for _, r := range rules {
		kind, docID, ok := "all", "", r.V2 == "*"
		if k, slug, found := strings.Cut(r.V2, ":"); found && (k == "office" || k == "department") {
			var ids []string
			if err := tx.Table(k+"s").Where("slug = ?", slug).Limit(1).Pluck("id", &ids).Error; err != nil {
				return err
			}
			kind, ok = k, len(ids) == 1
			if ok {
				docID = ids[0]
			}
		}
		var users int64
		if err := tx.Table("users").Where("id = ?", r.V0).Count(&users).Error; err != nil {
			return err
		}
		key := [4]string{r.V0, r.V1, kind, docID}
		if !ok || users == 0 || !roles[r.V1] || (r.V1 == "admin" && kind != "all") || len(r.V0) > 36 || r.V0 == "" || seen[key] {
			continue
		}
		seen[key] = true
		g := m5Grant{ID: r.ID, UserID: r.V0, Role: r.V1, Kind: kind, DocumentID: docID, CreatedAt: now}
		if err := tx.Omit("User").Create(&g).Error; err != nil {
			return err
		}
	}
	return restartSequenceAfter(tx, "grants")
}

// restartSequenceAfter makes new rows of table continue after the ids a
// migration copied in explicitly, which PostgreSQL's sequence did not see.
// The table name is one of the migration's own, never input.
func restartSequenceAfter(tx *gorm.DB, table string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.Exec("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), COALESCE((SELECT MAX(id) FROM " + table + "), 0) + 1, false)").Error
}

// --- 2026120201_login_throttles ---

type m2026120201LoginThrottle struct {
	Bucket    string `gorm:"primaryKey;size:64"`
	Count     int64  `gorm:"not null"`
	WindowEnd int64  `gorm:"not null;index"`
}

func (m2026120201LoginThrottle) TableName() string { return "login_throttles" }

// --- 2026120301_login_throttle_reservations ---

type m2026120301LoginThrottle struct {
	Bucket       string `gorm:"primaryKey;size:64"`
	Count        int64  `gorm:"not null"`
	WindowEnd    int64  `gorm:"not null;index"`
	Pending      int64  `gorm:"not null;default:0"`
	PendingUntil int64  `gorm:"not null;default:0"`
}

func (m2026120301LoginThrottle) TableName() string { return "login_throttles" }
