package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

var editor = models.Actor{UserID: "9b2f6a7e-1c1d-4a59-8d4e-4f5e6a7b8c9d", Email: "editor@cps.edu", ClientIP: "192.0.2.1"}

// officeNamed is a valid office with its own slug.
func officeNamed(slug string) models.OfficeContent {
	o := validOffice()
	o.Slug = slug
	o.Name = "Office " + slug
	return o
}

// departmentIn is a valid department of officeID with its own slug.
func departmentIn(officeID, slug string) models.DepartmentContent {
	d := validDepartment()
	d.OfficeID = officeID
	d.Slug = slug
	d.Name = "Department " + slug
	return d
}

func mustCreateOffice(t *testing.T, db *gorm.DB, c models.OfficeContent) *models.Draft {
	t.Helper()
	o, err := models.CreateOffice(context.Background(), db, editor, c, "")
	if err != nil {
		t.Fatalf("create office %s: %v", c.Slug, err)
	}
	return o
}

func mustCreateDepartment(t *testing.T, db *gorm.DB, c models.DepartmentContent) *models.Draft {
	t.Helper()
	d, err := models.CreateDepartment(context.Background(), db, editor, c, "")
	if err != nil {
		t.Fatalf("create department %s: %v", c.Slug, err)
	}
	return d
}

func mustPublish(t *testing.T, db *gorm.DB, kind models.Kind, id string) *models.Draft {
	t.Helper()
	doc, err := models.Publish(context.Background(), db, editor, kind, id, 0)
	if err != nil {
		t.Fatalf("publish %s %s: %v", kind, id, err)
	}
	return doc
}

func countRevisions(t *testing.T, db *gorm.DB, kind models.Kind, id string) int64 {
	t.Helper()
	var n int64
	if err := db.Model(&models.Revision{}).Where("entity_type = ? AND entity_id = ?", kind, id).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// auditActions lists the actions recorded about a target, oldest first.
func auditActions(t *testing.T, db *gorm.DB, id string) []string {
	t.Helper()
	var actions []string
	if err := db.Model(&models.AuditEvent{}).Where("target_id = ?", id).Order("id").Pluck("action", &actions).Error; err != nil {
		t.Fatal(err)
	}
	return actions
}

// loadDocument reads a row, trashed or not.
func loadDocument(t *testing.T, db *gorm.DB, kind models.Kind, id string) models.Document {
	t.Helper()
	var d models.Document
	if err := db.Unscoped().Table(kind.Plural()).Where("id = ?", id).Take(&d).Error; err != nil {
		t.Fatalf("load %s %s: %v", kind, id, err)
	}
	return d
}

func TestCreateOffice(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o := mustCreateOffice(t, db, validOffice())
		if _, err := uuid.Parse(o.ID); err != nil {
			t.Errorf("id %q is not a UUID", o.ID)
		}
		if o.Version != 1 || o.PublishedRevision != nil || o.Status() != models.StatusDraft {
			t.Errorf("new office: version %d, published %v, status %s", o.Version, o.PublishedRevision, o.Status())
		}
		revs, total, err := models.ListRevisions(ctx, db, models.KindOffice, o.ID, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(revs) != 1 || revs[0].Number != 1 || revs[0].AuthorID == nil || *revs[0].AuthorID != editor.UserID {
			t.Fatalf("revisions = %+v, want one, number 1, by the editor", revs)
		}
		if got := auditActions(t, db, o.ID); !slices.Equal(got, []string{"office.create"}) {
			t.Errorf("audit actions %v, want [office.create]", got)
		}
		events, _, err := models.ListAudit(ctx, db, models.AuditFilter{TargetID: o.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		ev := events[0]
		if ev.ActorID == nil || *ev.ActorID != editor.UserID || ev.ActorEmail != editor.Email || ev.ClientIP != editor.ClientIP ||
			ev.TargetType != "office" || ev.DetailMap()["revision"] != float64(1) {
			t.Errorf("audit event %+v detail %v", ev, ev.DetailMap())
		}

		row, content, err := models.GetOffice(ctx, db, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Slug != "occs" || row.Name != "College and Career Success" || content.Slug != "occs" {
			t.Errorf("GetOffice = %+v, %+v", row, content)
		}
		if len(content.Contacts) != 1 || content.Contacts[0].ID == "" || content.Contacts[0].Phones[0].E164 != "+17735533543" {
			t.Errorf("stored contacts %+v: want one, with an id and a normalized phone", content.Contacts)
		}
	})
}

func TestSaveOfficeDraft(t *testing.T) {
	type result struct {
		version   int   // of the row afterwards
		revisions int64 // stored afterwards
		name      string
	}
	tests := []struct {
		name string
		// prepare runs after the office is created (version 1) and returns
		// the base version and content to save.
		prepare func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent)
		check   func(t *testing.T, err error)
		want    result
		audit   []string
	}{
		{
			name: "correct base version",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				c.Name = "Renamed"
				return 1, c
			},
			check: wantNoError,
			want:  result{version: 2, revisions: 2, name: "Renamed"},
			audit: []string{"office.create", "office.update"},
		},
		{
			name: "stale base version",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				first := c
				first.Name = "First editor"
				if _, err := models.SaveOfficeDraft(context.Background(), db, editor, o.ID, 1, first, ""); err != nil {
					t.Fatal(err)
				}
				c.Name = "Second editor"
				return 1, c
			},
			check: wantVersionMismatch(2),
			want:  result{version: 2, revisions: 2, name: "First editor"},
			audit: []string{"office.create", "office.update"},
		},
		{
			name: "base version from the future",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				c.Name = "Renamed"
				return 7, c
			},
			check: wantVersionMismatch(1),
			want:  result{version: 1, revisions: 1},
			audit: []string{"office.create"},
		},
		{
			name: "no change writes no revision",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				return 1, c
			},
			check: wantNoError,
			want:  result{version: 1, revisions: 1},
			audit: []string{"office.create"},
		},
		{
			name: "no change up to whitespace writes no revision",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				c.Name = "  " + c.Name + "  "
				c.DescriptionHTML = "\n" + c.DescriptionHTML
				return 1, c
			},
			check: wantNoError,
			want:  result{version: 1, revisions: 1},
			audit: []string{"office.create"},
		},
		{
			name: "invalid content",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				c.Name = ""
				c.Contacts[0].Phones[0].Number = "12345"
				return 1, c
			},
			check: func(t *testing.T, err error) {
				if got := fieldsOf(t, err); !slices.Equal(got, []string{"name", "contacts[0].phones[0].number"}) {
					t.Errorf("errors %v", got)
				}
			},
			want:  result{version: 1, revisions: 1},
			audit: []string{"office.create"},
		},
		{
			name: "slug of another office",
			prepare: func(t *testing.T, db *gorm.DB, o *models.Draft, c models.OfficeContent) (int, models.OfficeContent) {
				c.Slug = "taken"
				c.Name = "Renamed too"
				return 1, c
			},
			check: wantConflict("slug"),
			want:  result{version: 1, revisions: 1},
			audit: []string{"office.create"},
		},
	}
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		mustCreateOffice(t, db, officeNamed("taken"))
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				o := mustCreateOffice(t, db, officeNamed(fmt.Sprintf("office-%d", i)))
				_, draft, err := models.GetOffice(ctx, db, o.ID) // with contact ids, as an editor reads it
				if err != nil {
					t.Fatal(err)
				}
				base, next := tt.prepare(t, db, o, *draft)
				saved, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, base, next, "")
				tt.check(t, err)
				if err == nil && saved.Version != tt.want.version {
					t.Errorf("returned version %d, want %d", saved.Version, tt.want.version)
				}
				row := loadDocument(t, db, models.KindOffice, o.ID)
				if row.Version != tt.want.version {
					t.Errorf("stored version %d, want %d", row.Version, tt.want.version)
				}
				wantName := tt.want.name
				if wantName == "" {
					wantName = o.Name
				}
				if row.Name != wantName {
					t.Errorf("stored name %q, want %q", row.Name, wantName)
				}
				if n := countRevisions(t, db, models.KindOffice, o.ID); n != tt.want.revisions {
					t.Errorf("%d revisions, want %d", n, tt.want.revisions)
				}
				if got := auditActions(t, db, o.ID); !slices.Equal(got, tt.audit) {
					t.Errorf("audit %v, want %v", got, tt.audit)
				}
				_, draft, err = models.GetOffice(ctx, db, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if draft.Name != wantName {
					t.Errorf("draft name %q, want %q", draft.Name, wantName)
				}
			})
		}

		t.Run("unknown id", func(t *testing.T) {
			_, err := models.SaveOfficeDraft(context.Background(), db, editor, uuid.NewString(), 1, officeNamed("nobody"), "")
			if !errors.Is(err, models.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	})
}

func wantNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantVersionMismatch(current int) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var vm *models.VersionMismatchError
		if !errors.As(err, &vm) {
			t.Fatalf("err = %v (%T), want *VersionMismatchError", err, err)
		}
		if vm.Current != current {
			t.Errorf("Current = %d, want %d", vm.Current, current)
		}
	}
}

func wantConflict(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ce *models.ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("err = %v (%T), want a *ConflictError that is ErrConflict", err, err)
		}
		if ce.Field != field {
			t.Errorf("conflict on %q, want %q", ce.Field, field)
		}
	}
}

func TestConcurrentSavesOfOneVersion(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		o := mustCreateOffice(t, db, validOffice())
		const editors = 4
		errs := make([]error, editors)
		var wg sync.WaitGroup
		for i := range editors {
			wg.Go(func() {
				c := validOffice()
				c.Name = fmt.Sprintf("Editor %d", i)
				_, errs[i] = models.SaveOfficeDraft(context.Background(), db, editor, o.ID, 1, c, "")
			})
		}
		wg.Wait()
		saved := 0
		for _, err := range errs {
			var vm *models.VersionMismatchError
			switch {
			case err == nil:
				saved++
			case errors.As(err, &vm):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if saved != 1 {
			t.Errorf("%d saves of version 1 succeeded, want exactly 1", saved)
		}
		if n := countRevisions(t, db, models.KindOffice, o.ID); n != 2 {
			t.Errorf("%d revisions, want 2", n)
		}
	})
}

func TestPublishWorkflow(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o := mustCreateOffice(t, db, validOffice())

		doc := mustPublish(t, db, models.KindOffice, o.ID)
		if doc.PublishedRevision == nil || *doc.PublishedRevision != 1 || doc.PublishedAt == nil || doc.Status() != models.StatusPublished {
			t.Fatalf("after publish: %+v", doc)
		}
		row := loadDocument(t, db, models.KindOffice, o.ID)
		if row.PublishedRevision == nil || *row.PublishedRevision != 1 || row.PublishedSlug == nil || *row.PublishedSlug != "occs" {
			t.Fatalf("stored after publish: %+v", row)
		}

		// Publishing what is already public changes nothing.
		mustPublish(t, db, models.KindOffice, o.ID)
		if got := auditActions(t, db, o.ID); !slices.Equal(got, []string{"office.create", "office.publish"}) {
			t.Errorf("audit %v", got)
		}

		c := validOffice()
		c.Name = "College and Career Success, renamed"
		if _, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, c, ""); err != nil {
			t.Fatal(err)
		}
		row = loadDocument(t, db, models.KindOffice, o.ID)
		if row.Status() != models.StatusChanged || *row.PublishedRevision != 1 || row.Version != 2 {
			t.Errorf("after a draft save: status %s, published %d, version %d", row.Status(), *row.PublishedRevision, row.Version)
		}

		// The editor reviewed version 1, but the draft is at 2.
		_, err := models.Publish(ctx, db, editor, models.KindOffice, o.ID, 1)
		wantVersionMismatch(2)(t, err)

		doc, err = models.Publish(ctx, db, editor, models.KindOffice, o.ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if *doc.PublishedRevision != 2 || doc.Status() != models.StatusPublished {
			t.Errorf("after publishing the edit: %+v", doc)
		}

		doc, err = models.Unpublish(ctx, db, editor, models.KindOffice, o.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		row = loadDocument(t, db, models.KindOffice, o.ID)
		if doc.Status() != models.StatusDraft || row.PublishedRevision != nil || row.PublishedSlug != nil || row.PublishedAt != nil {
			t.Errorf("after unpublish: %+v", row)
		}
		if row.Version != 2 || countRevisions(t, db, models.KindOffice, o.ID) != 2 {
			t.Errorf("unpublish must keep drafts and revisions: version %d", row.Version)
		}
		if _, err := models.Unpublish(ctx, db, editor, models.KindOffice, o.ID, 0); err != nil {
			t.Errorf("unpublishing a draft: %v", err)
		}
		want := []string{"office.create", "office.publish", "office.update", "office.publish", "office.unpublish"}
		if got := auditActions(t, db, o.ID); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}

		for _, fn := range []func() error{
			func() error {
				_, err := models.Publish(ctx, db, editor, models.KindOffice, uuid.NewString(), 0)
				return err
			},
			func() error {
				_, err := models.Unpublish(ctx, db, editor, models.KindOffice, uuid.NewString(), 0)
				return err
			},
		} {
			if err := fn(); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("unknown id: %v, want ErrNotFound", err)
			}
		}
	})
}

func TestPublishedSlugsStayUnique(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		a := mustCreateOffice(t, db, officeNamed("x"))
		mustPublish(t, db, models.KindOffice, a.ID)
		if _, err := models.SaveOfficeDraft(ctx, db, editor, a.ID, 1, officeNamed("y"), ""); err != nil {
			t.Fatal(err)
		}
		// "x" is free as a draft slug, but A still answers publicly at "x".
		b := mustCreateOffice(t, db, officeNamed("x"))
		_, err := models.Publish(ctx, db, editor, models.KindOffice, b.ID, 0)
		wantConflict("slug")(t, err)
		if row := loadDocument(t, db, models.KindOffice, b.ID); row.PublishedRevision != nil {
			t.Errorf("B was published anyway: %+v", row)
		}
		if got := auditActions(t, db, b.ID); !slices.Equal(got, []string{"office.create"}) {
			t.Errorf("audit of B %v", got)
		}

		// Once A publishes its rename, "x" is free publicly too.
		mustPublish(t, db, models.KindOffice, a.ID)
		mustPublish(t, db, models.KindOffice, b.ID)

		// A department may reuse an office's slug: uniqueness is per type.
		mustCreateDepartment(t, db, departmentIn(a.ID, "x"))
		_, err = models.CreateDepartment(ctx, db, editor, departmentIn(a.ID, "x"), "")
		wantConflict("slug")(t, err)
	})
}

func TestCreateDepartment(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		office := mustCreateOffice(t, db, officeNamed("main"))
		other := mustCreateOffice(t, db, officeNamed("other"))
		trashed := mustCreateOffice(t, db, officeNamed("trashed"))
		if err := models.Trash(ctx, db, editor, models.KindOffice, trashed.ID, 0); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name         string
			officeID     string
			position     int
			wantErr      []string // validation fields
			wantPosition int
		}{
			{name: "office id not a UUID", officeID: "main", wantErr: []string{"office_id"}},
			{name: "no such office", officeID: uuid.NewString(), wantErr: []string{"office_id"}},
			{name: "office in the trash", officeID: trashed.ID, wantErr: []string{"office_id"}},
			{name: "first gets position 1", officeID: office.ID, wantPosition: 1},
			{name: "zero position appends", officeID: office.ID, wantPosition: 2},
			{name: "explicit position", officeID: office.ID, position: 10, wantPosition: 10},
			{name: "appends after the highest", officeID: office.ID, wantPosition: 11},
			{name: "positions are per office", officeID: other.ID, wantPosition: 1},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := departmentIn(tt.officeID, fmt.Sprintf("dept-%d", i))
				c.Position = tt.position
				d, err := models.CreateDepartment(ctx, db, editor, c, "")
				if tt.wantErr != nil {
					if got := fieldsOf(t, err); !slices.Equal(got, tt.wantErr) {
						t.Fatalf("errors %v, want %v", got, tt.wantErr)
					}
					var n int64
					db.Unscoped().Model(&models.Department{}).Where("slug = ?", c.Slug).Count(&n)
					if n != 0 {
						t.Errorf("a refused department was stored")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if d.Department.Position != tt.wantPosition || d.Department.OfficeID != tt.officeID || d.Version != 1 {
					t.Errorf("department %+v: want position %d", d, tt.wantPosition)
				}
				_, draft, err := models.GetDepartment(ctx, db, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if draft.Position != tt.wantPosition {
					t.Errorf("draft position %d, want %d", draft.Position, tt.wantPosition)
				}
				if got := auditActions(t, db, d.ID); !slices.Equal(got, []string{"department.create"}) {
					t.Errorf("audit %v", got)
				}
			})
		}

		t.Run("moving to another office", func(t *testing.T) {
			d := mustCreateDepartment(t, db, departmentIn(office.ID, "mover"))
			_, c, err := models.GetDepartment(ctx, db, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.OfficeID = uuid.NewString()
			_, err = models.SaveDepartmentDraft(ctx, db, editor, d.ID, 1, *c, "")
			if got := fieldsOf(t, err); !slices.Equal(got, []string{"office_id"}) {
				t.Errorf("move to no office: errors %v", got)
			}
			c.OfficeID = other.ID
			moved, err := models.SaveDepartmentDraft(ctx, db, editor, d.ID, 1, *c, "")
			if err != nil {
				t.Fatal(err)
			}
			if moved.Department.OfficeID != other.ID || moved.Version != 2 {
				t.Errorf("moved: %+v", moved)
			}
		})
	})
}

func TestTrashAndRestore(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		office := mustCreateOffice(t, db, officeNamed("main"))
		mustPublish(t, db, models.KindOffice, office.ID)
		dep := mustCreateDepartment(t, db, departmentIn(office.ID, "dept"))
		mustPublish(t, db, models.KindDepartment, dep.ID)

		err := models.Trash(ctx, db, editor, models.KindOffice, office.ID, 0)
		wantConflict("departments")(t, err)
		if _, _, err := models.GetOffice(ctx, db, office.ID); err != nil {
			t.Fatalf("office gone after a refused trash: %v", err)
		}

		if err := models.Trash(ctx, db, editor, models.KindDepartment, dep.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.GetDepartment(ctx, db, dep.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetDepartment of a trashed department: %v, want ErrNotFound", err)
		}
		if err := models.Trash(ctx, db, editor, models.KindDepartment, dep.ID, 0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("trashing twice: %v, want ErrNotFound", err)
		}
		_, err = models.SaveDepartmentDraft(ctx, db, editor, dep.ID, 1, departmentIn(office.ID, "dept-2"), "")
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("saving a trashed department: %v, want ErrNotFound", err)
		}
		if _, err := models.Publish(ctx, db, editor, models.KindDepartment, dep.ID, 0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("publishing a trashed department: %v, want ErrNotFound", err)
		}
		// A trashed department keeps its slug: nothing else can take it
		// while it may come back.
		_, err = models.CreateDepartment(ctx, db, editor, departmentIn(office.ID, "dept"), "")
		wantConflict("slug")(t, err)

		if _, err := models.RestoreFromTrash(ctx, db, editor, models.KindDepartment, uuid.NewString()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("restoring an unknown id: %v, want ErrNotFound", err)
		}
		if _, err := models.RestoreFromTrash(ctx, db, editor, models.KindOffice, office.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("restoring what is not in the trash: %v, want ErrNotFound", err)
		}

		// With its only department in the trash, the office may go too;
		// the department cannot come back while its office is away.
		if err := models.Trash(ctx, db, editor, models.KindOffice, office.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.GetOffice(ctx, db, office.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetOffice of a trashed office: %v, want ErrNotFound", err)
		}
		_, err = models.RestoreFromTrash(ctx, db, editor, models.KindDepartment, dep.ID)
		wantConflict("office_id")(t, err)

		if _, err := models.RestoreFromTrash(ctx, db, editor, models.KindOffice, office.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RestoreFromTrash(ctx, db, editor, models.KindDepartment, dep.ID); err != nil {
			t.Fatal(err)
		}
		row, draft, err := models.GetDepartment(ctx, db, dep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.Status() != models.StatusPublished || draft.Slug != "dept" {
			t.Errorf("restored department: status %s, slug %s; want it back as it was", row.Status(), draft.Slug)
		}
		want := []string{"department.create", "department.publish", "department.delete", "department.restore"}
		if got := auditActions(t, db, dep.ID); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}

		if _, _, err := models.GetOffice(ctx, db, "not-a-uuid"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("GetOffice(not-a-uuid): %v, want ErrNotFound", err)
		}
	})
}

func TestRevisionsAreImmutable(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o := mustCreateOffice(t, db, validOffice())
		original, err := models.GetRevision(ctx, db, models.KindOffice, o.ID, 1)
		if err != nil {
			t.Fatal(err)
		}

		names := []string{"Second", "Third", "Fourth"}
		for i, name := range names {
			_, c, err := models.GetOffice(ctx, db, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.Name = name
			c.Contacts[0].Phones[0].Number = fmt.Sprintf("773-553-%04d", 3544+i)
			if _, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, i+1, *c, ""); err != nil {
				t.Fatal(err)
			}
		}

		list, total, err := models.ListRevisions(ctx, db, models.KindOffice, o.ID, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []int
		var revs []*models.Revision
		for _, r := range list {
			numbers = append(numbers, r.Number)
			rev, err := models.GetRevision(ctx, db, models.KindOffice, o.ID, r.Number)
			if err != nil {
				t.Fatal(err)
			}
			revs = append(revs, rev)
		}
		if total != 4 || !slices.Equal(numbers, []int{4, 3, 2, 1}) {
			t.Fatalf("revision numbers %v of %d, want newest first [4 3 2 1]", numbers, total)
		}
		if page, total, err := models.ListRevisions(ctx, db, models.KindOffice, o.ID, 2, 1); err != nil || total != 4 ||
			len(page) != 2 || page[0].Number != 3 || page[1].Number != 2 {
			t.Errorf("page 2 of 2: %+v of %d, %v; want revisions 3 and 2 of 4", page, total, err)
		}
		wantNames := []string{"Fourth", "Third", "Second", "College and Career Success"}
		for i, r := range revs {
			var c models.OfficeContent
			if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
				t.Fatal(err)
			}
			if c.Name != wantNames[i] {
				t.Errorf("revision %d holds name %q, want %q", r.Number, c.Name, wantNames[i])
			}
		}
		last := revs[len(revs)-1]
		if last.Content != original.Content || !last.CreatedAt.Equal(original.CreatedAt) {
			t.Errorf("revision 1 changed after later saves:\n was %s\n now %s", original.Content, last.Content)
		}
		// Every revision is a full snapshot: the contact id carries through.
		var c1, c4 models.OfficeContent
		_ = json.Unmarshal([]byte(revs[len(revs)-1].Content), &c1)
		_ = json.Unmarshal([]byte(revs[0].Content), &c4)
		if c1.Contacts[0].ID != c4.Contacts[0].ID || c4.Contacts[0].Phones[0].E164 != "+17735533546" {
			t.Errorf("snapshots: first %+v, last %+v", c1.Contacts, c4.Contacts)
		}
	})
}

// TestWithdrawingChecksTheVersionInTheTransaction: unpublish and trash of a
// version the editor did not see are refused, and change nothing.
func TestWithdrawingChecksTheVersionInTheTransaction(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o, err := models.CreateOffice(ctx, db, editor, models.OfficeContent{CommonContent: models.CommonContent{Slug: "stale", Name: "Stale"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Publish(ctx, db, editor, models.KindOffice, o.ID, 1); err != nil {
			t.Fatal(err)
		}
		_, content, err := models.GetOffice(ctx, db, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		content.Summary = "changed by someone else"
		if _, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, *content, ""); err != nil {
			t.Fatal(err)
		}
		var mismatch *models.VersionMismatchError
		if _, err := models.Unpublish(ctx, db, editor, models.KindOffice, o.ID, 1); !errors.As(err, &mismatch) || mismatch.Current != 2 {
			t.Fatalf("unpublish of a stale version: %v", err)
		}
		if err := models.Trash(ctx, db, editor, models.KindOffice, o.ID, 1); !errors.As(err, &mismatch) {
			t.Fatalf("trash of a stale version: %v", err)
		}
		row, _, err := models.GetOffice(ctx, db, o.ID)
		if err != nil || row.PublishedRevision == nil || *row.PublishedRevision != 1 {
			t.Fatalf("a refused withdrawal changed the office: %+v %v", row, err)
		}
		if _, err := models.Unpublish(ctx, db, editor, models.KindOffice, o.ID, 2); err != nil {
			t.Fatalf("unpublish of the current version: %v", err)
		}
	})
}

// Issue 8 item 9 (b): the version check inside the save transaction holds
// even when the stale editor's content equals the current draft, which
// would otherwise pass as "nothing changed".
func TestStaleSaveWithUnchangedContentIsRefused(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o := mustCreateOffice(t, db, officeNamed("stale-same"))
		next := *o.Office
		next.Summary = "the second version"
		if _, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, next, ""); err != nil {
			t.Fatal(err)
		}
		var mismatch *models.VersionMismatchError
		_, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, next, "")
		if !errors.As(err, &mismatch) || mismatch.Current != 2 {
			t.Fatalf("stale save of the current content: %v, want a mismatch at version 2", err)
		}
		if n := countRevisions(t, db, models.KindOffice, o.ID); n != 2 {
			t.Errorf("%d revisions, want 2", n)
		}
		// From the current version, the same content is a no-op answered
		// with the current draft.
		same, err := models.SaveOfficeDraft(ctx, db, editor, o.ID, 2, next, "")
		if err != nil || same.Version != 2 || same.Office.Summary != next.Summary {
			t.Fatalf("no-op save: %+v, %v", same, err)
		}
	})
}

// Issue 8 item 9 (c): the audit event is written in the change's own
// transaction. A failure injected after the change and its audit event
// (the transaction's last read of the office fails) must leave neither,
// on both databases: an audit written outside the transaction would stay.
func TestAFailedSaveLeavesNoAuditEvent(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		o := mustCreateOffice(t, db, officeNamed("atomic"))
		var armed atomic.Bool
		var officeReads atomic.Int64
		injected := errors.New("injected failure")
		err := db.Callback().Query().After("gorm:query").Register("test:fail_second_office_read", func(tx *gorm.DB) {
			if armed.Load() && tx.Statement.Table == "offices" && officeReads.Add(1) == 2 {
				_ = tx.AddError(injected)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		next := *o.Office
		next.Summary = "never saved"
		armed.Store(true)
		_, err = models.SaveOfficeDraft(ctx, db, editor, o.ID, 1, next, "")
		armed.Store(false)
		if !errors.Is(err, injected) {
			t.Fatalf("save: %v, want the injected failure", err)
		}
		if got := auditActions(t, db, o.ID); !slices.Equal(got, []string{"office.create"}) {
			t.Errorf("audit actions %v after a failed save, want only the create", got)
		}
		if n := countRevisions(t, db, models.KindOffice, o.ID); n != 1 {
			t.Errorf("%d revisions after a failed save, want 1", n)
		}
		row, draft, err := models.GetOffice(ctx, db, o.ID)
		if err != nil || row.Version != 1 || draft.Summary == "never saved" {
			t.Errorf("a failed save changed the office: %+v %+v %v", row, draft, err)
		}
	})
}
