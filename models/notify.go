package models

import (
	"context"
	"log/slog"
	"net"
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

// Reconnection delays of the PostgreSQL listener: the first wait is long
// enough not to hammer a database that is restarting, the longest short
// enough that an instance catches up within seconds of its return.
const (
	listenRetryMin = 500 * time.Millisecond
	listenRetryMax = 3 * time.Second
)

// Listen delivers the events of other instances and processes to handle,
// until ctx ends, but not those written through db itself once db has a
// sink (OnCommit): that sink applied them already. It reports on connected
// whether events are being received: true once listening, false when the connection is lost (events
// sent meanwhile are lost with it, so a true after a false means "reload
// everything"). A caller who loads its caches after the first true misses
// nothing. The caller must read connected until Listen closes it on return.
//
// On PostgreSQL it LISTENs on a connection of its own (application_name
// "bureau-events" unless the URL names one) and reconnects quickly after a
// loss. On SQLite it polls the events table of db, and is connected from
// its first read on.
func Listen(ctx context.Context, db *gorm.DB, databaseURL string, log *slog.Logger, handle func(payload string), connected chan<- bool) {
	defer close(connected)
	handle = skipOwn(sinkOf(db), handle)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	report := func(up bool) {
		select {
		case connected <- up:
		case <-ctx.Done():
		}
	}
	if !isPostgresURL(databaseURL) {
		pollEvents(ctx, db, log, time.Second, handle, func() { report(true) })
		return
	}
	backoff := listenRetryMin
	for ctx.Err() == nil {
		wasUp := false
		err := listenOnce(ctx, databaseURL, func() {
			wasUp = true
			backoff = listenRetryMin
			report(true)
		}, handle)
		if ctx.Err() != nil {
			return
		}
		if wasUp {
			report(false)
		}
		log.Warn("event listener disconnected; retrying", "error", redactURLError(err, databaseURL).Error(), "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, listenRetryMax)
	}
}

// skipOwn drops the events sent through the handle of sink.
func skipOwn(sink *sinkPlugin, handle func(string)) func(string) {
	return func(payload string) {
		origin, e := fromOrigin(payload)
		if sink != nil && origin == sink.origin {
			return
		}
		handle(e)
	}
}

func listenOnce(ctx context.Context, databaseURL string, connected func(), handle func(string)) error {
	config, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return err
	}
	if config.RuntimeParams["application_name"] == "" {
		config.RuntimeParams["application_name"] = "bureau-events"
	}
	// An unreachable server must not hold a connection attempt for long;
	// keep-alives notice a connection that died without a word sooner.
	config.ConnectTimeout = 5 * time.Second
	config.DialFunc = (&net.Dialer{KeepAlive: 15 * time.Second}).DialContext
	conn, err := pgx.ConnectConfig(ctx, config)
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
