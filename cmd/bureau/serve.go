package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/policies"
	webadmin "bureau/web-admin"
)

// serve runs the HTTP server until ctx ends (SIGINT or SIGTERM). Then it
// turns not ready and keeps serving, with Connection: close, for
// cfg.ShutdownDrain so that load balancers move away, closes the port and
// lets in-flight requests finish for up to cfg.ShutdownTimeout.
func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	if err := prepareDatabase(ctx, cfg, log); err != nil {
		return err
	}
	// The database itself cuts a request's statements at the request
	// deadline too; migrations above ran without that limit.
	db, err := models.OpenWith(ctx, cfg.DatabaseURL, log, models.OpenOptions{StatementTimeout: cfg.DBTimeout})
	if err != nil {
		return err
	}
	defer models.Close(db)

	tokens, err := newTokens(cfg)
	if err != nil {
		return err
	}
	cat := catalog.New(db, log)
	enforcer, err := policies.NewEnforcer(db)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := handlers.DefaultOptions()
	opts.PublicCacheControl = cfg.PublicCacheControl
	opts.AdminOrigins = cfg.AdminOrigins
	opts.TrustedProxies = cfg.TrustedProxies
	opts.MaxBodyBytes = cfg.MaxBodyBytes
	opts.DBTimeout = cfg.DBTimeout
	opts.Production = cfg.Production()
	// While no account exists, a one-time link creates the first admin in
	// the browser. It is printed on standard output only, never logged.
	users, err := models.CountUsers(ctx, db)
	if err != nil {
		return err
	}
	setupToken := ""
	if users == 0 {
		if setupToken, err = auth.NewSetupToken(); err != nil {
			return err
		}
	}
	srv := handlers.NewServer(handlers.Deps{
		DB: db, Catalog: cat, Log: log, Registry: reg, Options: opts,
		Tokens: tokens, Enforcer: enforcer, RefreshTTL: cfg.RefreshTokenTTL,
		AdminFiles: webadmin.Files(), SetupToken: setupToken,
	})
	// The one place where this instance takes in its own committed changes
	// (models.Write hands them over after commit) and, through Listen below,
	// those of the other instances: the server refreshes its catalog, grants
	// and cached users.
	if err := models.OnCommit(db, srv.HandleEvent); err != nil {
		return err
	}

	// Other instances (and, on SQLite, the CLI) announce publications, grant
	// and session changes: PostgreSQL NOTIFY, or SQLite's events table; this
	// instance's own come back too and are skipped. The caches are loaded
	// once the listener runs, so no change slips between. Events keep
	// arriving while the server drains at shutdown.
	running, stopRunning := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRunning()
	connected := make(chan bool, 1)
	go models.Listen(running, db, cfg.DatabaseURL, log, func(payload string) { srv.HandleEvent(running, payload) }, connected)
	select {
	case <-connected: // the first report is always "connected"
		srv.SetListening(true)
	case <-time.After(10 * time.Second):
		log.Warn("not receiving change events from other instances yet; starting anyway, not ready")
		srv.SetListening(false)
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := withFewerCollections(func() error { return cat.LoadAll(ctx) }); err != nil {
		return err
	}
	warnIfNearMemoryLimit(log)
	if err := enforcer.Reload(); err != nil {
		return err
	}
	go srv.FollowListener(running, connected)

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
	host := browsableHost(listener.Addr())
	fmt.Fprintf(stdout, "Bureau is serving http://%s (database: %s; public: %d offices, %d departments)\n",
		host, models.DialectOf(db), offices, departments)
	fmt.Fprintf(stdout, "  the admin: http://%s/admin/\n", host)
	fmt.Fprintf(stdout, "  try: curl http://%s/api/v1/offices/occs\n", host)
	if setupToken != "" {
		fmt.Fprintln(stdout, "No user exists yet. Create the first admin in your browser (this link works once):")
		fmt.Fprintf(stdout, "  http://%s/admin/setup#%s\n", host, setupToken)
		fmt.Fprintln(stdout, "or on the command line:")
		fmt.Fprintln(stdout, "  bureau users create --email you@example.org --role admin --password-stdin")
	}

	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(listener) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.StartDraining()
	if cfg.ShutdownDrain > 0 {
		log.Info("shutting down: not ready, still serving", "drain", cfg.ShutdownDrain.String())
		select {
		case err := <-errc:
			return err
		case <-time.After(cfg.ShutdownDrain):
		}
	}
	log.Info("shutting down: finishing requests", "timeout", cfg.ShutdownTimeout.String())
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

// loadGCPercent is the collector's GOGC while the catalog loads.
const loadGCPercent = 200

// withFewerCollections runs fn, the catalog's first load, with the collector
// running less often. What the load keeps only grows, so each collection
// marks all of it: for 20,000 departments the collector takes 0.26-0.28 s
// of CPU at GOGC=100, 0.10-0.13 s at 200, 0.07-0.09 s at 400
// (BenchmarkLoadLarge, gc-cpu-ms). 400 would also raise the load's peak
// RSS from about 250 MB to the memory limit (350 MB), which every later
// peak includes; 200 keeps it near 300 MB. Only under a memory limit, which
// still bounds the peak; an operator's higher GOGC (or off) is kept.
func withFewerCollections(fn func() error) error {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		return fn()
	}
	// Reading GOGC means setting it: read with a value that changes
	// nothing (the current one) before deciding.
	prev := debug.SetGCPercent(-1)
	debug.SetGCPercent(prev)
	if prev < 0 || prev >= loadGCPercent {
		return fn()
	}
	debug.SetGCPercent(loadGCPercent)
	defer debug.SetGCPercent(prev)
	return fn()
}

// prepareDatabase brings the schema up to date and loads the demo content
// into a new embedded database, on a connection of its own: a migration may
// run longer than any request may.
func prepareDatabase(ctx context.Context, cfg Config, log *slog.Logger) error {
	return withDB(ctx, cfg, log, func(db *gorm.DB) error {
		if !cfg.Embedded() {
			return nil
		}
		empty, err := models.IsEmpty(ctx, db)
		if err != nil || !empty {
			return err
		}
		n, err := models.SeedDemo(ctx, db)
		if err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		log.Info("loaded the demo content into the new embedded database", "documents", n)
		return nil
	})
}

// newTokens builds the access-token issuer. Without a configured secret
// (development only: production refuses to start) one is generated once
// and kept in the data directory, so sessions survive restarts.
func newTokens(cfg Config) (*auth.Tokens, error) {
	secret := cfg.JWTSecret
	if len(secret) == 0 {
		var err error
		if secret, err = auth.LoadOrCreateSecret(filepath.Join(cfg.DataDir, "jwt-secret")); err != nil {
			return nil, fmt.Errorf("JWT secret: %w", err)
		}
	}
	return auth.NewTokens(auth.TokenConfig{Secret: secret, Issuer: "bureau", Audience: "bureau-admin", TTL: cfg.AccessTokenTTL})
}

// browsableHost is the listening address as a browser can open it: a
// wildcard listener (0.0.0.0:8080, [::]:8080, as in a container) is reached
// at localhost on this machine.
func browsableHost(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
