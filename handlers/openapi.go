package handlers

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"bureau/models/catalog"
)

// The API's own description: handlers/openapi.json, kept honest by
// openapi_test.go against the router and real answers, and docs.html, a
// page that renders it without loading anything from elsewhere.

//go:embed openapi.json
var openAPISource []byte

//go:embed docs.html
var apiDocsHTML []byte

// The document is indented in the repository for review and sent compact;
// both are prepared once, with their gzip and brotli copies, on first use
// (the CLI's other commands never pay for compressing them).
var (
	openAPIJSON = compactJSON(openAPISource)
	openAPIDoc  = sync.OnceValue(func() catalog.Doc { return catalog.NewStaticDoc(openAPIJSON) })
	apiDocsDoc  = sync.OnceValue(func() catalog.Doc { return catalog.NewStaticDoc(apiDocsHTML) })
	apiDocsCSP  = docsContentSecurityPolicy(apiDocsHTML)
)

func compactJSON(src []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, src); err != nil {
		panic("handlers/openapi.json is not valid JSON: " + err.Error())
	}
	return b.Bytes()
}

// strongETag is the admin UI files' validator (the same form as a Doc's).
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
	writePrepared(c, openAPIDoc(), jsonContentType, staticCacheControl)
}

func (s *Server) apiDocsPage(c *gin.Context) {
	c.Header("Content-Security-Policy", apiDocsCSP)
	writePrepared(c, apiDocsDoc(), htmlContentType, staticCacheControl)
}

var (
	htmlContentType    = []string{"text/html; charset=utf-8"}
	staticCacheControl = []string{"public, max-age=300"}
)
