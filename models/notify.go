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

// event is a change announced through the events table (SQLite).
type event struct {
	ID        int64
	Payload   string
	CreatedAt time.Time
}

// Notify queues an event for the other instances and processes. It is sent
// inside tx, so it is delivered only if tx commits: on PostgreSQL as a
// NOTIFY, on SQLite as a row of the events table, which a server polls (the
// other process there is the CLI, say `bureau users create`).
func Notify(ctx context.Context, tx *gorm.DB, payload string) error {
	if DialectOf(tx) != Postgres {
		return tx.WithContext(ctx).Create(&event{Payload: payload, CreatedAt: time.Now().UTC()}).Error
	}
	return tx.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", EventChannel, payload).Error
}

// Listen delivers the events of other instances (and this one's) to handle,
// until ctx ends. ready is called once events are being received, so that
// a caller who loads its caches after it misses nothing. On PostgreSQL it
// LISTENs, reconnects after a lost connection and then calls resync, since
// events sent while disconnected are lost. On SQLite it polls the events
// table of db.
func Listen(ctx context.Context, db *gorm.DB, databaseURL string, log *slog.Logger, handle func(payload string), resync, ready func()) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		pollEvents(ctx, db, log, time.Second, handle, ready)
		return
	}
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		err := listenOnce(ctx, databaseURL, func() {
			if first {
				ready()
			} else {
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

// pollEvents hands rows of the events table newer than those present at
// start to handle, every interval, and deletes rows older than an hour.
func pollEvents(ctx context.Context, db *gorm.DB, log *slog.Logger, interval time.Duration, handle func(string), ready func()) {
	db = db.WithContext(ctx)
	var last int64
	if err := db.Model(&event{}).Select("COALESCE(MAX(id), 0)").Scan(&last).Error; err != nil && ctx.Err() == nil {
		log.Warn("read events", "error", err.Error())
	}
	ready()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		var events []event
		if err := db.Where("id > ?", last).Order("id").Limit(1000).Find(&events).Error; err != nil {
			if ctx.Err() == nil {
				log.Warn("read events", "error", err.Error())
			}
			continue
		}
		for _, e := range events {
			handle(e.Payload)
			last = e.ID
		}
		if n%600 == 0 {
			db.Where("created_at < ?", time.Now().UTC().Add(-time.Hour)).Delete(&event{})
		}
	}
}
