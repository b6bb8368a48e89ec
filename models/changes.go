package models

// Where a change reaches other instances: here, and only here.
//
// A write runs in Write. Inside it, every function that changes something
// another instance caches (published content, grants, an account's
// sessions) calls Changed with the event. Changed queues the event for the
// other instances and processes inside the transaction, so it leaves only if
// the transaction commits: on PostgreSQL as a pg_notify (delivered at
// commit), on SQLite as a row of the events table (which a running server
// polls; the other process there is the CLI, `bureau users create`). After
// the commit, Write hands the events to this instance's sink, registered
// once with OnCommit by cmd/bureau, which refreshes the local caches before
// the request is answered. Each event carries the origin of the handle that
// sent it, and Listen drops the events of its own origin: this instance
// applied them already.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// changesKey holds the *changes of a Write in its transaction's context.
type changesKey struct{}

// changes are the events a transaction causes, each once, in order.
type changes struct{ events []string }

// sinkPlugin is the after-commit sink of one database handle, kept in its
// GORM configuration so that it travels with every session of the handle.
type sinkPlugin struct {
	origin string
	apply  func(ctx context.Context, event string)
}

const sinkPluginName = "bureau:after-commit"

func (*sinkPlugin) Name() string              { return sinkPluginName }
func (*sinkPlugin) Initialize(*gorm.DB) error { return nil }

// OnCommit makes apply the place where this instance takes in the events of
// its own committed writes through db, and gives db an origin so that
// Listen on db skips them when they come back. Register it once, before db
// is used concurrently; a second call fails.
func OnCommit(db *gorm.DB, apply func(ctx context.Context, event string)) error {
	return db.Use(&sinkPlugin{origin: uuid.NewString(), apply: apply})
}

func sinkOf(db *gorm.DB) *sinkPlugin {
	s, _ := db.Config.Plugins[sinkPluginName].(*sinkPlugin)
	return s
}

// ErrOutsideWrite: an event was announced in a transaction that did not
// come from Write, so nothing would apply it on this instance after commit.
// A programming error, never the client's.
var ErrOutsideWrite = errors.New("models: a change must be written through models.Write")

// Write runs fn in one transaction that collects the events Changed
// announces, and after commit hands them, each once, to db's sink (see
// OnCommit). A rolled-back transaction applies and sends nothing. Called
// with a tx, it runs fn in that transaction: the events then go with the
// enclosing Write's, and in a transaction of any other kind Changed fails
// (a savepoint would "commit" before the transaction that holds it).
// Every model function that announces a change runs its body in Write, so
// it works on a handle and inside a Write alike.
func Write(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return fn(db)
	}
	c := &changes{}
	if err := db.WithContext(context.WithValue(ctx, changesKey{}, c)).Transaction(fn); err != nil {
		return err
	}
	if s := sinkOf(db); s != nil {
		// Committed: apply even if the client has gone meanwhile.
		applyCtx := context.WithoutCancel(ctx)
		for _, e := range c.events {
			s.apply(applyCtx, e)
		}
	}
	return nil
}

// Changed announces the event e from inside a Write transaction tx: to the other
// instances at commit, to this one's sink after it.
func Changed(tx *gorm.DB, e string) error {
	c, ok := tx.Statement.Context.Value(changesKey{}).(*changes)
	if !ok {
		return ErrOutsideWrite
	}
	if slices.Contains(c.events, e) {
		return nil
	}
	c.events = append(c.events, e)
	payload := withOrigin(sinkOf(tx), e)
	if DialectOf(tx) != Postgres {
		return tx.Create(&event{Payload: payload, CreatedAt: time.Now().UTC()}).Error
	}
	return tx.Exec("SELECT pg_notify(?, ?)", EventChannel, payload).Error
}

// originSeparator ends the origin at the start of a payload; no event
// contains it.
const originSeparator = "|"

// withOrigin prefixes the event e with the origin of sink; a handle without sink
// (the CLI) sends the bare event, which every listener applies.
func withOrigin(sink *sinkPlugin, e string) string {
	if sink == nil {
		return e
	}
	return sink.origin + originSeparator + e
}

// fromOrigin splits a payload into its origin ("" for none) and event.
func fromOrigin(payload string) (origin, e string) {
	if o, e, ok := strings.Cut(payload, originSeparator); ok {
		return o, e
	}
	return "", payload
}
