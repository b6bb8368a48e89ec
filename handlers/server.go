// Package handlers is Bureau's HTTP layer: the Gin router, the public read
// API, the admin API and operational endpoints. Handlers are methods on
// Server, which holds their dependencies; they return errors, and one place
// (problem.go) turns errors into answers.
package handlers

import (
	"io/fs"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/models/catalog"
	"bureau/policies"
)

// Options are the HTTP settings from the configuration.
type Options struct {
	// PublicCacheControl is sent with every public API answer.
	PublicCacheControl string
	// AdminOrigins may call the admin and auth API from a browser (CORS).
	AdminOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	// DBTimeout bounds the database work of one admin or sign-in request;
	// past it the answer is 503 with Retry-After.
	DBTimeout time.Duration
	// Production turns on Secure cookies and hides debugging aids.
	Production bool
}

// DefaultOptions are the settings used when the configuration says nothing.
func DefaultOptions() Options {
	return Options{
		PublicCacheControl: "public, max-age=60, stale-while-revalidate=300",
		MaxBodyBytes:       1 << 20,
		DBTimeout:          5 * time.Second,
	}
}

// Server holds what the handlers need.
type Server struct {
	db            *gorm.DB
	catalog       *catalog.Catalog
	log           *slog.Logger
	opts          Options
	metrics       *metrics
	registry      *prometheus.Registry
	ids           *requestIDs
	cacheControlH []string
	ready         readiness

	tokens     *auth.Tokens
	enforcer   *policies.Enforcer
	users      *userCache
	refreshTTL time.Duration
	hashing    *auth.HashGate
	passwords  auth.Params
	// nextThrottlePurge is when expired sign-in counters are next deleted
	// (Unix ns).
	nextThrottlePurge atomic.Int64

	admin     *adminApp
	setupGate *setupGate
}

// Deps are the dependencies of a Server, built by cmd/bureau.
type Deps struct {
	DB       *gorm.DB
	Catalog  *catalog.Catalog
	Log      *slog.Logger
	Registry *prometheus.Registry // where HTTP metrics are registered
	Options  Options

	Tokens     *auth.Tokens       // access tokens
	Enforcer   *policies.Enforcer // grants and role permissions
	RefreshTTL time.Duration      // lifetime of a refresh token
	// HashGate bounds concurrent password hashing; nil gets the default
	// capacity (newHashGate).
	HashGate *auth.HashGate
	// PasswordParams are the argon2id costs of new hashes and of the
	// unknown-email timing equaliser; zero means auth.DefaultParams. Tests
	// pass cheap ones.
	PasswordParams auth.Params

	AdminFiles fs.FS  // the built web admin (web-admin.Files()); nil serves none
	SetupToken string // one-time first-admin token while no account exists; "" for none
}

// NewServer wires a Server.
func NewServer(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = 30 * 24 * time.Hour
	}
	if d.HashGate == nil {
		d.HashGate = newHashGate()
	}
	if d.PasswordParams == (auth.Params{}) {
		d.PasswordParams = auth.DefaultParams
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	return &Server{
		db:            d.DB,
		catalog:       d.Catalog,
		log:           d.Log,
		opts:          d.Options,
		metrics:       newMetrics(d.Registry),
		registry:      d.Registry,
		ids:           newRequestIDs(),
		cacheControlH: []string{d.Options.PublicCacheControl},

		tokens:     d.Tokens,
		enforcer:   d.Enforcer,
		users:      newUserCache(),
		refreshTTL: d.RefreshTTL,
		hashing:    d.HashGate,
		passwords:  d.PasswordParams,

		admin:     loadAdminApp(d.AdminFiles),
		setupGate: &setupGate{token: d.SetupToken},
	}
}
