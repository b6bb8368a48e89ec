package handlers

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.json
var openAPIJSON []byte

//go:embed docs.html
var apiDocsHTML []byte

func (s *Server) openAPIDocument(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openAPIJSON)
}

func (s *Server) apiDocsPage(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", apiDocsHTML)
}
