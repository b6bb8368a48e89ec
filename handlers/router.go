package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Router builds the HTTP routes. Middleware order matters: the request id
// comes first so every later log line carries it; observe wraps recoverer
// so a panic is still counted and logged as a 500.
func (s *Server) Router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(s.opts.TrustedProxies); err != nil {
		// The configuration validated these already; trust nobody if not.
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { writeProblem(c, errNotFound("no such resource")) })
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, problem(http.StatusMethodNotAllowed, "method-not-allowed", "this resource does not support "+c.Request.Method))
	})
	r.Use(requestIDMiddleware(s.ids), s.observe(), s.recoverer(), securityHeaders, s.limitBody())

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.handle(s.readyz))
	r.GET("/metrics", s.metricsHandler())

	r.GET("/api/openapi.json", publicCORS, s.openAPIDocument)
	r.GET("/api/docs", s.apiDocsPage)

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
	return r
}
