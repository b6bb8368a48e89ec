// Command bureau runs the Bureau CMS and its maintenance tasks.
//
//	bureau serve          run the HTTP server (migrates; demo content into an empty embedded database)
//	bureau migrate        apply database migrations
//	bureau seed demo      load the demo content (idempotent)
//	bureau users create   create a user with a grant (the first admin is made this way)
//	bureau users set-password
//	bureau export         write a backup of the whole instance
//	bureau import         restore a backup into an empty database (or --replace)
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/gin-gonic/gin"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gorm.io/gorm"

	"bureau/handlers"
	"bureau/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bureau:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) + "\n\n" + usageText }

const usageText = `usage:
  bureau serve                    run the server (BUREAU_ADDR, default 127.0.0.1:8080)
  bureau migrate                  apply database migrations
  bureau seed demo                load the demo content; running it again changes nothing
  bureau users create --email E --role R [--scope S] [--name N] --password-stdin
  bureau users set-password --email E --password-stdin
  bureau export [--output FILE]   write a backup of everything (default and "-": standard output)
  bureau import --input FILE [--replace]
                                  restore a backup ("-": standard input) into an empty database,
                                  or replace everything in it
  bureau healthcheck              exit 0 when the server at BUREAU_ADDR is ready (for containers)

Configuration comes from BUREAU_* environment variables; see the README.`

// run is main without process globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("no command given")
	}
	// Gin's process-wide mode: release mode prints no route table or
	// debug warnings onto standard output, which carries the setup link.
	gin.SetMode(gin.ReleaseMode)
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usageText)
		return nil
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, stderr)
	switch args[0] {
	case "serve":
		// The server logs a line per request: buffer them.
		out := newBufferedLog(stderr)
		defer out.Close()
		return serve(ctx, cfg, newLogger(cfg, out), stdout)
	case "migrate":
		return withDB(ctx, cfg, log, func(db *gorm.DB) error {
			fmt.Fprintf(stdout, "schema is up to date (%s)\n", models.LatestMigration())
			return nil
		})
	case "seed":
		if len(args) != 2 || args[1] != "demo" {
			return usageError("seed takes one argument: demo")
		}
		return withDB(ctx, cfg, log, func(db *gorm.DB) error {
			n, err := models.SeedDemo(ctx, db)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "demo content: %d documents created, the rest were already there\n", n)
			return nil
		})
	case "users":
		return usersCommand(ctx, cfg, log, args[1:], stdin, stdout)
	case "export":
		return exportCommand(ctx, cfg, log, args[1:], stdout, stderr)
	case "import":
		return importCommand(ctx, cfg, log, args[1:], stdin, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, cfg, stdout)
	}
	return usageError(fmt.Sprintf("unknown command %q", args[0]))
}

// withDB opens and migrates the database for a one-off command.
func withDB(ctx context.Context, cfg Config, log *slog.Logger, fn func(db *gorm.DB) error) error {
	db, err := models.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if err := models.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return fn(db)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	// slog's text or JSON handler, with a direct path for request lines.
	return slog.New(handlers.NewLogHandler(w, cfg.LogFormat == "json", level))
}

// healthcheck asks the running server whether it is ready: container images
// without a shell or curl use it as their health check.
func healthcheck(ctx context.Context, cfg Config, stdout io.Writer) error {
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not ready: %s", resp.Status)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}
