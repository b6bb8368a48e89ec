package backup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"bureau/models/backup"
	"bureau/models/dbtest"
	"bureau/policies"
)

// resign rewrites the end record of lines for their records as they are,
// as an export of them would have.
func resign(t *testing.T, lines []string) string {
	t.Helper()
	sum := sha256.New()
	counts := map[string]int64{}
	for _, l := range lines[1 : len(lines)-2] {
		sum.Write([]byte(l))
		var rec struct{ Type string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		counts[rec.Type]++
	}
	end, _ := json.Marshal(map[string]any{"type": "end", "data": map[string]any{"counts": counts, "sha256": hex.EncodeToString(sum.Sum(nil))}})
	return strings.Join(lines[:len(lines)-2], "") + string(end) + "\n"
}

// TestImportOfAFileFromBeforeGrantsByID: files written when grants named
// documents by slug (format 1 too) have grants without created_at, and may
// have grants on slugs no document had. They import; such grants are
// dropped, as the grants migration drops them, and the others name their
// document by id.
func TestImportOfAFileFromBeforeGrantsByID(t *testing.T) {
	lines := validExport(t)
	var userID string
	lastGrant := 0
	for i, l := range lines {
		if strings.Contains(l, `"type":"grant"`) {
			var rec struct {
				Data struct {
					UserID string `json:"user_id"`
				}
			}
			_ = json.Unmarshal([]byte(l), &rec)
			userID = rec.Data.UserID
			// the old record had no created_at
			lines[i] = l[:strings.Index(l, `,"created_at"`)] + "}}\n"
			lastGrant = i
		}
	}
	dormant := `{"type":"grant","data":{"id":999,"user_id":"` + userID + `","role":"editor","scope":"department:nowhere"}}` + "\n"
	lines = append(append(append([]string(nil), lines[:lastGrant+1]...), dormant), lines[lastGrant+1:]...)
	file := resign(t, lines)
	db := dbtest.Migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "bureau.db"))
	imported, err := backup.Import(context.Background(), db, strings.NewReader(file), backup.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The summary counts what was stored, and says what was dropped.
	if imported.Stored["grant"] != 5 || imported.DroppedGrants != 1 ||
		!strings.Contains(imported.String(), "5 grants (1 more of the file dropped: their scope names no document), ") {
		t.Fatalf("summary %q, stored %v, dropped %d", imported, imported.Stored, imported.DroppedGrants)
	}
	grants, err := policies.ListGrants(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 5 {
		t.Fatalf("grants: %+v", grants)
	}
	for _, g := range grants {
		if g.Scope == "department:nowhere" || (g.Scope != "*" && g.ScopeID == "") || g.ID == 999 {
			t.Fatalf("grant %+v", g)
		}
	}
}
