package handlers

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"bureau/models"
)

// readiness is what /readyz knows besides the database itself: whether
// change events from other instances arrive, and whether the server is
// shutting down. cmd/bureau sets both.
type readiness struct {
	events   atomic.Int32 // one of eventsUntracked, eventsUp, eventsDown
	draining atomic.Bool
}

const (
	eventsUntracked int32 = iota // no listener wired (tests, a lone process)
	eventsUp
	eventsDown
)

// SetListening records whether the event listener receives other
// instances' changes. While it does not, this instance may serve stale
// content and grants, so /readyz says not ready.
func (s *Server) SetListening(up bool) {
	if up {
		s.ready.events.Store(eventsUp)
	} else {
		s.ready.events.Store(eventsDown)
	}
}

// FollowListener keeps readiness in step with models.Listen's reports until
// it closes connected. After a reconnection every cache is reloaded before
// the instance says it is ready again: events sent meanwhile were lost.
func (s *Server) FollowListener(ctx context.Context, connected <-chan bool) {
	for up := range connected {
		if !up {
			s.log.Warn("not receiving change events from other instances: not ready until reconnected")
			s.SetListening(false)
			continue
		}
		s.Resync(ctx)
		s.SetListening(true)
		s.log.Info("receiving change events; caches reloaded")
	}
}

// StartDraining begins a graceful shutdown: /readyz answers 503 at once so
// load balancers stop sending traffic here, and every answer carries
// Connection: close so clients move their keep-alive connections elsewhere,
// while requests are still served.
func (s *Server) StartDraining() { s.ready.draining.Store(true) }

// closeWhileDraining asks clients to close their connection after this
// answer once shutdown has begun.
func (s *Server) closeWhileDraining(h http.Header) {
	if s.ready.draining.Load() {
		h["Connection"] = hClose
	}
}

var hClose = []string{"close"}

// healthz answers while the process runs: for liveness probes.
func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when the database is reachable, its schema is
// current, change events arrive and the server is not shutting down: for
// readiness probes and load balancers. Its body names each dependency and
// its state, so an operator sees at once which one is down.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "migrations": "ok", "events": "ok"}
	var down []string
	sqlDB, err := s.db.DB()
	if err != nil || sqlDB.PingContext(ctx) != nil {
		checks["database"], checks["migrations"] = "unreachable", "unknown"
		down = append(down, "the database is not reachable")
	} else if applied, err := models.MigrationsApplied(ctx, s.db); err != nil || !applied {
		checks["migrations"] = "pending"
		down = append(down, "the database schema is not up to date")
	}
	switch s.ready.events.Load() {
	case eventsUntracked:
		checks["events"] = "not tracked"
	case eventsDown:
		checks["events"] = "disconnected"
		down = append(down, "changes from other instances are not being received")
	}
	if s.ready.draining.Load() {
		c.Writer.Header()["Connection"] = hClose // even if draining began mid-request
		checks["shutdown"] = "draining"
		down = append(down, "the server is shutting down")
	}
	c.Header("Cache-Control", "no-store")
	if len(down) > 0 {
		p := problem(http.StatusServiceUnavailable, "not-ready", strings.Join(down, "; "))
		p.Checks = checks
		p.retryAfter = 5
		return p
	}
	offices, departments := s.catalog.Counts()
	c.JSON(http.StatusOK, gin.H{
		"status":   "ready",
		"database": string(models.DialectOf(s.db)),
		"schema":   models.LatestMigration(),
		"public":   gin.H{"offices": offices, "departments": departments},
		"checks":   checks,
	})
	return nil
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
