package handlers_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"

	"bureau/models/catalog"
)

// The OpenAPI document is checked against the real router and real answers,
// so it cannot drift from the code: every route is documented, every
// documented route exists, every example validates against its schema, and
// every exchange a test makes through the harness (env_test.go) is validated
// by pb33f/libopenapi-validator: the request when the server accepted it,
// the answer always (status, content type, body schema, documented headers).

// notAPIRoutes serve pages, not the API: the embedded web admin (/admin and
// /admin/*path: its index.html for every deep link, and its hashed script and
// style files). Their paths change with each build, so the API document
// leaves them out; admin_ui_test.go covers them.
var notAPIRoutes = []string{"/admin"}

// apiContract is the parsed document with its validators, built once per
// test process: building costs about a second.
type apiContract struct {
	model *v3.Document
	// full validates everything; bodiless validates an answer's status and
	// headers only, for HEAD and for bodies the harness cannot decode.
	full, bodiless validator.Validator
	schemas        schema_validation.SchemaValidator
}

var loadContract = sync.OnceValues(func() (*apiContract, error) {
	src, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(src)
	if err != nil {
		return nil, err
	}
	built, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("the document does not build (a $ref that does not resolve?): %w", err)
	}
	c := &apiContract{model: &built.Model, schemas: schema_validation.NewSchemaValidator(config.WithFormatAssertions())}
	full, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.full = full
	c.bodiless = validator.NewValidatorFromV3Model(c.model, config.WithFormatAssertions(), config.WithoutResponseBodyValidation())
	return c, nil
})

func contract(t testing.TB) *apiContract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("handlers/openapi.json: %v", err)
	}
	return c
}

// checkContract validates one exchange against the document. req is a fresh
// copy of the request sent (its body unread); checkRequest false leaves the
// request unchecked, for one that breaks the document on purpose.
func checkContract(t testing.TB, req *http.Request, res *response, checkRequest bool) {
	t.Helper()
	if req.Method == http.MethodOptions || isNotAPIRoute(req.URL.Path) {
		return // CORS preflights and the web admin's pages are not API operations
	}
	c := contract(t)
	where := req.Method + " " + req.URL.RequestURI()
	v := c.full
	body := res.Body
	head := req.Method == http.MethodHead
	if head {
		// A HEAD is its GET without the body.
		req.Method = http.MethodGet
		v = c.bodiless
	}
	switch encoding := res.Header.Get("Content-Encoding"); {
	case head || encoding == "":
	case encoding == "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			t.Errorf("%s: a gzip answer that does not decompress: %v", where, err)
			return
		}
	default:
		v = c.bodiless // no decoder here: check status and headers only
	}
	if !isDocumentedOperation(c, req) {
		// A route the router does not have answers 404 or 405, like any
		// unknown path; anything else must be documented.
		if res.Code != http.StatusNotFound && res.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s answered %d but is not documented in handlers/openapi.json", where, res.Code)
		}
		return
	}
	if res.Code < 400 && checkRequest {
		// The server accepted the request, so the document must allow it;
		// requests provoking a 4xx may break the contract on purpose.
		reqCopy := req.Clone(req.Context())
		if ok, errs := c.full.ValidateHttpRequestSync(reqCopy); !ok {
			t.Errorf("%s: the server accepted a request the document forbids:%s", where, describe(errs))
		}
	}
	httpRes := &http.Response{
		StatusCode: res.Code, Header: res.Header, Request: req,
		Body: io.NopCloser(bytes.NewReader(body)),
	}
	if ok, errs := v.ValidateHttpResponse(req, httpRes); !ok {
		t.Errorf("%s: the %d answer does not match the document:%s\n%s", where, res.Code, describe(errs), truncate(body))
	}
}

func isNotAPIRoute(path string) bool {
	for _, p := range notAPIRoutes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// isDocumentedOperation reports whether the document has the request's
// method on its path, enum path parameters ({type}) taking only their values.
func isDocumentedOperation(c *apiContract, req *http.Request) bool {
	_, ok := c.find(req)
	return ok
}

// find returns the documented operation of a request.
func (c *apiContract) find(req *http.Request) (operation, bool) {
	for _, o := range c.operations() {
		if !strings.EqualFold(o.method, req.Method) {
			continue
		}
		for _, p := range o.concretePaths() {
			if pathFits(p, req.URL.Path) {
				return o, true
			}
		}
	}
	return operation{}, false
}

// pathFits reports whether a concrete path fits a template whose remaining
// parameters match any one segment. A literal template wins over a
// parameter in the real router, and the admin's literal segments (trash,
// preview) are never valid ids, so the first fit is the operation.
func pathFits(template, path string) bool {
	want, got := strings.Split(template, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if strings.HasPrefix(want[i], "{") {
			if got[i] == "" { // a parameter is never empty: "/offices/" is no office
				return false
			}
		} else if want[i] != got[i] {
			return false
		}
	}
	return true
}

func describe(errs []*liberrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
		for _, se := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n    %s: %s", se.FieldPath, se.Reason)
		}
	}
	return b.String()
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}

// operation is one documented method of one path.
type operation struct {
	path, method string
	op           *v3.Operation
	item         *v3.PathItem
}

func (c *apiContract) operations() []operation {
	var out []operation
	for path, item := range c.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			out = append(out, operation{path: path, method: method, op: op, item: item})
		}
	}
	return out
}

// parameters are an operation's parameters, path-level ones included.
func (o operation) parameters() []*v3.Parameter {
	return append(slices.Clone(o.item.Parameters), o.op.Parameters...)
}

// isPublic reports whether the operation declares that it needs no
// credentials (`security: []`).
func (o operation) isPublic() bool { return o.op.Security != nil && len(o.op.Security) == 0 }

// schemes lists the security schemes the operation accepts.
func (o operation) schemes() []string {
	var out []string
	for _, req := range o.op.Security {
		if req.Requirements == nil {
			continue
		}
		for name := range req.Requirements.KeysFromOldest() {
			out = append(out, name)
		}
	}
	return out
}

// enumOf lists a string enum's values.
func enumOf(s *base.SchemaProxy) []string {
	if s == nil || s.Schema() == nil {
		return nil
	}
	var out []string
	for _, n := range s.Schema().Enum {
		out = append(out, n.Value)
	}
	return out
}

// concretePaths lists the paths an operation stands for: each enum path
// parameter (like {type}) replaced by each of its values.
func (o operation) concretePaths() []string {
	out := []string{o.path}
	for _, p := range o.parameters() {
		values := enumOf(p.Schema)
		if p.In != "path" || values == nil {
			continue
		}
		var next []string
		for _, path := range out {
			for _, v := range values {
				next = append(next, strings.ReplaceAll(path, "{"+p.Name+"}", v))
			}
		}
		out = next
	}
	return out
}

var pathTemplateParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	t.Parallel()
	c := contract(t)
	if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(c.model.Version) {
		t.Errorf("openapi = %q, want 3.1.x", c.model.Version)
	}
	if c.model.Info == nil || c.model.Info.Title == "" || c.model.Info.Version == "" {
		t.Errorf("info needs title and version")
	}
	// The document against the OpenAPI 3.1 schema.
	if ok, errs := c.full.ValidateDocument(); !ok {
		t.Errorf("the document breaks the OpenAPI 3.1 schema:%s", describe(errs))
	}

	declaredTags := map[string]bool{}
	for _, tag := range c.model.Tags {
		declaredTags[tag.Name] = true
	}
	ids := map[string]string{}
	for _, o := range c.operations() {
		at := strings.ToUpper(o.method) + " " + o.path
		if id := o.op.OperationId; id == "" {
			t.Errorf("%s: no operationId", at)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %q also used by %s", at, id, prev)
		} else {
			ids[id] = at
		}
		if o.op.Summary == "" {
			t.Errorf("%s: no summary", at)
		}
		if len(o.op.Tags) == 0 {
			t.Errorf("%s: no tag", at)
		}
		for _, tag := range o.op.Tags {
			if !declaredTags[tag] {
				t.Errorf("%s: tag %q is not declared in the top-level tags", at, tag)
			}
		}
		if o.op.Security == nil {
			t.Errorf("%s: declares no security: say `security: []` if it needs no credentials", at)
		}
		if o.op.Responses == nil || o.op.Responses.Codes.Len() == 0 {
			t.Errorf("%s: no responses", at)
			continue
		}
		for code, r := range o.op.Responses.Codes.FromOldest() {
			if _, err := strconv.Atoi(code); err != nil {
				t.Errorf("%s: response key %q is not a status code", at, code)
			}
			if r.Description == "" {
				t.Errorf("%s %s: responses need a description", at, code)
			}
		}
		// Path template parameters and declared path parameters agree.
		declared := map[string]bool{}
		for _, p := range o.parameters() {
			if p.In == "path" {
				declared[p.Name] = true
				if p.Required == nil || !*p.Required {
					t.Errorf("%s: path parameter %s must be required", at, p.Name)
				}
			}
		}
		for _, m := range pathTemplateParam.FindAllStringSubmatch(o.path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", at, m[1])
			}
			delete(declared, m[1])
		}
		for name := range declared {
			t.Errorf("%s: parameter %q is declared in: path but not in the template", at, name)
		}
	}
}

// TestOpenAPIIsServed: the served document is the repository's, compacted.
func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.do(request{Path: "/api/openapi.json"})
	src, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, src); err != nil {
		t.Fatal(err)
	}
	if res.Code != http.StatusOK || !bytes.Equal(res.Body, want.Bytes()) {
		t.Errorf("GET /api/openapi.json: %d, not handlers/openapi.json compacted", res.Code)
	}
}

var ginPathParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// fillPathParams puts a syntactically valid value in each Gin path parameter.
func fillPathParams(t *testing.T, path string) string {
	t.Helper()
	return ginPathParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case ":id":
			return uuid.NewString()
		case ":n":
			return "1"
		case ":slug":
			return "occs"
		case ":type", "*path":
			return "departments"
		}
		t.Errorf("%s: no sample value for path parameter %s; add one to fillPathParams", path, p)
		return "x"
	})
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	c := contract(t)
	env := newEnv(t)
	routes := env.router.Routes()

	// Router -> document.
	for _, rt := range routes {
		if rt.Method == http.MethodOptions || isNotAPIRoute(rt.Path) {
			continue
		}
		method := rt.Method
		if method == http.MethodHead {
			method = http.MethodGet // a HEAD is documented by its GET
		}
		req := httptest.NewRequest(method, fillPathParams(t, rt.Path), nil)
		if !isDocumentedOperation(c, req) {
			t.Errorf("%s %s is routed but not documented in handlers/openapi.json", rt.Method, rt.Path)
		}
	}

	// Document -> router: each concrete path of each operation is routed, by
	// a route whose parameters cover its parameter segments.
	routed := func(method, path string) bool {
		want := strings.Split(path, "/")
		for _, rt := range routes {
			got := strings.Split(rt.Path, "/")
			if rt.Method != method || len(got) != len(want) {
				continue
			}
			ok := true
			for i := range want {
				gotParam := strings.HasPrefix(got[i], ":") || strings.HasPrefix(got[i], "*")
				if !gotParam && (strings.HasPrefix(want[i], "{") || want[i] != got[i]) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	for _, o := range c.operations() {
		for _, path := range o.concretePaths() {
			if !routed(strings.ToUpper(o.method), path) {
				t.Errorf("%s %s is documented but not routed", strings.ToUpper(o.method), path)
			}
		}
	}
}

// examplesOf lists the examples of a media type or parameter by name.
func examplesOf(example *yaml.Node, named *orderedmap.Map[string, *base.Example]) map[string]any {
	out := map[string]any{}
	var v any
	if example != nil && example.Decode(&v) == nil {
		out["example"] = v
	}
	for name, ex := range named.FromOldest() {
		var v any
		if ex.Value != nil && ex.Value.Decode(&v) == nil {
			out["examples/"+name] = v
		}
	}
	return out
}

func TestOpenAPIExamplesValidate(t *testing.T) {
	t.Parallel()
	c := contract(t)
	validate := func(where string, schema *base.SchemaProxy, examples map[string]any) {
		if schema == nil {
			return
		}
		for name, ex := range examples {
			if ok, errs := c.schemas.ValidateSchemaObjectWithVersion(schema.Schema(), ex, 3.1); !ok {
				t.Errorf("%s %s does not match its schema:%s", where, name, describe(errs))
			}
		}
	}
	visit := func(where string, mediaTypes *orderedmap.Map[string, *v3.MediaType]) {
		for mt, m := range mediaTypes.FromOldest() {
			at := where + " " + mt
			examples := examplesOf(m.Example, m.Examples)
			if isJSONMediaType(mt) {
				if m.Schema == nil {
					t.Errorf("%s: a JSON media type needs a schema", at)
					continue
				}
				if len(examples) == 0 {
					t.Errorf("%s: no example", at)
				}
			}
			validate(at, m.Schema, examples)
		}
	}
	for _, o := range c.operations() {
		at := strings.ToUpper(o.method) + " " + o.path
		if o.op.RequestBody != nil && o.op.RequestBody.Content != nil {
			visit(at+" request body", o.op.RequestBody.Content)
		}
		for code, r := range o.op.Responses.Codes.FromOldest() {
			if r.Content != nil {
				visit(at+" "+code, r.Content)
			}
		}
		for _, p := range o.parameters() {
			validate(at+" parameter "+p.Name, p.Schema, examplesOf(p.Example, p.Examples))
		}
	}
}

func isJSONMediaType(mt string) bool {
	base, _, _ := strings.Cut(mt, ";")
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

func TestOpenAPISortParametersMatchCatalog(t *testing.T) {
	t.Parallel()
	c := contract(t)
	for name, fields := range map[string][]string{
		"officeSort":     catalog.OfficeSortFields(),
		"departmentSort": catalog.DepartmentSortFields(),
	} {
		var want []string
		for _, f := range fields {
			want = append(want, f, "-"+f)
		}
		p, ok := c.model.Components.Parameters.Get(name)
		if !ok {
			t.Errorf("no parameter %s in components", name)
			continue
		}
		got := enumOf(p.Schema)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("parameter %s enum = %v, want %v", name, got, want)
		}
	}
}

// exchange is one request and the status it must get; the harness checks
// both against the document.
type exchange struct {
	method, target string
	header         map[string]string
	body           string
	status         int
}

func (x exchange) run(t *testing.T, env *testEnv) *response {
	t.Helper()
	r := request{Method: x.method, Path: x.target, Header: x.header}
	if x.body != "" {
		r.Body = x.body
	}
	var res *response
	t.Run(x.method+" "+x.target+" "+x.body, func(t *testing.T) {
		res = env.serve(t, r)
		if res.Code != x.status {
			t.Errorf("status %d, want %d: %s", res.Code, x.status, res.Body)
		}
	})
	return res
}

func TestOpenAPIRealResponsesValidate(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		etag := func(target string) map[string]string {
			return map[string]string{"If-None-Match": env.do(request{Path: target}).Header.Get("ETag")}
		}
		for _, x := range []exchange{
			{"GET", "/api/v1/offices", nil, "", 200},
			{"HEAD", "/api/v1/offices", nil, "", 200},
			{"GET", "/api/v1/offices?sort=-updated_at&limit=1&offset=0", nil, "", 200},
			{"GET", "/api/v1/offices?q=college", nil, "", 200},
			{"GET", "/api/v1/offices?offset=5", nil, "", 200},
			{"GET", "/api/v1/offices?limit=0&sort=foo", nil, "", 400},
			{"GET", "/api/v1/offices?limt=5", nil, "", 400},
			{"GET", "/api/v1/offices/occs", nil, "", 200},
			{"HEAD", "/api/v1/offices/occs", nil, "", 200},
			{"GET", "/api/v1/offices/occs", etag("/api/v1/offices/occs"), "", 304},
			{"GET", "/api/v1/offices/occs?expand=all", nil, "", 400},
			{"GET", "/api/v1/offices/no-such-office", nil, "", 404},
			{"GET", "/api/v1/departments", nil, "", 200},
			{"GET", "/api/v1/departments?office=occs&q=college&sort=-name&limit=2&offset=1", nil, "", 200},
			{"GET", "/api/v1/departments?limit=100&sort=published_at", nil, "", 200},
			{"GET", "/api/v1/departments?sort=bogus", nil, "", 400},
			{"GET", "/api/v1/departments?office=Not_A_Slug", nil, "", 400},
			{"GET", "/api/v1/departments?q=a&q=b", nil, "", 400},
			{"GET", "/api/v1/departments/ecce", nil, "", 200},
			{"GET", "/api/v1/departments/ecce", etag("/api/v1/departments/ecce"), "", 304},
			{"GET", "/api/v1/departments/no-such-department", nil, "", 404},
			{"GET", "/healthz", nil, "", 200},
			{"GET", "/readyz", nil, "", 200},
			{"GET", "/metrics", nil, "", 200},
			{"GET", "/api/openapi.json", nil, "", 200},
			{"GET", "/api/openapi.json", etag("/api/openapi.json"), "", 304},
			{"GET", "/api/docs", nil, "", 200},
			{"GET", "/api/docs", etag("/api/docs"), "", 304},
		} {
			x.run(t, env)
		}
	})
}

// The auth and admin answers, in one signed-in session: each step may use
// what earlier ones returned.
func TestOpenAPIRealAdminResponsesValidate(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		ada := env.user("ada@example.org", "admin *")
		grace := env.user("grace@example.org")
		step := func(x exchange) *response { t.Helper(); return x.run(t, env) }
		var data struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}

		step(exchange{"POST", "/api/v1/auth/login", nil, `{"email":"ada@example.org","password":"not the password"}`, 401})
		step(exchange{"POST", "/api/v1/auth/login", nil, `{"email":"","password":""}`, 400})
		step(exchange{"POST", "/api/v1/auth/login", map[string]string{"Content-Type": "text/plain"}, `{}`, 415})
		token, cookie := env.login(ada)
		bearer := map[string]string{"Authorization": "Bearer " + token}
		with := func(k, v string) map[string]string {
			out := map[string]string{k: v}
			for hk, hv := range bearer {
				out[hk] = hv
			}
			return out
		}
		step(exchange{"POST", "/api/v1/auth/refresh", map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}, "", 200})
		step(exchange{"POST", "/api/v1/auth/refresh", nil, "", 401})

		step(exchange{"GET", "/api/v1/auth/me", nil, "", 401})
		step(exchange{"GET", "/api/v1/auth/me", bearer, "", 200})
		step(exchange{"PATCH", "/api/v1/auth/me", bearer, `{"display_name":"Ada King"}`, 200})
		step(exchange{"POST", "/api/v1/auth/password", bearer, `{"current_password":"wrong","new_password":"a much longer passphrase"}`, 400})

		step(exchange{"GET", "/api/v1/admin/users", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/users?active=maybe", bearer, "", 400})
		step(exchange{"GET", "/api/v1/admin/users/" + ada.ID, bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/users/8d3f7a52-0c1e-4b7a-9f3e-2a6c5d4b3e21", bearer, "", 404})
		step(exchange{"POST", "/api/v1/admin/users", bearer, `{"email":"linus@example.org","password":"short"}`, 400})
		step(exchange{"PATCH", "/api/v1/admin/users/" + grace.ID, bearer, `{"display_name":"Grace Hopper"}`, 200})

		grant := step(exchange{"POST", "/api/v1/admin/grants", bearer, `{"user_id":"` + grace.ID + `","role":"editor","scope":"office:occs"}`, 201})
		var g struct {
			Data struct {
				ID json.Number `json:"id"`
			} `json:"data"`
		}
		grant.decode(t, &g)
		step(exchange{"POST", "/api/v1/admin/grants", bearer, `{"user_id":"` + grace.ID + `","role":"editor","scope":"office:occs"}`, 409})
		step(exchange{"POST", "/api/v1/admin/grants", bearer, `{"user_id":"` + grace.ID + `","role":"admin","scope":"office:occs"}`, 400})
		step(exchange{"GET", "/api/v1/admin/grants", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/grants?user_id=" + grace.ID, bearer, "", 200})
		step(exchange{"DELETE", "/api/v1/admin/grants/" + g.Data.ID.String(), bearer, "", 204})
		step(exchange{"DELETE", "/api/v1/admin/grants/" + g.Data.ID.String(), bearer, "", 404})
		step(exchange{"GET", "/api/v1/admin/roles", bearer, "", 200})

		step(exchange{"GET", "/api/v1/admin/offices", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/departments?office_id=" + env.occs + "&status=published&limit=2", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/departments?status=nope", bearer, "", 400})
		step(exchange{"GET", "/api/v1/admin/offices/" + env.occs, bearer, "", 200})
		dept := "/api/v1/admin/departments/" + env.ecce
		step(exchange{"GET", dept, bearer, "", 200})
		step(exchange{"PATCH", dept, with("If-Match", `"v1"`), `{"summary":"Career-connected learning for every student."}`, 200})
		step(exchange{"PATCH", dept, with("If-Match", `"v1"`), `{"summary":"A stale edit."}`, 412})
		step(exchange{"PATCH", dept, bearer, `{"summary":"No If-Match."}`, 428})
		step(exchange{"PATCH", dept, with("If-Match", `"v2"`), `{"contacts":[{"label":"Front desk","phones":[{"number":"not a phone"}]}]}`, 400})
		step(exchange{"POST", dept + "/publish", with("If-Match", `"v2"`), "", 200})
		step(exchange{"GET", dept + "/revisions", bearer, "", 200})
		step(exchange{"GET", dept + "/revisions/1", bearer, "", 200})
		step(exchange{"GET", dept + "/revisions/99", bearer, "", 404})
		step(exchange{"GET", dept + "/diff?from=1", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/preview/departments/" + env.ecce, bearer, "", 200})
		step(exchange{"POST", dept + "/unpublish", with("If-Match", `"v2"`), "", 200})

		created := step(exchange{"POST", "/api/v1/admin/offices", bearer, `{"slug":"teaching-and-learning","name":"Teaching and Learning","acronym":"OTL"}`, 201})
		created.decode(t, &data)
		step(exchange{"POST", "/api/v1/admin/offices", bearer, `{"slug":"teaching-and-learning","name":"Teaching and Learning, again"}`, 409})
		step(exchange{"DELETE", "/api/v1/admin/offices/" + data.Data.ID, with("If-Match", `"v1"`), "", 204})
		step(exchange{"GET", "/api/v1/admin/offices/" + data.Data.ID, bearer, "", 404})
		step(exchange{"GET", "/api/v1/admin/trash", bearer, "", 200})
		step(exchange{"POST", "/api/v1/admin/trash/offices/" + data.Data.ID + "/restore", bearer, "", 200})

		step(exchange{"GET", "/api/v1/admin/audit?limit=5", bearer, "", 200})
		step(exchange{"GET", "/api/v1/admin/audit?since=yesterday", bearer, "", 400})

		step(exchange{"POST", "/api/v1/auth/logout", bearer, "", 204})
		step(exchange{"GET", "/api/v1/auth/me", bearer, "", 401})
	})
}

var externalReference = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import`)

func TestOpenAPIDocsPageIsSelfContained(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.do(request{Path: "/api/docs"})
	if res.Code != http.StatusOK {
		t.Fatalf("GET /api/docs: %d", res.Code)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want text/html", ct)
	}
	page := string(res.Body)
	for _, needle := range []string{`src="http`, `href="http`, `src='http`, `href='http`} {
		if strings.Contains(strings.ToLower(page), needle) {
			t.Errorf("the docs page references an outside URL (%s)", needle)
		}
	}
	if m := externalReference.FindString(page); m != "" {
		t.Errorf("the docs page loads something from outside: %q", m)
	}
	if !strings.Contains(page, `"/api/openapi.json"`) {
		t.Errorf("the docs page should fetch /api/openapi.json")
	}
	csp := res.Header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "http:") || strings.Contains(csp, "https:") || strings.Contains(csp, "'unsafe-inline'") {
		t.Errorf("Content-Security-Policy %q should allow only this page's own script and style", csp)
	}
}

// recordingTB records the failures a check reports, for testing the check.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// TestContractCheckCatchesMismatches: the harness's check is not vacuous.
func TestContractCheckCatchesMismatches(t *testing.T) {
	t.Parallel()
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name   string
		method string
		target string
		res    response
		ok     bool
	}{
		{"a documented answer", "GET", "/healthz", response{Code: 200, Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}}, Body: []byte(`{"status":"ok"}`)}, true},
		{"a body off its schema", "GET", "/api/v1/offices/occs", response{Code: 200, Header: jsonHeader, Body: []byte(`{"data":5}`)}, false},
		{"an undocumented status", "GET", "/api/v1/offices/occs", response{Code: 418, Header: jsonHeader, Body: []byte(`{}`)}, false},
		{"an undocumented content type", "GET", "/api/v1/offices", response{Code: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(`hello`)}, false},
		{"an undocumented route that answers", "GET", "/api/v1/nowhere", response{Code: 200, Header: jsonHeader, Body: []byte(`{}`)}, false},
		{"an undocumented route that is not found", "GET", "/api/v1/nowhere", response{Code: 404, Header: http.Header{"Content-Type": {"application/problem+json"}}, Body: []byte(`{}`)}, true},
		{"an accepted request the document forbids", "GET", "/api/v1/offices?limit=1000", response{Code: 200, Header: jsonHeader, Body: []byte(`{"data":[],"meta":{"total":0,"limit":1000,"offset":0}}`)}, false},
	} {
		rec := &recordingTB{TB: t}
		checkContract(rec, httptest.NewRequest(tc.method, tc.target, nil), &tc.res, true)
		if got := len(rec.failures) == 0; got != tc.ok {
			t.Errorf("%s: passed %v, want %v (%v)", tc.name, got, tc.ok, rec.failures)
		}
	}
}
