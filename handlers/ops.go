package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"bureau/models"
)

// healthz answers while the process runs: for liveness probes.
func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when the database is reachable and its schema is
// current: for readiness probes and load balancers.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	notReady := func(detail string) error {
		p := problem(http.StatusServiceUnavailable, "not-ready", detail)
		p.retryAfter = 5
		return p
	}
	sqlDB, err := s.db.DB()
	if err != nil || sqlDB.PingContext(ctx) != nil {
		return notReady("the database is not reachable")
	}
	applied, err := models.MigrationsApplied(ctx, s.db)
	if err != nil || !applied {
		return notReady("the database schema is not up to date")
	}
	offices, departments := s.catalog.Counts()
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{
		"status":   "ready",
		"database": string(models.DialectOf(s.db)),
		"schema":   models.LatestMigration(),
		"public":   gin.H{"offices": offices, "departments": departments},
	})
	return nil
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
