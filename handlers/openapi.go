package handlers

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// The API's own description: handlers/openapi.json, kept honest by
// openapi_test.go against the router and real answers, and docs.html, a
// page that renders it without loading anything from elsewhere.

//go:embed openapi.json
var openAPISource []byte

//go:embed docs.html
var apiDocsHTML []byte

// The document is indented in the repository for review and sent compact;
// both are prepared once.
var (
	openAPIJSON = compactJSON(openAPISource)
	openAPIETag = strongETag(openAPIJSON)
	apiDocsETag = strongETag(apiDocsHTML)
	apiDocsCSP  = docsContentSecurityPolicy(apiDocsHTML)
)

func compactJSON(src []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, src); err != nil {
		panic("handlers/openapi.json is not valid JSON: " + err.Error())
	}
	return b.Bytes()
}

func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

var (
	inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	inlineStyle  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
)

// docsContentSecurityPolicy allows exactly the page's own inline script and
// style (by hash) and requests to this origin, so nothing injected into the
// page could run or phone out.
func docsContentSecurityPolicy(page []byte) string {
	hashes := func(re *regexp.Regexp) string {
		var out []string
		for _, m := range re.FindAllSubmatch(page, -1) {
			sum := sha256.Sum256(m[1])
			out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		if len(out) == 0 {
			return "'none'"
		}
		return strings.Join(out, " ")
	}
	return "default-src 'none'; script-src " + hashes(inlineScript) +
		"; style-src " + hashes(inlineStyle) +
		"; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func (s *Server) openAPIDocument(c *gin.Context) {
	writeStatic(c, "application/json", openAPIJSON, openAPIETag)
}

func (s *Server) apiDocsPage(c *gin.Context) {
	c.Header("Content-Security-Policy", apiDocsCSP)
	writeStatic(c, "text/html; charset=utf-8", apiDocsHTML, apiDocsETag)
}

// writeStatic sends an embedded file with a validator, or 304.
func writeStatic(c *gin.Context, contentType string, body []byte, etag string) {
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=300")
	for _, tag := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		if t := strings.TrimPrefix(strings.TrimSpace(tag), "W/"); t == etag || t == "*" {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
	}
	c.Data(http.StatusOK, contentType, body)
}
