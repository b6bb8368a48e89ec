package backup_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"bureau/models"
	"bureau/models/backup"
	"bureau/models/dbtest"
)

// TestRoundTripAcrossEngines moves an instance SQLite -> PostgreSQL ->
// SQLite and checks that every copy answers exactly as the original: public
// bodies, ETags and Last-Modified; drafts, revisions, trash, users, grants
// and audit events through the admin API; sign-in with the old passwords.
// Without PostgreSQL the middle copy is a second SQLite database.
func TestRoundTripAcrossEngines(t *testing.T) {
	ctx := context.Background()
	source := dbtest.Migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "source.db"))
	accounts := seedInstance(t, source)

	middleURL := "sqlite:" + filepath.Join(t.TempDir(), "middle.db")
	if os.Getenv("BUREAU_TEST_POSTGRES_URL") == "" {
		t.Log("BUREAU_TEST_POSTGRES_URL is not set: the round trip goes SQLite -> SQLite -> SQLite")
	} else {
		targets := dbtest.Targets(t)
		middleURL = targets[len(targets)-1].URL
	}
	middle := dbtest.Migrated(t, middleURL)
	target := dbtest.Migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "target.db"))

	first := exportOf(t, source)
	if _, err := backup.Import(ctx, middle, bytes.NewReader(first), backup.ImportOptions{}); err != nil {
		t.Fatalf("import into %s: %v", models.DialectOf(middle), err)
	}
	second := exportOf(t, middle)
	if withoutHeader(first) != withoutHeader(second) {
		t.Fatalf("the export of the copy differs from the export of the original:\n%s", firstDifference(withoutHeader(first), withoutHeader(second)))
	}
	if _, err := backup.Import(ctx, target, bytes.NewReader(second), backup.ImportOptions{}); err != nil {
		t.Fatalf("import into sqlite: %v", err)
	}
	if third := exportOf(t, target); withoutHeader(third) != withoutHeader(first) {
		t.Fatalf("the export of the last copy differs:\n%s", firstDifference(withoutHeader(first), withoutHeader(third)))
	}
	for _, kind := range []string{`"type":"office"`, `"type":"department"`, `"type":"revision"`, `"type":"user"`, `"type":"grant"`, `"type":"audit_event"`, `"deleted_at":"20`, `"published_revision":null`} {
		if !strings.Contains(string(first), kind) {
			t.Fatalf("the export holds no %s: the seeded instance lacks a case", kind)
		}
	}
	for _, secret := range []string{"refresh", "jwt", "events"} {
		if strings.Contains(string(first), `"type":"`+secret) {
			t.Fatalf("the export holds %s records", secret)
		}
	}

	original := newInstance(t, source)
	copies := map[string]*instance{string(models.DialectOf(middle)) + " copy": newInstance(t, middle), "final sqlite copy": newInstance(t, target)}

	paths := []string{
		"/api/v1/offices", "/api/v1/offices/occs", "/api/v1/offices/future",
		"/api/v1/departments?limit=100", "/api/v1/departments?office=occs", "/api/v1/departments?q=career",
		"/api/v1/departments?sort=-updated_at", "/api/v1/offices?sort=-published_at",
	}
	for _, slug := range []string{"ecce", "counseling", "oscpa", "osse", "osel", "scs", "osa", "jrotc", "future-desk"} {
		paths = append(paths, "/api/v1/departments/"+slug)
	}
	compare := func(what string, token string, paths []string, header ...string) {
		t.Helper()
		for _, path := range paths {
			want := original.get(path, token, header...)
			for name, c := range copies {
				var copyToken string
				if token != "" {
					copyToken = c.token(accounts[0].id)
				}
				if got := c.get(path, copyToken, header...); got != want {
					t.Errorf("%s %s on the %s:\n got %+v\nwant %+v", what, path, name, got, want)
				}
			}
		}
	}
	compare("public", "", paths)
	compare("public gzip", "", paths[:3], "Accept-Encoding", "gzip")

	admin := original.token(accounts[0].id)
	ecce, future := docID(t, source, "departments", "ecce"), docID(t, source, "offices", "future")
	osa := docID(t, source, "departments", "osa")
	adminPaths := []string{
		"/api/v1/admin/offices", "/api/v1/admin/departments?limit=100",
		"/api/v1/admin/departments/" + ecce, "/api/v1/admin/offices/" + future,
		"/api/v1/admin/departments/" + ecce + "/revisions", "/api/v1/admin/departments/" + ecce + "/revisions/2",
		"/api/v1/admin/departments/" + ecce + "/diff?from=1", "/api/v1/admin/preview/departments/" + ecce,
		"/api/v1/admin/departments/" + osa, "/api/v1/admin/trash",
		"/api/v1/admin/users", "/api/v1/admin/grants", "/api/v1/admin/audit?limit=100",
	}
	compare("admin", admin, adminPaths)
	if a := original.get("/api/v1/admin/trash", admin); a.Status != http.StatusOK || !strings.Contains(a.Body, osa) {
		t.Fatalf("the trash does not show osa: %+v", a)
	}

	// Everyone signs in on the copies with the password they had; the
	// deactivated account stays shut.
	for name, c := range copies {
		for _, a := range accounts {
			want := http.StatusOK
			if !a.active {
				want = http.StatusUnauthorized
			}
			if got := c.login(a.email, a.password); got != want {
				t.Errorf("sign-in of %s on the %s: %d, want %d", a.email, name, got, want)
			}
		}
		if got := c.login(accounts[0].email, "not the password"); got != http.StatusUnauthorized {
			t.Errorf("a wrong password on the %s: %d", name, got)
		}
	}
}

// firstDifference shows the first line where two exports part.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+2) + ":\n" + al[i] + "\n" + bl[i]
		}
	}
	return "one is longer"
}
