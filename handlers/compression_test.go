package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// decodeAs undoes a Content-Encoding.
func decodeAs(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("unexpected Content-Encoding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	return out
}

// The compressed public answers: every prepared answer big enough to gain
// (documents, list pages, the OpenAPI document and page) in the coding the
// client's Accept-Encoding picks, and otherwise the same answer.
var compressedPaths = []string{
	"/api/v1/offices/occs", "/api/v1/departments/ecce", "/api/v1/departments?limit=20",
	"/api/v1/departments?office=occs&sort=-name", "/api/openapi.json", "/api/docs",
}

var negotiationTable = []struct {
	accept string
	want   string // Content-Encoding; "" for identity
}{
	{"", ""},
	{"gzip", "gzip"},
	{"br", "br"},
	{"gzip, deflate, br, zstd", "br"}, // a browser: our preference decides
	{"gzip, deflate", "gzip"},
	{"x-gzip", "gzip"},
	{"br;q=0.5, gzip;q=0.9", "gzip"},
	{"br;q=0, gzip", "gzip"},
	{"gzip;q=0", ""},
	{"gzip;q=0, br;q=0", ""},
	{"*", "br"},
	{"*;q=0", ""},
	{"br;q=0, *", "gzip"},
	{"identity", ""},
	{"identity;q=1, gzip;q=0.5", ""}, // identity weighed higher is respected
	{"identity;q=0.5, gzip", "gzip"},
	{"identity;q=0", ""}, // nothing else offered: identity anyway, never a 406
	{"deflate, zstd", ""},
}

func TestContentNegotiation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, path := range compressedPaths {
			plain := env.do(request{Path: path})
			if plain.Code != 200 {
				t.Fatalf("%s: %d", path, plain.Code)
			}
			tag := plain.Header.Get("ETag")
			for _, tc := range negotiationTable {
				t.Run(path+" "+tc.accept, func(t *testing.T) {
					get := env.do(request{Path: path, Header: map[string]string{"Accept-Encoding": tc.accept}})
					h := get.Header
					if get.Code != 200 || h.Get("Content-Encoding") != tc.want {
						t.Fatalf("%d, Content-Encoding %q, want %q", get.Code, h.Get("Content-Encoding"), tc.want)
					}
					if !bytes.Equal(decodeAs(t, tc.want, get.Body), plain.Body) {
						t.Errorf("the body does not decode to the plain answer")
					}
					if tc.want != "" && len(get.Body) >= len(plain.Body) {
						t.Errorf("%s answer of %d bytes for %d plain", tc.want, len(get.Body), len(plain.Body))
					}
					wantTag := tag
					if tc.want != "" {
						wantTag = strings.TrimSuffix(tag, `"`) + "-" + tc.want + `"`
					}
					want := map[string]string{
						"ETag":                        wantTag,
						"Content-Length":              strconv.Itoa(len(get.Body)),
						"Vary":                        "Accept-Encoding",
						"Content-Type":                plain.Header.Get("Content-Type"),
						"Cache-Control":               plain.Header.Get("Cache-Control"),
						"Last-Modified":               plain.Header.Get("Last-Modified"),
						"Access-Control-Allow-Origin": plain.Header.Get("Access-Control-Allow-Origin"),
						"X-Content-Type-Options":      "nosniff",
					}
					for k, v := range want {
						if got := h.Get(k); got != v {
							t.Errorf("%s: %q, want %q", k, got, v)
						}
					}
					// HEAD: the same headers, no body.
					head := env.do(request{Method: http.MethodHead, Path: path, Header: map[string]string{"Accept-Encoding": tc.accept}})
					if head.Code != 200 || len(head.Body) != 0 {
						t.Errorf("HEAD: %d with %d bytes", head.Code, len(head.Body))
					}
					for _, k := range []string{"ETag", "Content-Length", "Content-Encoding", "Content-Type", "Vary", "Cache-Control", "Last-Modified", "Access-Control-Allow-Origin"} {
						if head.Header.Get(k) != h.Get(k) {
							t.Errorf("HEAD %s: %q, GET %q", k, head.Header.Get(k), h.Get(k))
						}
					}
				})
			}
		}
	})
}

// TestNotModifiedForAnyRepresentation: the tag of any representation gets
// a 304, carrying the tag of the one a 200 would send, whatever coding the
// client now accepts; a tag of another content does not.
func TestNotModifiedForAnyRepresentation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, path := range compressedPaths {
			plain := env.do(request{Path: path})
			base := strings.TrimSuffix(plain.Header.Get("ETag"), `"`)
			tags := []string{base + `"`, base + `-gzip"`, base + `-br"`, "W/" + base + `-br"`, `"other", ` + base + `-gzip"`, "*"}
			for _, inm := range tags {
				for _, accept := range []string{"", "gzip", "br", "gzip, br"} {
					for _, method := range []string{http.MethodGet, http.MethodHead} {
						rec := env.do(request{Method: method, Path: path, Header: map[string]string{"If-None-Match": inm, "Accept-Encoding": accept}})
						h := rec.Header
						wantTag := base + `"`
						switch accept {
						case "gzip":
							wantTag = base + `-gzip"`
						case "br", "gzip, br":
							wantTag = base + `-br"`
						}
						if rec.Code != 304 || len(rec.Body) != 0 || h.Get("ETag") != wantTag {
							t.Errorf("%s %s If-None-Match %s, Accept-Encoding %q: %d, ETag %s (want 304, %s)", method, path, inm, accept, rec.Code, h.Get("ETag"), wantTag)
							continue
						}
						if h.Get("Vary") != "Accept-Encoding" || h.Get("Cache-Control") != plain.Header.Get("Cache-Control") ||
							h.Get("Access-Control-Allow-Origin") != plain.Header.Get("Access-Control-Allow-Origin") ||
							h.Get("Last-Modified") != plain.Header.Get("Last-Modified") {
							t.Errorf("%s %s 304: headers differ from the 200's: %v", method, path, h)
						}
						for _, k := range []string{"Content-Encoding", "Content-Length", "Content-Type"} {
							if v := h.Get(k); v != "" {
								t.Errorf("%s %s 304 has %s: %s", method, path, k, v)
							}
						}
					}
				}
			}
			for _, inm := range []string{base + `-zstd"`, base + `x-br"`, `"` + base[1:] + `"`[:0] + `"nope"`} {
				if rec := env.do(request{Path: path, Header: map[string]string{"If-None-Match": inm, "Accept-Encoding": "br"}}); rec.Code != 200 {
					t.Errorf("%s If-None-Match %s: %d, want 200", path, inm, rec.Code)
				}
			}
		}
	})
}

// TestSmallAnswersStayUncompressed: below the 1 kB threshold nothing is
// gained, so the answer is identity whatever is accepted, still with Vary.
func TestSmallAnswersStayUncompressed(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		rec := env.do(request{Path: "/api/v1/offices", Header: map[string]string{"Accept-Encoding": "gzip, br"}})
		if rec.Code != 200 || len(rec.Body) >= 1024 || rec.Header.Get("Content-Encoding") != "" || rec.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%d, %d bytes, Content-Encoding %q, Vary %q", rec.Code, len(rec.Body), rec.Header.Get("Content-Encoding"), rec.Header.Get("Vary"))
		}
		// An error is never compressed either, and its tags are not ours.
		if rec := env.do(request{Path: "/api/v1/offices/nope", Header: map[string]string{"Accept-Encoding": "br"}}); rec.Code != 404 || rec.Header.Get("Content-Encoding") != "" {
			t.Errorf("404: %d, Content-Encoding %q", rec.Code, rec.Header.Get("Content-Encoding"))
		}
	})
}

// TestCompressedAnswersThroughARealServer: over a real connection, Go's
// client (which asks for gzip and decodes it) reads the same JSON.
func TestCompressedAnswersThroughARealServer(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		srv := httptest.NewServer(env.router)
		defer srv.Close()
		res, err := http.Get(srv.URL + "/api/v1/offices/occs")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if !res.Uncompressed || !bytes.Equal(body, env.do(request{Path: "/api/v1/offices/occs"}).Body) {
			t.Errorf("decoded by the client: %v, same body: %v", res.Uncompressed, bytes.Equal(body, env.do(request{Path: "/api/v1/offices/occs"}).Body))
		}
	})
}
