package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
)

// serve runs the HTTP server until ctx ends (SIGINT or SIGTERM), then drains
// in-flight requests for up to cfg.ShutdownTimeout.
func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	db, err := models.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if err := models.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cfg.Embedded() {
		empty, err := models.IsEmpty(ctx, db)
		if err != nil {
			return err
		}
		if empty {
			n, err := models.SeedDemo(ctx, db)
			if err != nil {
				return fmt.Errorf("load demo content: %w", err)
			}
			log.Info("loaded the demo content into the new embedded database", "documents", n)
		}
	}

	cat := catalog.New(db, log)
	if err := cat.LoadAll(ctx); err != nil {
		return err
	}
	// Other instances announce publications over PostgreSQL NOTIFY.
	go models.Listen(ctx, cfg.DatabaseURL, log, func(payload string) {
		if err := cat.Refresh(ctx, payload); err != nil {
			log.Error("refresh public content", "event", payload, "error", err.Error())
		}
	}, func() {
		if err := cat.LoadAll(ctx); err != nil {
			log.Error("reload public content", "error", err.Error())
		}
	})

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := handlers.DefaultOptions()
	opts.PublicCacheControl = cfg.PublicCacheControl
	opts.AdminOrigins = cfg.AdminOrigins
	opts.TrustedProxies = cfg.TrustedProxies
	opts.MaxBodyBytes = cfg.MaxBodyBytes
	opts.Production = cfg.Production()
	srv := handlers.NewServer(handlers.Deps{DB: db, Catalog: cat, Log: log, Registry: reg, Options: opts})

	httpServer := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv.Router(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	offices, departments := cat.Counts()
	fmt.Fprintf(stdout, "Bureau is serving http://%s (database: %s; public: %d offices, %d departments)\n",
		listener.Addr(), models.DialectOf(db), offices, departments)
	fmt.Fprintf(stdout, "  try: curl http://%s/api/v1/offices/occs\n", listener.Addr())

	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(listener) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
