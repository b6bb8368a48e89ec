package handlers_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/policies"
)

// eventually polls until cond holds: events between instances travel
// asynchronously, in milliseconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

// TestInstancesShareChanges: a publication, a grant and a deactivation made
// by one instance on a shared PostgreSQL database are in force on another
// instance, with no restart.
func TestInstancesShareChanges(t *testing.T) {
	if os.Getenv("BUREAU_TEST_POSTGRES_URL") == "" {
		t.Skip("needs PostgreSQL (BUREAU_TEST_POSTGRES_URL): SQLite runs one instance")
	}
	t.Parallel()
	ctx := context.Background()
	// Instance A's changes are made with the same model functions its
	// handlers call; instance B must see them without a restart.
	a := newEnv(t, onEngine("postgres"))
	b := newEnv(t, sharingDatabase(a), withEventListener())
	status := func(path, token string) int {
		return b.do(request{Path: path, Token: token}).Code
	}

	// A publication through A reaches B's public API.
	office, err := models.CreateOffice(ctx, a.db, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "second", Name: "Second Office"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if code := status("/api/v1/offices/second", ""); code != http.StatusNotFound {
		t.Fatalf("draft visible on B: %d", code)
	}
	if _, err := models.Publish(ctx, a.db, models.System, models.KindOffice, office.ID, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B serves the office A published", func() bool { return status("/api/v1/offices/second", "") == http.StatusOK })
	if _, err := models.Unpublish(ctx, a.db, models.System, models.KindOffice, office.ID, 0); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B withdraws the office A unpublished", func() bool { return status("/api/v1/offices/second", "") == http.StatusNotFound })

	// A grant given through A is in force on B; so is its removal.
	user := a.user("viewer@example.org")
	if code := status("/api/v1/admin/offices", user.Token); code != http.StatusForbidden {
		t.Fatalf("user without grants on B: %d", code)
	}
	if _, err := policies.AddGrant(ctx, a.db, models.System, policies.GrantRequest{UserID: user.ID, Role: "viewer", Scope: "*"}); err != nil {
		t.Fatal(err)
	}
	// A grant ends the user's old tokens: sign in again (a new token).
	user.Token = a.issue(user.ID)
	eventually(t, "B honours the grant made on A", func() bool { return status("/api/v1/admin/offices", user.Token) == http.StatusOK })

	// Deactivation through A ends the session on B at once.
	err = models.Write(ctx, a.db, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", user.ID).Update("active", false).Error; err != nil {
			return err
		}
		return models.BumpTokenVersion(ctx, tx, user.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "B refuses the deactivated user's token", func() bool { return status("/api/v1/admin/offices", user.Token) == http.StatusUnauthorized })
}
