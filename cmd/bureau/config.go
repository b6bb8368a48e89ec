package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything Bureau reads from its environment, validated once at
// start and passed down explicitly.
type Config struct {
	Addr               string
	DatabaseURL        string
	DataDir            string // where the embedded database and generated secrets live
	JWTSecret          []byte // empty: generated once into DataDir (not in production)
	Env                string // "development" or "production"
	AdminOrigins       []string
	TrustedProxies     []string
	PublicCacheControl string
	MaxBodyBytes       int64
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	LogLevel           string
	LogFormat          string        // "text" or "json"
	ShutdownTimeout    time.Duration // how long in-flight requests may take to finish
	ShutdownDrain      time.Duration // how long to keep serving after SIGTERM, not ready
	DBTimeout          time.Duration // deadline of one request's database work
	// MemoryLimit is the Go runtime's soft memory limit for serve, in
	// bytes; 0 leaves it to the runtime (GOMEMLIMIT, or none).
	MemoryLimit int64
}

// Production reports whether BUREAU_ENV=production.
func (c Config) Production() bool { return c.Env == "production" }

// Embedded reports whether the database is the embedded SQLite file.
func (c Config) Embedded() bool { return strings.HasPrefix(c.DatabaseURL, "sqlite:") }

const minSecretLength = 32

// LoadConfig reads BUREAU_* variables through getenv (os.Getenv in main, a
// map in tests). Secrets may come from a file named by the _FILE variant.
func LoadConfig(getenv func(string) string) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		v, err := lookup(getenv, name)
		if err != nil {
			errs = append(errs, err)
		}
		if v == "" {
			return def
		}
		return v
	}
	c := Config{
		Addr:               get("BUREAU_ADDR", "127.0.0.1:8080"),
		DatabaseURL:        get("BUREAU_DATABASE_URL", "sqlite:./bureau-data/bureau.db"),
		JWTSecret:          []byte(get("BUREAU_JWT_SECRET", "")),
		Env:                get("BUREAU_ENV", "development"),
		AdminOrigins:       list(get("BUREAU_ADMIN_ORIGINS", "")),
		TrustedProxies:     list(get("BUREAU_TRUSTED_PROXIES", "")),
		PublicCacheControl: get("BUREAU_PUBLIC_CACHE_CONTROL", "public, max-age=60, stale-while-revalidate=300"),
		LogLevel:           strings.ToLower(get("BUREAU_LOG_LEVEL", "info")),
		LogFormat:          strings.ToLower(get("BUREAU_LOG_FORMAT", "")),
	}
	c.DataDir = get("BUREAU_DATA_DIR", "")
	if c.DataDir == "" {
		c.DataDir = "./bureau-data"
		if path, ok := strings.CutPrefix(c.DatabaseURL, "sqlite:"); ok && path != ":memory:" {
			c.DataDir = filepath.Dir(path)
		}
	}
	duration := func(name, def string) time.Duration {
		raw := get(name, def)
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive duration such as 15m", name, raw))
		}
		return d
	}
	c.AccessTokenTTL = duration("BUREAU_ACCESS_TOKEN_TTL", "15m")
	c.RefreshTokenTTL = duration("BUREAU_REFRESH_TOKEN_TTL", "720h")
	c.ShutdownTimeout = duration("BUREAU_SHUTDOWN_TIMEOUT", "20s")
	c.DBTimeout = duration("BUREAU_DB_TIMEOUT", "5s")
	// Behind a load balancer, keep serving for a few health-check intervals
	// after SIGTERM so it stops routing here before the port closes. A
	// developer's server (and the browser tests') stops at once.
	defaultDrain := "0s"
	if c.Production() {
		defaultDrain = "5s"
	}
	rawDrain := get("BUREAU_SHUTDOWN_DRAIN", defaultDrain)
	if rawDrain == "0" {
		rawDrain = "0s"
	}
	drain, err := time.ParseDuration(rawDrain)
	c.ShutdownDrain = drain
	if err != nil || drain < 0 {
		errs = append(errs, fmt.Errorf("BUREAU_SHUTDOWN_DRAIN: %q is not a duration such as 5s (0 for none)", rawDrain))
	}
	rawMax := get("BUREAU_MAX_BODY_BYTES", "1048576")
	maxBody, err := strconv.ParseInt(rawMax, 10, 64)
	if err != nil || maxBody < 1024 {
		errs = append(errs, fmt.Errorf("BUREAU_MAX_BODY_BYTES: %q must be a number of bytes, at least 1024", rawMax))
	}
	c.MaxBodyBytes = maxBody
	if raw := get("BUREAU_MEMORY_LIMIT", ""); raw != "" {
		limit, err := parseMemoryLimit(raw)
		if err != nil {
			errs = append(errs, err)
		}
		c.MemoryLimit = limit
	} else if getenv("GOMEMLIMIT") == "" {
		c.MemoryLimit = defaultMemoryLimit
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
		if c.Production() {
			c.LogFormat = "json"
		}
	}

	switch c.Env {
	case "development", "production", "test":
	default:
		errs = append(errs, fmt.Errorf("BUREAU_ENV: %q must be development, production or test", c.Env))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("BUREAU_ADDR: %q must be host:port", c.Addr))
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New(`BUREAU_DATABASE_URL: must start with "sqlite:" or "postgres://"`))
	}
	if len(c.JWTSecret) > 0 && len(c.JWTSecret) < minSecretLength {
		errs = append(errs, fmt.Errorf("BUREAU_JWT_SECRET: must be at least %d characters", minSecretLength))
	}
	if c.Production() && len(c.JWTSecret) == 0 {
		errs = append(errs, errors.New("BUREAU_JWT_SECRET (or BUREAU_JWT_SECRET_FILE) is required in production"))
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("BUREAU_TRUSTED_PROXIES: %q is not an IP address or CIDR range", p))
			}
		}
	}
	for _, o := range c.AdminOrigins {
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.Count(o, "/") != 2 {
			errs = append(errs, fmt.Errorf("BUREAU_ADMIN_ORIGINS: %q must be an origin such as https://admin.example.org", o))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("BUREAU_LOG_LEVEL: %q must be debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("BUREAU_LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	return c, errors.Join(errs...)
}

// lookup reads NAME, or the file named by NAME_FILE (trailing newline
// dropped). Setting both is an error: which should win would be a guess.
func lookup(getenv func(string) string, name string) (string, error) {
	v := getenv(name)
	file := getenv(name + "_FILE")
	if file == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set; set one", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func list(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
