package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"bureau/handlers"
	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

const pubCacheControl = "public, max-age=60, stale-while-revalidate=300"

type pubProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// pubScenario is one request and what must come back, PocketBase style.
type pubScenario struct {
	name    string
	method  string // GET when empty
	url     string
	headers map[string]string // "$ETAG" and "$LASTMOD" stand for the occs office's validators

	status      int
	contains    []string // body fragments
	notContains []string
	header      map[string]string // exact header values ("$ETAG" as above)
	noHeader    []string
	emptyBody   bool
	fields      []string // problem errors[].field, in order
	check       func(t *testing.T, rec *response)
}

func (s pubScenario) run(t *testing.T, env *testEnv) {
	t.Helper()
	occs, _ := env.catalog.Office("occs")
	expand := strings.NewReplacer("$ETAG", occs.ETag, "$LASTMOD", occs.LastModHTTP).Replace
	headers := map[string]string{}
	for k, v := range s.headers {
		headers[k] = expand(v)
	}
	method := s.method
	if method == "" {
		method = http.MethodGet
	}
	rec := env.serve(t, request{Method: method, Path: s.url, Header: headers})
	body := string(rec.Body)
	if rec.Code != s.status {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, s.url, rec.Code, s.status, body)
	}
	for _, frag := range s.contains {
		if !strings.Contains(body, frag) {
			t.Errorf("body lacks %q:\n%s", frag, body)
		}
	}
	for _, frag := range s.notContains {
		if strings.Contains(body, frag) {
			t.Errorf("body contains %q:\n%s", frag, body)
		}
	}
	for k, v := range s.header {
		if got := rec.Header.Get(k); got != expand(v) {
			t.Errorf("header %s = %q, want %q", k, got, expand(v))
		}
	}
	for _, k := range s.noHeader {
		if got, ok := rec.Header[http.CanonicalHeaderKey(k)]; ok {
			t.Errorf("unexpected header %s: %q", k, got)
		}
	}
	if s.emptyBody && body != "" {
		t.Errorf("body should be empty, got %q", body)
	}
	if rec.Code >= 400 {
		pubCheckProblem(t, rec, s.fields)
	} else if s.fields != nil {
		t.Errorf("fields given for a success")
	}
	if s.check != nil {
		s.check(t, rec)
	}
}

// pubCheckProblem asserts an RFC 9457 answer and the fields it names.
func pubCheckProblem(t *testing.T, rec *response, fields []string) pubProblem {
	t.Helper()
	if ct := rec.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if cc := rec.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("error Cache-Control %q, want no-store", cc)
	}
	var p pubProblem
	if err := json.Unmarshal(rec.Body, &p); err != nil {
		t.Fatalf("problem body %q: %v", string(rec.Body), err)
	}
	if !strings.HasPrefix(p.Type, "urn:bureau:problem:") || p.Title != http.StatusText(rec.Code) || p.Status != rec.Code || p.Detail == "" {
		t.Errorf("problem %+v for status %d", p, rec.Code)
	}
	var got []string
	for _, fe := range p.Errors {
		got = append(got, fe.Field)
		if fe.Message == "" {
			t.Errorf("error for %s has no message", fe.Field)
		}
	}
	if !slices.Equal(got, fields) {
		t.Errorf("problem fields %v, want %v", got, fields)
	}
	return p
}

type pubList struct {
	Data []struct {
		Slug            string `json:"slug"`
		Name            string `json:"name"`
		DepartmentCount int    `json:"department_count"`
		Position        int    `json:"position"`
	} `json:"data"`
	Meta struct {
		Total  int `json:"total"`
		Limit  int `json:"limit"`
		Offset int `json:"offset"`
	} `json:"meta"`
}

func pubDecodeList(t *testing.T, rec *response) pubList {
	t.Helper()
	var l pubList
	if err := json.Unmarshal(rec.Body, &l); err != nil {
		t.Fatalf("list body %q: %v", string(rec.Body), err)
	}
	return l
}

// pubWantList checks a list answer's slugs and meta.
func pubWantList(slugs []string, total, limit, offset int) func(*testing.T, *response) {
	return func(t *testing.T, rec *response) {
		t.Helper()
		l := pubDecodeList(t, rec)
		var got []string
		for _, d := range l.Data {
			got = append(got, d.Slug)
		}
		if !slices.Equal(got, slugs) {
			t.Errorf("slugs %v, want %v", got, slugs)
		}
		if l.Meta.Total != total || l.Meta.Limit != limit || l.Meta.Offset != offset {
			t.Errorf("meta %+v, want total %d limit %d offset %d", l.Meta, total, limit, offset)
		}
	}
}

var pubDemoOrder = []string{"ecce", "oscpa", "osse", "osel", "scs", "osa", "jrotc"}

var pubOK = map[string]string{
	"Content-Type":                "application/json",
	"Cache-Control":               pubCacheControl,
	"Access-Control-Allow-Origin": "*",
	"X-Content-Type-Options":      "nosniff",
}

func pubWith(base map[string]string, extra ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		out[extra[i]] = extra[i+1]
	}
	return out
}

func TestPublicAPI(t *testing.T) {
	longQ := url.QueryEscape(strings.Repeat("x", 201))
	scenarios := []pubScenario{
		{
			name: "list offices", url: "/api/v1/offices",
			status: 200, header: pubOK, noHeader: []string{"Access-Control-Allow-Credentials"},
			contains: []string{`"slug":"occs"`},
			check:    pubWantList([]string{"occs"}, 1, 20, 0),
		},
		{
			name: "office with departments in order", url: "/api/v1/offices/occs",
			status: 200, header: pubWith(pubOK, "ETag", "$ETAG", "Last-Modified", "$LASTMOD"),
			contains: []string{`"name":"College and Career Success"`, `"acronym":"OCCS"`, `"description_text":"The Office of College and Career Success`, `"e164":"+17735533543"`},
			check: func(t *testing.T, rec *response) {
				var body struct {
					Data struct {
						Departments []struct {
							Slug     string `json:"slug"`
							Position int    `json:"position"`
						} `json:"departments"`
					} `json:"data"`
				}
				if err := json.Unmarshal(rec.Body, &body); err != nil {
					t.Fatal(err)
				}
				var got []string
				for i, d := range body.Data.Departments {
					got = append(got, d.Slug)
					if d.Position != i+1 {
						t.Errorf("%s has position %d", d.Slug, d.Position)
					}
				}
				if !slices.Equal(got, pubDemoOrder) {
					t.Errorf("departments %v, want %v", got, pubDemoOrder)
				}
				if cl := rec.Header.Get("Content-Length"); cl != strconv.Itoa(len(rec.Body)) {
					t.Errorf("Content-Length %s for %d bytes", cl, len(rec.Body))
				}
			},
		},
		{
			name: "unknown office", url: "/api/v1/offices/nope",
			status: 404, contains: []string{`"type":"urn:bureau:problem:not-found"`, `"title":"Not Found"`, `"status":404`, `"detail":`},
			header: map[string]string{"Access-Control-Allow-Origin": "*"}, noHeader: []string{"ETag"},
		},
		{
			name: "office slug that is not a slug", url: "/api/v1/offices/NOT%20A%20SLUG",
			status: 404,
		},
		{
			name: "department with its office", url: "/api/v1/departments/jrotc",
			status: 200, header: pubOK,
			contains: []string{`"slug":"jrotc"`, `"office":{"slug":"occs","name":"College and Career Success","acronym":"OCCS"}`, `"kind":"fax"`, `"number":"773-535-1957"`},
		},
		{
			name: "unknown department", url: "/api/v1/departments/nope",
			status: 404, contains: []string{"urn:bureau:problem:not-found"},
		},
		{
			name: "list departments", url: "/api/v1/departments",
			status: 200, header: pubOK, check: pubWantList(pubDemoOrder, 7, 20, 0),
		},
		{
			name: "departments of an office, one page", url: "/api/v1/departments?office=occs&limit=3&offset=3",
			status: 200, header: pubOK, check: pubWantList([]string{"osel", "scs", "osa"}, 7, 3, 3),
		},
		{
			name: "departments past the end", url: "/api/v1/departments?offset=100",
			status: 200, check: pubWantList(nil, 7, 20, 100),
		},
		{
			name: "departments of an unknown office", url: "/api/v1/departments?office=nope",
			status: 200, check: pubWantList(nil, 0, 20, 0),
		},
		{
			name: "departments by name, descending", url: "/api/v1/departments?sort=-name&limit=2",
			status: 200, check: pubWantList([]string{"scs", "osse"}, 7, 2, 0),
		},
		{
			name: "search, several words", url: "/api/v1/departments?q=Emotional+mtss",
			status: 200, check: pubWantList([]string{"osel"}, 1, 20, 0),
		},
		{name: "limit 0", url: "/api/v1/departments?limit=0", status: 400, fields: []string{"limit"}},
		{name: "limit 101", url: "/api/v1/departments?limit=101", status: 400, fields: []string{"limit"}},
		{name: "limit not a number", url: "/api/v1/offices?limit=abc", status: 400, fields: []string{"limit"}},
		{name: "limit 100 is fine", url: "/api/v1/offices?limit=100", status: 200, check: pubWantList([]string{"occs"}, 1, 100, 0)},
		{name: "negative offset", url: "/api/v1/departments?offset=-1", status: 400, fields: []string{"offset"}},
		{name: "unknown sort field", url: "/api/v1/departments?sort=bogus", status: 400, fields: []string{"sort"}},
		{name: "sort by a SQL fragment", url: "/api/v1/offices?sort=" + url.QueryEscape("name;DROP TABLE offices"), status: 400, fields: []string{"sort"}},
		{name: "double minus sort", url: "/api/v1/offices?sort=--name", status: 400, fields: []string{"sort"}},
		{
			name: "unknown parameter", url: "/api/v1/departments?limt=5",
			status: 400, fields: []string{"limt"}, contains: []string{"is not a known parameter"},
		},
		{name: "office filter on offices", url: "/api/v1/offices?office=occs", status: 400, fields: []string{"office"}},
		{
			name: "repeated parameter", url: "/api/v1/departments?limit=1&limit=2",
			status: 400, fields: []string{"limit"}, contains: []string{"may be given only once"},
		},
		{name: "q too long", url: "/api/v1/departments?q=" + longQ, status: 400, fields: []string{"q"}},
		{name: "q blank", url: "/api/v1/departments?q=+", status: 400, fields: []string{"q"}},
		{name: "q not UTF-8", url: "/api/v1/departments?q=%ff", status: 400, fields: []string{"q"}},
		{name: "office not a slug", url: "/api/v1/departments?office=OCCS", status: 400, fields: []string{"office"}},
		{
			name: "every bad parameter at once", url: "/api/v1/departments?limit=0&offset=-1&sort=bogus",
			status: 400, fields: []string{"limit", "offset", "sort"},
		},
		{name: "parameters on a single item", url: "/api/v1/offices/occs?limit=1", status: 400, fields: []string{"limit"}},
		{name: "malformed query string", url: "/api/v1/offices?limit=%zz", status: 400, contains: []string{"urn:bureau:problem:bad-request"}},
		{
			name: "If-None-Match with the ETag", url: "/api/v1/offices/occs", headers: map[string]string{"If-None-Match": "$ETAG"},
			status: 304, emptyBody: true,
			header: map[string]string{"ETag": "$ETAG", "Cache-Control": pubCacheControl, "Last-Modified": "$LASTMOD"},
		},
		{
			name: "If-None-Match with a weakened ETag", url: "/api/v1/offices/occs", headers: map[string]string{"If-None-Match": "W/$ETAG"},
			status: 304, emptyBody: true,
		},
		{
			name: "If-None-Match with a list", url: "/api/v1/offices/occs", headers: map[string]string{"If-None-Match": `"old", $ETAG`},
			status: 304, emptyBody: true,
		},
		{
			name: "If-None-Match star", url: "/api/v1/offices/occs", headers: map[string]string{"If-None-Match": "*"},
			status: 304, emptyBody: true,
		},
		{
			name: "If-None-Match with another ETag", url: "/api/v1/offices/occs", headers: map[string]string{"If-None-Match": `"stale"`},
			status: 200, contains: []string{`"slug":"occs"`},
		},
		{
			name: "If-None-Match wins over If-Modified-Since", url: "/api/v1/offices/occs",
			headers: map[string]string{"If-None-Match": `"stale"`, "If-Modified-Since": "$LASTMOD"},
			status:  200,
		},
		{
			name: "If-Modified-Since current", url: "/api/v1/offices/occs", headers: map[string]string{"If-Modified-Since": "$LASTMOD"},
			status: 304, emptyBody: true,
		},
		{
			name: "If-Modified-Since long ago", url: "/api/v1/offices/occs", headers: map[string]string{"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
			status: 200,
		},
		{
			name: "If-Modified-Since garbage", url: "/api/v1/offices/occs", headers: map[string]string{"If-Modified-Since": "yesterday"},
			status: 200,
		},
		{
			name: "ETag on a list page", url: "/api/v1/departments?limit=3", headers: map[string]string{"If-None-Match": "$ETAG"},
			status: 200, // the office's ETag is not the list's
			check: func(t *testing.T, rec *response) {
				if etag := rec.Header.Get("ETag"); etag == "" || !strings.HasPrefix(etag, `"`) {
					t.Errorf("list ETag %q", etag)
				}
			},
		},
		{
			name: "HEAD", method: http.MethodHead, url: "/api/v1/offices/occs",
			status: 200, emptyBody: true, header: pubWith(pubOK, "ETag", "$ETAG"),
			check: func(t *testing.T, rec *response) {
				if n, _ := strconv.Atoi(rec.Header.Get("Content-Length")); n < 1000 {
					t.Errorf("HEAD Content-Length %d, want the GET body's length", n)
				}
			},
		},
		{
			name: "HEAD with If-None-Match", method: http.MethodHead, url: "/api/v1/departments", headers: map[string]string{"If-None-Match": "*"},
			status: 304, emptyBody: true,
		},
		{
			name: "CORS preflight", method: http.MethodOptions, url: "/api/v1/offices/occs",
			headers: map[string]string{"Origin": "https://www.cps.edu", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "If-None-Match"},
			status:  204, emptyBody: true,
			header: map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
				"Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
				"Access-Control-Max-Age":       "86400",
			},
			noHeader: []string{"Access-Control-Allow-Credentials"},
		},
		{
			name: "cross-origin GET", url: "/api/v1/departments/ecce", headers: map[string]string{"Origin": "https://evil.example"},
			status: 200, header: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Last-Modified, X-Request-ID"},
			noHeader: []string{"Access-Control-Allow-Credentials", "Set-Cookie"},
		},
		{
			name: "unknown route", url: "/api/v1/nope",
			status: 404, contains: []string{"urn:bureau:problem:not-found"},
		},
		{
			name: "POST to a public route", method: http.MethodPost, url: "/api/v1/offices",
			status: 405, contains: []string{"urn:bureau:problem:method-not-allowed"},
			check: func(t *testing.T, rec *response) {
				if allow := rec.Header.Get("Allow"); !strings.Contains(allow, "GET") {
					t.Errorf("Allow = %q, want it to list GET", allow)
				}
			},
		},
		{name: "DELETE an office publicly", method: http.MethodDelete, url: "/api/v1/offices/occs", status: 405},
		{name: "healthz", url: "/healthz", status: 200, contains: []string{`"status":"ok"`}, header: map[string]string{"Cache-Control": "no-store"}},
		{
			name: "readyz", url: "/readyz",
			status: 200, contains: []string{`"status":"ready"`, `"offices":1`, `"departments":7`, models.LatestMigration()},
			header: map[string]string{"Cache-Control": "no-store"},
		},
		{name: "OpenAPI document", url: "/api/openapi.json", status: 200, contains: []string{`"openapi"`}, header: map[string]string{"Access-Control-Allow-Origin": "*"}},
		{
			name: "well-formed request id is echoed", url: "/api/v1/offices", headers: map[string]string{"X-Request-ID": "lb-1234.abc_DEF"},
			status: 200, header: map[string]string{"X-Request-ID": "lb-1234.abc_DEF"},
		},
		{name: "malformed request id is replaced", url: "/api/v1/offices", headers: map[string]string{"X-Request-ID": "bad id\"<script>"}, status: 200, check: pubWantFreshID},
		{name: "overlong request id is replaced", url: "/api/v1/offices", headers: map[string]string{"X-Request-ID": strings.Repeat("a", 65)}, status: 200, check: pubWantFreshID},
		{name: "missing request id is made", url: "/api/v1/nope", status: 404, check: pubWantFreshID},
	}
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) { s.run(t, env) })
		}
	})
}

var pubGeneratedID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-z]+$`)

func pubWantFreshID(t *testing.T, rec *response) {
	t.Helper()
	if id := rec.Header.Get("X-Request-ID"); !pubGeneratedID.MatchString(id) {
		t.Errorf("X-Request-ID %q is not a generated id", id)
	}
}

// TestHeadMatchesGet checks HEAD promises exactly what GET sends.
func TestHeadMatchesGet(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, path := range []string{"/api/v1/offices", "/api/v1/offices/occs", "/api/v1/departments?limit=2", "/api/v1/departments/osa"} {
			get, head := env.do(request{Path: path}), env.do(request{Method: http.MethodHead, Path: path})
			for _, h := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Type", "Cache-Control"} {
				if get.Header.Get(h) != head.Header.Get(h) {
					t.Errorf("%s %s: GET %q, HEAD %q", path, h, get.Header.Get(h), head.Header.Get(h))
				}
			}
			if get.Header.Get("Content-Length") != strconv.Itoa(len(get.Body)) {
				t.Errorf("%s: Content-Length %s for %d bytes", path, get.Header.Get("Content-Length"), len(get.Body))
			}
		}
	})
}

// TestDraftIsIndistinguishableFromMissing: a department that exists only as
// a draft answers exactly like a slug that never existed.
func TestDraftIsIndistinguishableFromMissing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		db := env.db
		ctx := context.Background()
		var officeID string
		if err := db.Table("offices").Where("slug = 'occs'").Pluck("id", &officeID).Error; err != nil {
			t.Fatal(err)
		}
		d, err := models.CreateDepartment(ctx, db, models.System, models.DepartmentContent{OfficeID: officeID, CommonContent: models.CommonContent{Slug: "draft-only", Name: "Draft only"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := env.catalog.Refresh(ctx, models.ContentEvent(models.KindDepartment, d.ID)); err != nil {
			t.Fatal(err)
		}
		// A trashed, once published department is gone just the same.
		var osa string
		db.Table("departments").Where("slug = 'osa'").Pluck("id", &osa)
		if err := models.Trash(ctx, db, models.System, models.KindDepartment, osa, 0); err != nil {
			t.Fatal(err)
		}
		if err := env.catalog.Refresh(ctx, models.ContentEvent(models.KindDepartment, osa)); err != nil {
			t.Fatal(err)
		}

		missing := env.do(request{Path: "/api/v1/departments/never-existed"})
		for _, slug := range []string{"draft-only", "osa"} {
			got := env.do(request{Path: "/api/v1/departments/" + slug})
			if got.Code != http.StatusNotFound || string(got.Body) != string(missing.Body) {
				t.Errorf("%s: %d %s\nnever existed: %d %s", slug, got.Code, got.Body, missing.Code, missing.Body)
			}
			for k := range got.Header {
				if k != "X-Request-Id" && got.Header.Get(k) != missing.Header.Get(k) {
					t.Errorf("%s: header %s = %q, for a missing slug %q", slug, k, got.Header.Get(k), missing.Header.Get(k))
				}
			}
			if len(got.Header) != len(missing.Header) {
				t.Errorf("%s: headers %v, for a missing slug %v", slug, got.Header, missing.Header)
			}
			list := string(env.do(request{Path: "/api/v1/departments?limit=100"}).Body)
			if strings.Contains(list, `"slug":"`+slug+`"`) {
				t.Errorf("%s is listed", slug)
			}
			if office := string(env.do(request{Path: "/api/v1/offices/occs"}).Body); strings.Contains(office, `"slug":"`+slug+`"`) {
				t.Errorf("%s is in its office", slug)
			}
		}
	})
}

func TestPublicMetrics(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		env.do(request{Path: "/api/v1/offices/occs"})
		env.do(request{Path: "/api/v1/offices/occs", Header: map[string]string{"If-None-Match": "*"}})
		env.do(request{Path: "/api/v1/offices/nope"})
		env.do(request{Path: "/no/such/route/42"})
		rec := env.do(request{Path: "/metrics"})
		if rec.Code != 200 {
			t.Fatalf("/metrics: %d", rec.Code)
		}
		body := string(rec.Body)
		for _, want := range []string{
			`bureau_http_requests_total{method="GET",route="/api/v1/offices/:slug",status="200"} 1`,
			`bureau_http_requests_total{method="GET",route="/api/v1/offices/:slug",status="304"} 1`,
			`bureau_http_requests_total{method="GET",route="/api/v1/offices/:slug",status="404"} 1`,
			`bureau_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`bureau_http_request_duration_seconds_bucket{method="GET",route="/api/v1/offices/:slug"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// Raw paths never become labels: label cardinality stays bounded.
		for _, raw := range []string{`route="/api/v1/offices/occs"`, `route="/api/v1/offices/nope"`, "/no/such/route/42"} {
			if strings.Contains(body, raw) {
				t.Errorf("/metrics has a raw path label %s", raw)
			}
		}
	})
}

func TestReadyzWhenTheDatabaseIsGone(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		db := env.db
		if err := models.Close(db); err != nil {
			t.Fatal(err)
		}
		rec := env.do(request{Path: "/readyz", ServerError: true}) // a 503 is what this test provokes
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("/readyz with a closed database: %d %s", rec.Code, rec.Body)
		}
		p := pubCheckProblem(t, rec, nil)
		if p.Type != "urn:bureau:problem:not-ready" || rec.Header.Get("Retry-After") == "" {
			t.Errorf("problem %+v, Retry-After %q", p, rec.Header.Get("Retry-After"))
		}
		// The public API keeps serving from memory.
		if got := env.do(request{Path: "/api/v1/offices/occs"}); got.Code != 200 {
			t.Errorf("public read with the database down: %d", got.Code)
		}
		if got := env.do(request{Path: "/healthz"}); got.Code != 200 {
			t.Errorf("/healthz with the database down: %d", got.Code)
		}
	})
}

func TestReadyzBeforeMigrations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		srv := handlers.NewServer(handlers.Deps{DB: db, Catalog: catalog.New(db, nil), Options: handlers.DefaultOptions()})
		rec := httptest.NewRecorder()
		srv.Router().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("/readyz on an unmigrated database: %d %s", rec.Code, rec.Body)
		}
		pubCheckProblem(t, &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}, nil)
	})
}

// TestPublicReadsDoNotQueryTheDatabase counts every statement GORM runs
// while the public API answers: the hot path must serve from memory.
func TestPublicReadsDoNotQueryTheDatabase(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		db := env.db
		var queries atomic.Int64
		var last atomic.Value
		count := func(tx *gorm.DB) {
			queries.Add(1)
			last.Store(tx.Statement.SQL.String())
		}
		cb := db.Callback()
		for name, err := range map[string]error{
			"query":  cb.Query().Register("test:count_query", count),
			"raw":    cb.Raw().Register("test:count_raw", count),
			"row":    cb.Row().Register("test:count_row", count),
			"create": cb.Create().Register("test:count_create", count),
			"update": cb.Update().Register("test:count_update", count),
			"delete": cb.Delete().Register("test:count_delete", count),
		} {
			if err != nil {
				t.Fatalf("register %s callback: %v", name, err)
			}
		}
		// The counter works: one real query is seen.
		var n int64
		db.Table("offices").Count(&n)
		if queries.Load() != 1 {
			t.Fatalf("the query counter saw %d queries, want 1", queries.Load())
		}
		queries.Store(0)

		paths := []string{
			"/api/v1/offices",
			"/api/v1/offices/occs",
			"/api/v1/offices/nope",
			"/api/v1/departments",
			"/api/v1/departments?office=occs&limit=3&offset=3",
			"/api/v1/departments?q=emotional&sort=-name",
			"/api/v1/departments/ecce",
			"/api/v1/departments/nope",
			"/api/v1/departments?limit=0",
			"/api/v1/offices?sort=-updated_at",
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < 100; i += 4 {
					path := paths[i%len(paths)]
					method := http.MethodGet
					if i%7 == 0 {
						method = http.MethodHead
					}
					rec := env.do(request{Method: method, Path: path})
					if rec.Code != 200 && rec.Code != 404 && rec.Code != 400 {
						t.Errorf("%s %s: %d", method, path, rec.Code)
					}
				}
			})
		}
		wg.Wait()
		if q := queries.Load(); q != 0 {
			t.Errorf("100 public reads ran %d database statements (last: %v)", q, last.Load())
		}
	})
}

// TestPublicAnswersFollowPublishing drives a publish through the models and
// the catalog and watches the HTTP answers change.
func TestPublicAnswersFollowPublishing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		db := env.db
		ctx := context.Background()
		before := env.do(request{Path: "/api/v1/departments/osa"})
		etag := before.Header.Get("ETag")

		var id string
		db.Table("departments").Where("slug = 'osa'").Pluck("id", &id)
		row, c, err := models.GetDepartment(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		c.Summary = "Sports, edited."
		if _, err := models.SaveDepartmentDraft(ctx, db, models.System, id, row.Version, *c, ""); err != nil {
			t.Fatal(err)
		}
		refresh := func() {
			if err := env.catalog.Refresh(ctx, models.ContentEvent(models.KindDepartment, id)); err != nil {
				t.Fatal(err)
			}
		}
		refresh()
		if got := env.do(request{Path: "/api/v1/departments/osa", Header: map[string]string{"If-None-Match": etag}}); got.Code != 304 {
			t.Errorf("a saved draft changed the public answer: %d %s", got.Code, got.Body)
		}
		if _, err := models.Publish(ctx, db, models.System, models.KindDepartment, id, 0); err != nil {
			t.Fatal(err)
		}
		refresh()
		after := env.do(request{Path: "/api/v1/departments/osa", Header: map[string]string{"If-None-Match": etag}})
		if after.Code != 200 || !strings.Contains(string(after.Body), `"summary":"Sports, edited."`) || after.Header.Get("ETag") == etag {
			t.Errorf("after publishing: %d ETag %s %s", after.Code, after.Header.Get("ETag"), after.Body)
		}
		if _, err := models.Unpublish(ctx, db, models.System, models.KindDepartment, id, 0); err != nil {
			t.Fatal(err)
		}
		refresh()
		if got := env.do(request{Path: "/api/v1/departments/osa"}); got.Code != 404 {
			t.Errorf("after unpublishing: %d", got.Code)
		}
		if got := env.do(request{Path: "/api/v1/departments"}); !strings.Contains(string(got.Body), `"total":6`) {
			t.Errorf("the list still counts the withdrawn department: %s", got.Body)
		}
	})
}
