package backup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models"
	"bureau/models/backup"
	"bureau/models/catalog"
	"bureau/policies"
)

// Shared pieces of the backup tests: an instance with a bit of everything a
// backup must carry, and a real server over a database to ask what it holds.

// cheap hashing: the tests sign in several times.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testSecret = "backup-tests-signing-secret-0123456789abcdef"

// account is a user the seeded instance has, with the password it signs in with.
type account struct {
	id, email, password string
	active              bool
}

// seedInstance fills db with published, changed, unpublished, draft and
// trashed documents, several revisions, users with grants (one inactive,
// one whose tokens were revoked) and their audit events.
func seedInstance(t *testing.T, db *gorm.DB) []account {
	t.Helper()
	ctx := context.Background()
	if _, err := models.SeedDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	var accounts []account
	addUser := func(email, role, scope string) account {
		a := account{email: email, password: "pass phrase of " + email, active: true}
		hash, err := auth.HashPasswordWith(a.password, testParams)
		if err != nil {
			t.Fatal(err)
		}
		u, err := models.CreateUser(ctx, db, email, "User "+email, hash)
		if err != nil {
			t.Fatal(err)
		}
		a.id = u.ID
		if _, err := policies.AddGrant(context.Background(), db, models.System, policies.GrantRequest{UserID: u.ID, Role: role, Scope: scope}); err != nil {
			t.Fatal(err)
		}
		if err := models.RecordAudit(ctx, db, models.System, "user.create", "user", u.ID, map[string]any{"email": email, "role": role}); err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, a)
		return a
	}
	admin := addUser("admin@example.org", policies.RoleAdmin, policies.ScopeAll)
	editor := addUser("editor@example.org", policies.RoleEditor, "office:occs")
	if _, err := policies.AddGrant(context.Background(), db, models.System, policies.GrantRequest{UserID: editor.id, Role: policies.RoleViewer, Scope: policies.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	addUser("viewer@example.org", policies.RoleViewer, "department:ecce")
	gone := addUser("gone@example.org", policies.RoleAuthor, "department:osa")
	u, err := models.GetUser(ctx, db, gone.id)
	if err != nil {
		t.Fatal(err)
	}
	u.Active = false
	u.TokenVersion += 3
	if err := models.SaveUser(ctx, db, u); err != nil {
		t.Fatal(err)
	}
	accounts[len(accounts)-1].active = false
	if err := models.TouchLogin(ctx, db, admin.id, time.Now()); err != nil {
		t.Fatal(err)
	}

	actor := models.Actor{UserID: editor.id, Email: editor.email, ClientIP: "192.0.2.7"}
	ecce := docID(t, db, "departments", "ecce")
	edit := func(id string, message string, change func(c *models.DepartmentContent)) {
		d, c, err := models.GetDepartment(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		change(c)
		if _, err := models.SaveDepartmentDraft(ctx, db, actor, id, d.Version, *c, message); err != nil {
			t.Fatal(err)
		}
	}
	// ecce: revision 2 published, revision 3 a pending draft.
	edit(ecce, "new summary", func(c *models.DepartmentContent) { c.Summary = "Career-connected learning <for> every student." })
	if _, err := models.Publish(ctx, db, actor, models.KindDepartment, ecce, 0); err != nil {
		t.Fatal(err)
	}
	edit(ecce, "", func(c *models.DepartmentContent) {
		c.Summary = "A draft nobody sees yet."
		c.Contacts = append(c.Contacts, models.Contact{Label: "Front desk", Phones: []models.Phone{{Kind: models.PhoneVoice, Number: "(773) 553-1000"}}})
	})
	// oscpa: renamed and published again.
	edit(docID(t, db, "departments", "oscpa"), "rename", func(c *models.DepartmentContent) { c.Slug, c.Name = "counseling", "Counseling" })
	if _, err := models.Publish(ctx, db, actor, models.KindDepartment, docID(t, db, "departments", "counseling"), 0); err != nil {
		t.Fatal(err)
	}
	// osse withdrawn, osa in the trash.
	if _, err := models.Unpublish(ctx, db, actor, models.KindDepartment, docID(t, db, "departments", "osse"), 0); err != nil {
		t.Fatal(err)
	}
	if err := models.Trash(ctx, db, actor, models.KindDepartment, docID(t, db, "departments", "osa"), 0); err != nil {
		t.Fatal(err)
	}
	// A new office, never published, with a department.
	office, err := models.CreateOffice(ctx, db, actor, models.OfficeContent{CommonContent: models.CommonContent{Slug: "future", Name: "Future Office", Summary: "Not yet open."}}, "first draft")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.CreateDepartment(ctx, db, actor, models.DepartmentContent{CommonContent: models.CommonContent{Slug: "future-desk", Name: "Future Desk"}, OfficeID: office.ID}, ""); err != nil {
		t.Fatal(err)
	}
	return accounts
}

func docID(t testing.TB, db *gorm.DB, table, slug string) string {
	t.Helper()
	var id string
	if err := db.Table(table).Select("id").Where("slug = ?", slug).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("find %s %q: %v", table, slug, err)
	}
	return id
}

// instance is a running server over one database, built as serve builds it.
type instance struct {
	t      testing.TB
	db     *gorm.DB
	srv    *handlers.Server
	router *gin.Engine
	tokens *auth.Tokens
}

func newInstance(t testing.TB, db *gorm.DB) *instance {
	t.Helper()
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte(testSecret), Issuer: "bureau", Audience: "bureau-admin", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	enforcer, err := policies.NewEnforcer(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := handlers.NewServer(handlers.Deps{DB: db, Catalog: cat, Tokens: tokens, Enforcer: enforcer, Options: handlers.DefaultOptions()})
	return &instance{t: t, db: db, srv: srv, router: srv.Router(), tokens: tokens}
}

// answer is what a client sees of one response, headers that differ per
// request (request id, date) aside.
type answer struct {
	Status       int
	Body         string
	ETag         string
	LastModified string
}

func (in *instance) get(path, token string, header ...string) answer {
	in.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	in.router.ServeHTTP(rec, req)
	return answer{rec.Code, rec.Body.String(), rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")}
}

// token signs an access token for userID as the server would at sign-in,
// without signing in (which would record the sign-in and change the data).
func (in *instance) token(userID string) string {
	in.t.Helper()
	u, err := models.GetUser(context.Background(), in.db, userID)
	if err != nil {
		in.t.Fatal(err)
	}
	tok, _, err := in.tokens.Issue(u.ID, u.TokenVersion, time.Now())
	if err != nil {
		in.t.Fatal(err)
	}
	return tok
}

// login signs in through POST /api/v1/auth/login and returns the status.
func (in *instance) login(email, password string) int {
	in.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	in.router.ServeHTTP(rec, req)
	return rec.Code
}

// exportOf exports db.
func exportOf(t testing.TB, db *gorm.DB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := backup.Export(context.Background(), db, &buf, nil); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

// withoutHeader drops the first line, which holds the export time.
func withoutHeader(file []byte) string {
	_, rest, _ := strings.Cut(string(file), "\n")
	return rest
}

// snapshot is everything an import may change, as text, to prove that a
// refused one changed nothing.
func snapshot(t testing.TB, db *gorm.DB) string {
	t.Helper()
	var out strings.Builder
	for _, table := range []string{"offices", "departments", "revisions", "users", "grants", "audit_events", "refresh_tokens", "events"} {
		var rows []map[string]any
		if err := db.Table(table).Order("1").Find(&rows).Error; err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		fmt.Fprintf(&out, "%s %v\n", table, rows)
	}
	return out.String()
}
