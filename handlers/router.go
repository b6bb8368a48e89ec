package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"bureau/models"
	"bureau/policies"
)

// Router builds the HTTP routes. observe comes first: it assigns the
// request id every later log line carries, and it turns a panic anywhere
// after it into a 500 that is still counted and logged.
//
// Gin's mode is process-wide state, so the program sets it (cmd/bureau),
// not this package.
func (s *Server) Router() *gin.Engine {
	r := gin.New()
	if err := r.SetTrustedProxies(s.opts.TrustedProxies); err != nil {
		// The configuration validated these already; trust nobody if not.
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	// No automatic redirects to a path with or without a trailing slash:
	// Gin builds their Location from X-Forwarded-Prefix, which any client
	// can send (an open redirect), and an API's paths are exact anyway. A
	// near-miss is a 404 problem like any unknown path.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.NoRoute(func(c *gin.Context) { writeProblem(c, errNotFound("no such resource")) })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, problem(http.StatusMethodNotAllowed, "method-not-allowed", "this resource does not support "+c.Request.Method))
	})
	r.Use(s.observe(), s.everyRequest)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.handle(s.readyz))
	r.GET("/metrics", s.metricsHandler())

	r.GET("/api/openapi.json", publicCORS, s.openAPIDocument)
	r.HEAD("/api/openapi.json", publicCORS, s.openAPIDocument)
	r.GET("/api/docs", s.apiDocsPage)
	r.HEAD("/api/docs", s.apiDocsPage)
	s.adminRoutes(r)

	public := r.Group("/api/v1", publicCORS)
	for path, h := range map[string]handlerFunc{
		"/offices":           s.listOffices,
		"/offices/:slug":     s.getOffice,
		"/departments":       s.listDepartments,
		"/departments/:slug": s.getDepartment,
	} {
		public.GET(path, s.handle(h))
		public.HEAD(path, s.handle(h))
		public.OPTIONS(path, func(c *gin.Context) {}) // answered by publicCORS
	}

	// Sign-in. Login, refresh and first-run setup are the only API routes
	// without a token.
	authGroup := r.Group("/api/v1/auth", s.adminCORS, s.dbDeadline())
	authGroup.POST("/login", s.handle(s.login))
	authGroup.POST("/refresh", s.handle(s.refresh))
	authGroup.POST("/setup", s.handle(s.setup))
	authGroup.POST("/logout", s.authenticate, s.handle(s.logout))
	authGroup.GET("/me", s.authenticate, s.handle(s.me))
	authGroup.PATCH("/me", s.authenticate, s.handle(s.updateProfile))
	authGroup.POST("/password", s.authenticate, s.handle(s.changePassword))

	// The admin API: every route authenticates, then checks the role's
	// permission; handlers check the scope of the object they touch.
	admin := r.Group("/api/v1/admin", s.adminCORS, s.dbDeadline(), s.authenticate)
	s.contentRoutes(admin, models.KindOffice)
	s.contentRoutes(admin, models.KindDepartment)

	admin.GET("/trash", s.requireAnyScope(policies.ActionRestore, policies.ObjectOffices, policies.ObjectDepartments), s.handle(s.listTrash))
	admin.POST("/trash/:type/:id/restore", s.requireAnyScope(policies.ActionRestore, policies.ObjectOffices, policies.ObjectDepartments), s.handle(s.restoreFromTrash))

	admin.GET("/users", s.requireGlobal(policies.ObjectUsers, policies.ActionRead), s.handle(s.listUsers))
	admin.POST("/users", s.requireGlobal(policies.ObjectUsers, policies.ActionCreate), s.handle(s.createUser))
	admin.GET("/users/:id", s.requireGlobal(policies.ObjectUsers, policies.ActionRead), s.handle(s.getUser))
	admin.PATCH("/users/:id", s.requireGlobal(policies.ObjectUsers, policies.ActionUpdate), s.handle(s.updateUser))

	admin.GET("/grants", s.requireGlobal(policies.ObjectGrants, policies.ActionRead), s.handle(s.listGrants))
	admin.POST("/grants", s.requireGlobal(policies.ObjectGrants, policies.ActionCreate), s.handle(s.createGrant))
	admin.DELETE("/grants/:id", s.requireGlobal(policies.ObjectGrants, policies.ActionDelete), s.handle(s.deleteGrant))

	admin.GET("/roles", s.requireGlobal(policies.ObjectRoles, policies.ActionRead), s.handle(s.listRoles))
	admin.GET("/audit", s.requireGlobal(policies.ObjectAudit, policies.ActionRead), s.handle(s.listAudit))
	return r
}
