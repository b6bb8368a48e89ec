package models

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// EventChannel is the PostgreSQL LISTEN/NOTIFY channel on which instances
// tell each other that published content, grants or users changed.
const EventChannel = "bureau_events"

// Event payloads. Content events are "office:<id>" or "department:<id>".
const (
	EventGrants = "grants"     // grants changed: reload the policy
	EventUser   = "user:"      // + user id: token version or activity changed
	EventAll    = "reload:all" // reload everything (after an import, say)
)

// ContentEvent is the payload announcing a change to one document.
func ContentEvent(kind Kind, id string) string { return string(kind) + ":" + id }

// Notify queues an event for the other instances. On PostgreSQL it is a
// NOTIFY sent inside tx, so it is delivered only if tx commits. SQLite is a
// single-instance database, so there is nobody else to tell.
func Notify(ctx context.Context, tx *gorm.DB, payload string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	return tx.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", EventChannel, payload).Error
}

// Listen delivers the events of other instances (and this one's) to handle,
// until ctx ends. It reconnects after a lost connection and then calls
// resync, since events sent while disconnected are lost. On SQLite it
// returns at once: there are no other instances.
func Listen(ctx context.Context, databaseURL string, log *slog.Logger, handle func(payload string), resync func()) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return
	}
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		err := listenOnce(ctx, databaseURL, func() {
			if !first {
				resync()
			}
			first = false
			backoff = time.Second
		}, handle)
		if ctx.Err() != nil {
			return
		}
		log.Warn("event listener disconnected; retrying", "error", redactURLError(err, databaseURL).Error(), "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

func listenOnce(ctx context.Context, databaseURL string, connected func(), handle func(string)) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+EventChannel); err != nil {
		return err
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		handle(n.Payload)
	}
}
