package models

import (
	"context"
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
		// Sign-in counters shared by every instance (see LoginThrottle).
		ID: "2026120201_login_throttles",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&m2026120201LoginThrottle{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable("login_throttles")
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
	m := gormigrate.New(db.WithContext(ctx), &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              255,
		UseTransaction:            true,
		ValidateUnknownMigrations: true,
	}, migrations)
	return m.Migrate()
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

// --- 2026120201_login_throttles ---

type m2026120201LoginThrottle struct {
	Bucket    string `gorm:"primaryKey;size:64"`
	Count     int64  `gorm:"not null"`
	WindowEnd int64  `gorm:"not null;index"`
}

func (m2026120201LoginThrottle) TableName() string { return "login_throttles" }
