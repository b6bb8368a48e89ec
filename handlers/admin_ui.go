package handlers

import (
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// The web admin: a single-page app built into web-admin/dist and embedded in
// the binary. Hashed assets are cached for good; index.html is revalidated
// on every load so a new release is picked up at once; any other path under
// /admin/ is a deep link into the app and gets index.html.

// adminCSP allows only this origin's scripts and styles: no inline script,
// no inline style attribute, no eval, and no framing.
const adminCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// adminFile is one embedded file, prepared once: its bytes, its
// precompressed forms and validators.
type adminFile struct {
	contentType string
	body        []byte
	etag        string
	encoded     map[string][]byte // "br", "gzip"
}

type adminApp struct {
	index *adminFile
	files map[string]*adminFile // by path below /admin/, e.g. "assets/index-abc.js"
}

// loadAdminApp reads the embedded build once at start. A missing index.html
// means the binary was built without the admin; /admin/ then says so.
func loadAdminApp(files fs.FS) *adminApp {
	app := &adminApp{files: map[string]*adminFile{}}
	if files == nil {
		return app
	}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".br") {
			return nil
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return nil
		}
		f := &adminFile{contentType: contentTypeOf(p), body: body, etag: strongETag(body), encoded: map[string][]byte{}}
		for suffix, enc := range map[string]string{".br": "br", ".gz": "gzip"} {
			if b, err := fs.ReadFile(files, p+suffix); err == nil {
				f.encoded[enc] = b
			}
		}
		app.files[p] = f
		return nil
	})
	app.index = app.files["index.html"]
	return app
}

func contentTypeOf(p string) string {
	switch path.Ext(p) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".map":
		return "application/json"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	default:
		return "application/octet-stream"
	}
}

func (s *Server) adminRoutes(r *gin.Engine) {
	redirect := func(c *gin.Context) {
		to := "/admin/"
		if q := c.Request.URL.RawQuery; q != "" {
			to += "?" + q
		}
		c.Redirect(http.StatusMovedPermanently, to)
	}
	r.GET("/admin", redirect)
	r.HEAD("/admin", redirect)
	r.GET("/admin/*path", s.serveAdmin)
	r.HEAD("/admin/*path", s.serveAdmin)
}

func (s *Server) serveAdmin(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", adminCSP)
	p := strings.TrimPrefix(c.Param("path"), "/")
	if strings.HasPrefix(p, "assets/") {
		f := s.admin.files[p]
		if f == nil {
			// A missing asset is a 404, never the app: a stale page asking
			// for an old chunk must fail visibly, not parse HTML as script.
			writeProblem(c, errNotFound("no such file"))
			return
		}
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		writeAdminFile(c, f)
		return
	}
	if s.admin.index == nil {
		writeProblem(c, problem(http.StatusNotFound, "not-found", "this build of Bureau has no web admin"))
		return
	}
	if f := s.admin.files[p]; f != nil && p != "index.html" {
		h.Set("Cache-Control", "public, max-age=3600")
		writeAdminFile(c, f)
		return
	}
	h.Set("Cache-Control", "no-cache")
	writeAdminFile(c, s.admin.index)
}

// writeAdminFile sends f, precompressed when the client accepts it, with a
// strong ETag per representation (RFC 9110 8.8.3).
func writeAdminFile(c *gin.Context, f *adminFile) {
	h := c.Writer.Header()
	body, etag := f.body, f.etag
	if len(f.encoded) > 0 {
		h.Add("Vary", "Accept-Encoding")
		if enc := negotiateEncoding(c.GetHeader("Accept-Encoding"), availableEncodings(f)...); enc != "" {
			body = f.encoded[enc]
			etag = strings.TrimSuffix(f.etag, `"`) + "-" + enc + `"`
			h.Set("Content-Encoding", enc)
		}
	}
	h.Set("ETag", etag)
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	h.Set("Content-Type", f.contentType)
	// Always a length: the files are in memory, and without one net/http
	// chunks anything over its buffer.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body)
	}
}

func availableEncodings(f *adminFile) []string {
	out := make([]string, 0, 2)
	for _, enc := range []string{"br", "gzip"} { // brotli is smaller: prefer it
		if _, ok := f.encoded[enc]; ok {
			out = append(out, enc)
		}
	}
	return out
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, tag := range strings.Split(header, ",") {
		t := strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
