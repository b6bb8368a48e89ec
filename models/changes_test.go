package models_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// received records the events handed to a sink or a listener.
type received struct {
	mu     sync.Mutex
	events []string
}

func (r *received) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *received) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// waitFor waits until e was received: the events before it, in commit
// order, have been received too.
func (r *received) waitFor(t *testing.T, e string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Contains(r.list(), e) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never received %q; got %q", e, r.list())
}

// listen runs models.Listen on db until the test ends, and returns once it
// is connected.
// madeUpEvents are the events these tests announce; no real write sends them.
var madeUpEvents = []string{"rolled-back", "committed", "from-cli", "from-other"}

func listen(t *testing.T, db *gorm.DB, url string) *received {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	connected := make(chan bool)
	done := make(chan struct{})
	got := &received{}
	go func() {
		defer close(done)
		models.Listen(ctx, db, url, nil, func(e string) {
			// Tests in other packages share the PostgreSQL database (each in
			// its own schema), and NOTIFY reaches every listener of the
			// database: keep only the events these tests make up.
			if slices.Contains(madeUpEvents, e) {
				got.add(e)
			}
		}, connected)
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-connected: // the first report is "connected": from here on nothing is missed
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never connected")
	}
	go func() {
		for range connected { // Listen needs its reports read until it returns
		}
	}()
	return got
}

// announce commits one event through db.
func announce(ctx context.Context, db *gorm.DB, e string) error {
	return models.Write(ctx, db, func(tx *gorm.DB) error { return models.Changed(tx, e) })
}

// TestChangesLeaveOnlyOnCommit: a committed write reaches this instance's
// sink after commit and the other instances' listeners, each event once;
// a rolled-back one reaches neither; an instance's listener skips the
// events its own sink applied already, and delivers everyone else's (a
// CLI process without a sink, another instance).
func TestChangesLeaveOnlyOnCommit(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			self := dbtest.Migrated(t, target.URL)
			other := dbtest.Open(t, target.URL)
			cli := dbtest.Open(t, target.URL)
			applied := &received{}
			if err := models.OnCommit(self, func(ctx context.Context, e string) {
				// After commit, another connection sees the write.
				var n int64
				if err := cli.Table("audit_events").Where("action = ?", e).Count(&n).Error; err != nil || n != 1 {
					t.Errorf("sink got %q before its write was visible: %d, %v", e, n, err)
				}
				applied.add(e)
			}); err != nil {
				t.Fatal(err)
			}
			if err := models.OnCommit(other, func(context.Context, string) {}); err != nil {
				t.Fatal(err)
			}
			if err := models.OnCommit(self, func(context.Context, string) {}); err == nil {
				t.Error("a second sink on the same handle was accepted")
			}
			heardBySelf := listen(t, self, target.URL)
			heardByOther := listen(t, other, target.URL)

			write := func(e string, fail error) error {
				return models.Write(ctx, self, func(tx *gorm.DB) error {
					for range 2 { // announced twice, sent once
						if err := models.Changed(tx, e); err != nil {
							return err
						}
					}
					if err := models.RecordAudit(ctx, tx, models.System, e, "test", "1", nil); err != nil {
						return err
					}
					return fail
				})
			}
			boom := errors.New("boom")
			if err := write("rolled-back", boom); !errors.Is(err, boom) {
				t.Fatalf("rolled-back write: %v", err)
			}
			if got := applied.list(); len(got) != 0 {
				t.Errorf("a rolled-back write reached the sink: %q", got)
			}
			if err := write("committed", nil); err != nil {
				t.Fatal(err)
			}
			if got := applied.list(); !slices.Equal(got, []string{"committed"}) {
				t.Errorf("sink after the commit = %q, want [committed] once", got)
			}
			if err := announce(ctx, cli, "from-cli"); err != nil {
				t.Fatal(err)
			}
			if err := announce(ctx, other, "from-other"); err != nil {
				t.Fatal(err)
			}
			// Events arrive in commit order: once the last is in, every
			// earlier one that was sent is in too.
			heardByOther.waitFor(t, "from-cli")
			if got := heardByOther.list(); !slices.Equal(got, []string{"committed", "from-cli"}) {
				t.Errorf("the other instance heard %q, want [committed from-cli]", got)
			}
			heardBySelf.waitFor(t, "from-other")
			if got := heardBySelf.list(); !slices.Equal(got, []string{"from-cli", "from-other"}) {
				t.Errorf("this instance's listener heard %q, want [from-cli from-other]: its own are applied already", got)
			}
			if got := applied.list(); !slices.Equal(got, []string{"committed"}) {
				t.Errorf("this instance applied %q, want [committed] once", got)
			}
		})
	}
}

// TestChangesNeedWrite: an event announced in a transaction not begun by
// Write would never be applied on this instance, so it is refused and the
// transaction rolls back, while a write that announces nothing may run in
// any transaction; a Write inside another Write joins it, and its events
// are applied once, after the outer commit.
func TestChangesNeedWrite(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		applied := &received{}
		if err := models.OnCommit(db, func(_ context.Context, e string) { applied.add(e) }); err != nil {
			t.Fatal(err)
		}
		err := db.Transaction(func(tx *gorm.DB) error { return models.Changed(tx, "plain") })
		if !errors.Is(err, models.ErrOutsideWrite) {
			t.Errorf("Changed in a plain transaction: %v", err)
		}
		err = db.Transaction(func(tx *gorm.DB) error { return announce(ctx, tx, "savepoint") })
		if !errors.Is(err, models.ErrOutsideWrite) {
			t.Errorf("Write in a plain transaction: %v", err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			_, err := models.CreateOffice(ctx, tx, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "quiet", Name: "Quiet"}}, "")
			return err
		})
		if err != nil {
			t.Errorf("a draft, which announces nothing, in a plain transaction: %v", err)
		}
		if got := applied.list(); len(got) != 0 {
			t.Errorf("applied %q from refused or silent writes", got)
		}
		// A model function that announces is a Write of its own on a handle.
		u, err := models.CreateUser(ctx, db, "someone@example.org", "", "unused")
		if err != nil {
			t.Fatal(err)
		}
		u.Active = false
		if err := models.SaveUser(ctx, db, u); err != nil {
			t.Fatal(err)
		}
		if got := applied.list(); !slices.Equal(got, []string{models.EventUser + u.ID}) {
			t.Errorf("after SaveUser on a handle: %q", got)
		}
		applied.mu.Lock()
		applied.events = nil
		applied.mu.Unlock()
		err = models.Write(ctx, db, func(tx *gorm.DB) error {
			if err := announce(ctx, tx, "inner"); err != nil {
				return err
			}
			if got := applied.list(); len(got) != 0 {
				t.Errorf("applied before the outer commit: %q", got)
			}
			return models.Changed(tx, "outer")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := applied.list(); !slices.Equal(got, []string{"inner", "outer"}) {
			t.Errorf("applied %q, want [inner outer]", got)
		}
	})
}
