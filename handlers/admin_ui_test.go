package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"bureau/handlers"
	webadmin "bureau/web-admin"
)

// The embedded web admin: index.html for the app's every path, revalidated
// on each load; hashed assets cached for good; precompressed forms chosen by
// Accept-Encoding, each with its own strong ETag; a strict CSP throughout.

const (
	uiIndex = `<!doctype html><html lang="en"><head><title>Bureau admin</title>` +
		`<script type="module" src="/admin/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>`
	uiScript = `console.log("the app")`
)

// uiFiles is a controlled build: index.html and one script with .br and .gz
// forms, a stylesheet with none, and a plain file at the root.
func uiFiles() fstest.MapFS {
	return fstest.MapFS{
		"index.html":                 {Data: []byte(uiIndex)},
		"index.html.br":              {Data: []byte("brotli(index)")},
		"index.html.gz":              {Data: []byte("gzip(index)")},
		"assets/index-abc123.js":     {Data: []byte(uiScript)},
		"assets/index-abc123.js.br":  {Data: []byte("brotli(script)")},
		"assets/index-abc123.js.gz":  {Data: []byte("gzip(script)")},
		"assets/plain-def456.css":    {Data: []byte("body{margin:0}")},
		"robots.txt":                 {Data: []byte("User-agent: *\nDisallow: /\n")},
		"assets/nested/deep-789.svg": {Data: []byte("<svg/>")},
	}
}

func uiRouter(t *testing.T, files fs.FS) *gin.Engine {
	t.Helper()
	srv := handlers.NewServer(handlers.Deps{Options: handlers.DefaultOptions(), AdminFiles: files})
	return srv.Router()
}

func uiGet(r http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// uiCheckCSP asserts the admin's policy: own scripts and styles only.
func uiCheckCSP(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", what, csp, want)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("%s: Content-Security-Policy %q allows %s", what, csp, bad)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, h.Get("X-Content-Type-Options"))
	}
}

func TestAdminUIServesTheAppForEveryPath(t *testing.T) {
	r := uiRouter(t, uiFiles())
	for _, path := range []string{
		"/admin/", "/admin/index.html", "/admin/departments/x/history", "/admin/setup",
		"/admin/offices?status=draft", "/admin/users/", "/admin/assets-like-but-not",
	} {
		w := uiGet(r, http.MethodGet, path, nil)
		if w.Code != http.StatusOK || w.Body.String() != uiIndex {
			t.Errorf("GET %s: %d %q, want index.html", path, w.Code, w.Body.String())
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache (a new release must show at once)", path, cc)
		}
		uiCheckCSP(t, "GET "+path, w.Header())
	}
}

func TestAdminUIRedirectsToTheSlash(t *testing.T) {
	r := uiRouter(t, uiFiles())
	for target, want := range map[string]string{"/admin": "/admin/", "/admin?next=%2Fusers": "/admin/?next=%2Fusers"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			w := uiGet(r, method, target, nil)
			if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != want {
				t.Errorf("%s %s: %d Location %q, want 301 to %s", method, target, w.Code, w.Header().Get("Location"), want)
			}
		}
	}
}

func TestAdminUIAssetsAreImmutable(t *testing.T) {
	r := uiRouter(t, uiFiles())
	for path, ct := range map[string]string{
		"/admin/assets/index-abc123.js":     "text/javascript; charset=utf-8",
		"/admin/assets/plain-def456.css":    "text/css; charset=utf-8",
		"/admin/assets/nested/deep-789.svg": "image/svg+xml",
	} {
		w := uiGet(r, http.MethodGet, path, nil)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: %d", path, w.Code)
			continue
		}
		if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q", path, got)
		}
		if got := w.Header().Get("Content-Type"); got != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", path, got, ct)
		}
		uiCheckCSP(t, "GET "+path, w.Header())
	}
	// A file outside assets/ is not content-hashed: cached briefly only.
	w := uiGet(r, http.MethodGet, "/admin/robots.txt", nil)
	if w.Code != http.StatusOK || strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("GET /admin/robots.txt: %d Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
	}
	// A stylesheet with no precompressed form varies on nothing.
	if w := uiGet(r, http.MethodGet, "/admin/assets/plain-def456.css", map[string]string{"Accept-Encoding": "br"}); w.Header().Get("Content-Encoding") != "" || w.Header().Get("Vary") != "" {
		t.Errorf("plain css: Content-Encoding %q Vary %q", w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
	}
}

func TestAdminUIMissingAssetIsAProblem(t *testing.T) {
	r := uiRouter(t, uiFiles())
	for _, path := range []string{
		"/admin/assets/index-old999.js", // a stale page asking for an old chunk
		"/admin/assets/index-abc123.js.br",
		"/admin/assets/",
		"/admin/assets/../index.html",
	} {
		w := uiGet(r, http.MethodGet, path, map[string]string{"Accept-Encoding": "br, gzip"})
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, w.Code)
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("GET %s: Content-Type %q, want a problem", path, ct)
		}
		if strings.Contains(w.Body.String(), "<html") || strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: a 404 must be neither the app nor cached for good: %s %q", path, w.Body.String(), w.Header().Get("Cache-Control"))
		}
	}
}

func TestAdminUIWithoutABuild(t *testing.T) {
	r := uiRouter(t, nil)
	for _, path := range []string{"/admin/", "/admin/departments", "/admin/assets/index-abc123.js"} {
		w := uiGet(r, http.MethodGet, path, nil)
		if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
			t.Errorf("GET %s without a build: %d %q", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
}

func TestAdminUIContentEncoding(t *testing.T) {
	r := uiRouter(t, uiFiles())
	for _, file := range []struct {
		path                  string
		identity, brotli, gzp string
	}{
		{"/admin/assets/index-abc123.js", uiScript, "brotli(script)", "gzip(script)"},
		{"/admin/", uiIndex, "brotli(index)", "gzip(index)"},
		{"/admin/departments/x/history", uiIndex, "brotli(index)", "gzip(index)"},
	} {
		bodies := map[string]string{"": file.identity, "br": file.brotli, "gzip": file.gzp}
		etags := map[string]string{} // encoding -> ETag
		for _, tc := range []struct{ accept, want string }{
			{"", ""},
			{"br", "br"},
			{"gzip", "gzip"},
			{"gzip, deflate, br", "br"},
			{"br;q=0.5, gzip", "gzip"},
			{"gzip;q=0", ""},
			{"identity", ""},
			{"*;q=0", ""},
			{"*", "br"},
		} {
			what := file.path + " with Accept-Encoding " + strconv.Quote(tc.accept)
			h := map[string]string{}
			if tc.accept != "" {
				h["Accept-Encoding"] = tc.accept
			}
			w := uiGet(r, http.MethodGet, file.path, h)
			if w.Code != http.StatusOK {
				t.Errorf("%s: %d", what, w.Code)
				continue
			}
			if got := w.Header().Get("Content-Encoding"); got != tc.want {
				t.Errorf("%s: Content-Encoding %q, want %q", what, got, tc.want)
			}
			if got := w.Body.String(); got != bodies[tc.want] {
				t.Errorf("%s: body %q, want %q", what, got, bodies[tc.want])
			}
			if got := w.Header().Get("Content-Length"); got != strconv.Itoa(len(bodies[tc.want])) {
				t.Errorf("%s: Content-Length %q, want %d", what, got, len(bodies[tc.want]))
			}
			if got := w.Header().Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
				t.Errorf("%s: Vary %q, want Accept-Encoding", what, got)
			}
			etag := w.Header().Get("ETag")
			if !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(etag) {
				t.Errorf("%s: ETag %q is not a strong validator", what, etag)
			}
			if prev, seen := etags[tc.want]; seen && prev != etag {
				t.Errorf("%s: ETag %q, but the same representation had %q", what, etag, prev)
			}
			etags[tc.want] = etag

			// Revalidation: 304 for the same representation, with its
			// validators and no body, under the same policy.
			h["If-None-Match"] = etag
			nm := uiGet(r, http.MethodGet, file.path, h)
			if nm.Code != http.StatusNotModified || nm.Body.Len() != 0 || nm.Header().Get("ETag") != etag ||
				nm.Header().Get("Vary") != "Accept-Encoding" || nm.Header().Get("Cache-Control") != w.Header().Get("Cache-Control") {
				t.Errorf("%s, If-None-Match %s: %d ETag %q Vary %q Cache-Control %q body %q", what, etag, nm.Code,
					nm.Header().Get("ETag"), nm.Header().Get("Vary"), nm.Header().Get("Cache-Control"), nm.Body.String())
			}
			h["If-None-Match"] = `W/` + etag + `, "other"`
			if nm := uiGet(r, http.MethodGet, file.path, h); nm.Code != http.StatusNotModified {
				t.Errorf("%s, weak If-None-Match in a list: %d, want 304", what, nm.Code)
			}

			// HEAD: the same headers, no body.
			delete(h, "If-None-Match")
			hd := uiGet(r, http.MethodHead, file.path, h)
			if hd.Code != http.StatusOK || hd.Body.Len() != 0 || hd.Header().Get("ETag") != etag ||
				hd.Header().Get("Content-Encoding") != tc.want || hd.Header().Get("Content-Length") != w.Header().Get("Content-Length") {
				t.Errorf("HEAD %s: %d ETag %q Content-Encoding %q Content-Length %q body %d bytes", what, hd.Code,
					hd.Header().Get("ETag"), hd.Header().Get("Content-Encoding"), hd.Header().Get("Content-Length"), hd.Body.Len())
			}
		}
		// One ETag per representation, all distinct.
		if len(etags) != 3 || etags[""] == etags["br"] || etags[""] == etags["gzip"] || etags["br"] == etags["gzip"] {
			t.Errorf("%s: ETags per representation %v, want three distinct", file.path, etags)
		}
		// Another representation's ETag does not validate this one.
		w := uiGet(r, http.MethodGet, file.path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etags["br"]})
		if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: gzip with the brotli ETag: %d %q, want 200 gzip", file.path, w.Code, w.Header().Get("Content-Encoding"))
		}
	}
}

// The real build in the binary: what index.html loads exists, and it holds
// nothing the CSP would block (inline script, <style>, style attributes).
func TestAdminUIEmbeddedBuild(t *testing.T) {
	files := webadmin.Files()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatalf("the embedded build has no index.html: %v", err)
	}
	page := string(index)
	r := uiRouter(t, files)

	refs := regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']([^"']*)["']`).FindAllStringSubmatch(page, -1)
	assets := 0
	for _, m := range refs {
		ref := m[1]
		switch {
		case strings.HasPrefix(ref, "data:"):
			continue
		case !strings.HasPrefix(ref, "/admin/assets/"):
			t.Errorf("index.html references %q, outside /admin/assets/", ref)
			continue
		}
		assets++
		w := uiGet(r, http.MethodGet, ref, map[string]string{"Accept-Encoding": "br, gzip"})
		if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s (from index.html): %d Cache-Control %q", ref, w.Code, w.Header().Get("Cache-Control"))
		}
		if ct := w.Header().Get("Content-Type"); strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/problem") {
			t.Errorf("GET %s: Content-Type %q", ref, ct)
		}
	}
	if assets == 0 {
		t.Error("index.html loads no script or style from /admin/assets/")
	}
	for _, m := range regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("index.html has an inline script, which the CSP blocks: %q", m[0])
		}
	}
	if regexp.MustCompile(`(?i)<style\b|\sstyle\s*=`).MatchString(page) {
		t.Error("index.html has inline style, which the CSP blocks")
	}
	if w := uiGet(r, http.MethodGet, "/admin/", nil); w.Code != http.StatusOK || w.Body.String() != page {
		t.Errorf("GET /admin/ does not serve the embedded index.html: %d", w.Code)
	}
	// Every precompressed file sits beside its original, and the gzip ones
	// decode to it (the standard library reads no brotli), so negotiation
	// never sends a form that says something else.
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		orig, isBr := strings.CutSuffix(p, ".br")
		if !isBr {
			var isGz bool
			if orig, isGz = strings.CutSuffix(p, ".gz"); !isGz {
				return nil
			}
		}
		want, err := fs.ReadFile(files, orig)
		if err != nil {
			t.Errorf("%s has no original %s", p, orig)
			return nil
		}
		if isBr {
			return nil
		}
		f, _ := files.Open(p)
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s does not decode to %s: %v", p, orig, err)
		}
		return nil
	})
}
