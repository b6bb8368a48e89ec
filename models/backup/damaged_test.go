package backup_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/backup"
	"bureau/models/dbtest"
	"bureau/policies"
)

// validExport is the export of a seeded SQLite instance, split into lines.
func validExport(t *testing.T) []string {
	t.Helper()
	source := dbtest.Migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "source.db"))
	seedInstance(t, source)
	return strings.SplitAfter(string(exportOf(t, source)), "\n")
}

// edit returns the file with the first line holding marker changed by fn,
// and that line's number.
func edit(t *testing.T, lines []string, marker string, fn func(line string) string) (string, int) {
	t.Helper()
	out := append([]string(nil), lines...)
	for i, l := range out {
		if strings.Contains(l, marker) {
			out[i] = fn(l)
			return strings.Join(out, ""), i + 1
		}
	}
	t.Fatalf("no line holds %s", marker)
	return "", 0
}

func lineOf(t *testing.T, lines []string, marker string) int {
	t.Helper()
	_, n := edit(t, lines, marker, func(l string) string { return l })
	return n
}

// damaged is a file an import must refuse.
type damaged struct {
	name string
	file string
	line int    // the line the error must name
	want string // in the error
}

// TestDamagedFilesChangeNothing: every kind of bad file is refused with a
// message naming the problem and its line, and leaves the database exactly
// as it was, empty or not, with --replace or without.
func TestDamagedFilesChangeNothing(t *testing.T) {
	lines := validExport(t)
	file := strings.Join(lines, "")
	last := len(lines) - 1 // SplitAfter leaves an empty string after the final newline

	var cases []damaged
	add := func(name, file string, line int, want string) {
		cases = append(cases, damaged{name, file, line, want})
	}
	add("truncated mid-line", file[:len(strings.Join(lines[:20], ""))+30], 21, "ends in the middle of a record")
	add("truncated at a line end", strings.Join(lines[:last-1], ""), last-1, "truncated")
	add("empty", "", 1, "empty")
	add("not an export", "{\"hello\":1}\n", 1, "not a Bureau export")
	f, n := edit(t, lines, `"format":1`, func(l string) string { return strings.Replace(l, `"format":1`, `"format":2`, 1) })
	add("wrong format version", f, n, "format version 2")
	garbage := append(append(append([]string(nil), lines[:5]...), "this is not JSON\n"), lines[5:]...)
	add("garbage line", strings.Join(garbage, ""), 6, "not a record")
	f, n = edit(t, lines, `"type":"revision"`, func(l string) string { return replaceField(l, "entity_id", "00000000-0000-4000-8000-000000000000") })
	add("revision of a missing document", f, n, "is not in this file")
	f, n = edit(t, lines, `"type":"office"`, func(l string) string { return replaceField(l, "id", "not-a-uuid") })
	add("bad UUID", f, n, `id "not-a-uuid" is not a UUID`)
	// The later of the two departments is the duplicate.
	f, osel := edit(t, lines, `"slug":"osel"`, func(l string) string { return strings.Replace(l, `"slug":"osel"`, `"slug":"jrotc"`, 1) })
	add("duplicate slug", f, max(osel, lineOf(t, lines, `"slug":"jrotc"`)), `slug "jrotc" is already used`)
	f, n = edit(t, lines, `"role":"editor"`, func(l string) string { return strings.Replace(l, `"role":"editor"`, `"role":"king"`, 1) })
	add("unknown role", f, n, `role "king"`)
	f, n = edit(t, lines, `"type":"department"`, func(l string) string { return replaceField(l, "office_id", "00000000-0000-4000-8000-000000000000") })
	add("department of a missing office", f, n, "is not an office of this file")
	f, n = edit(t, lines, `"type":"user"`, func(l string) string { return replaceField(l, "password_hash", "plaintext") })
	add("password that is not a hash", f, n, "argon2id")
	f, n = edit(t, lines, `"type":"department"`, func(l string) string { return strings.Replace(l, `"summary":"`, `"summary":"altered `, 1) })
	add("altered text", f, last, "checksum")
	auditLine := lineOf(t, lines, `"type":"audit_event"`)
	dropped := append(append([]string(nil), lines[:auditLine-1]...), lines[auditLine:]...)
	add("a record missing", strings.Join(dropped, ""), last-1, "records are missing")
	add("data after the end", file+"{}\n", last+1, "after the end record")
	f, n = edit(t, lines, `"type":"office"`, func(l string) string { return strings.Replace(l, `"data":{`, `"data":{"extra":1,`, 1) })
	add("unknown field", f, n, `extra: is not a field`)
	cases = append(cases, handEdited(t, lines)...)

	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			db := dbtest.Migrated(t, target.URL)
			check := func(t *testing.T, c damaged, replace bool) {
				before := snapshot(t, db)
				_, err := backup.Import(context.Background(), db, strings.NewReader(c.file), backup.ImportOptions{Replace: replace})
				if err == nil {
					t.Fatal("the damaged file was imported")
				}
				t.Logf("refused: %v", err)
				var fe *backup.FileError
				if !errors.As(err, &fe) {
					t.Fatalf("not a FileError: %v", err)
				}
				if c.line != 0 && fe.Line != c.line {
					t.Errorf("error names line %d, want %d: %v", fe.Line, c.line, err)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q does not say %q", err, c.want)
				}
				if after := snapshot(t, db); after != before {
					t.Fatalf("the refused import changed the database:\nbefore %s\nafter  %s", before, after)
				}
			}
			for _, c := range cases {
				t.Run("empty target/"+c.name, func(t *testing.T) { check(t, c, false) })
			}
			// With data in it and --replace, a bad file still changes nothing:
			// the emptying is rolled back with the rest.
			if _, err := models.SeedDemo(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				t.Run("replace/"+c.name, func(t *testing.T) { check(t, c, true) })
			}
		})
	}
}

// replaceField sets the first string field name of a JSON line to value.
func replaceField(line, name, value string) string {
	key := `"` + name + `":"`
	i := strings.Index(line, key)
	if i < 0 {
		return line
	}
	start := i + len(key)
	end := start + strings.Index(line[start:], `"`)
	return line[:start] + value + line[end:]
}

// TestImportRefusesDataWithoutReplace: a database holding content or
// users is left alone unless --replace is given, which replaces all of it.
func TestImportRefusesDataWithoutReplace(t *testing.T) {
	file := []byte(strings.Join(validExport(t), ""))
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			for name, fill := range map[string]func(db *gorm.DB) error{
				"content": func(db *gorm.DB) error { _, err := models.SeedDemo(ctx, db); return err },
				"a user": func(db *gorm.DB) error {
					_, err := models.CreateUser(ctx, db, "someone@example.org", "", "$argon2id$x")
					return err
				},
			} {
				t.Run(name, func(t *testing.T) {
					db := dbtest.Migrated(t, freshURL(t, target))
					if err := fill(db); err != nil {
						t.Fatal(err)
					}
					before := snapshot(t, db)
					_, err := backup.Import(ctx, db, bytes.NewReader(file), backup.ImportOptions{})
					var notEmpty *backup.NotEmptyError
					if !errors.As(err, &notEmpty) || !strings.Contains(err.Error(), "--replace") {
						t.Fatalf("err = %v, want a NotEmptyError that mentions --replace", err)
					}
					if snapshot(t, db) != before {
						t.Fatal("the refused import changed the database")
					}
					if _, err := backup.Import(ctx, db, bytes.NewReader(file), backup.ImportOptions{Replace: true}); err != nil {
						t.Fatalf("import --replace: %v", err)
					}
					if got := exportOf(t, db); withoutHeader(got) != withoutHeader(file) {
						t.Fatalf("after --replace the database is not the file:\n%s", firstDifference(withoutHeader(file), withoutHeader(got)))
					}
					// New rows get ids past the imported ones (PostgreSQL's
					// sequences were moved on).
					if err := models.RecordAudit(ctx, db, models.System, "test.after_import", "", "", nil); err != nil {
						t.Fatalf("an audit event after the import: %v", err)
					}
					var userID string
					if err := db.Table("users").Select("id").Order("email").Limit(1).Scan(&userID).Error; err != nil {
						t.Fatal(err)
					}
					if _, err := policies.AddGrant(context.Background(), db, models.System, policies.GrantRequest{UserID: userID, Role: policies.RoleAuthor, Scope: "department:jrotc"}); err != nil {
						t.Fatalf("a grant after the import: %v", err)
					}
					var sessions int64
					if err := db.Table("refresh_tokens").Count(&sessions).Error; err != nil || sessions != 0 {
						t.Fatalf("refresh tokens left: %d %v", sessions, err)
					}
				})
			}
		})
	}
}

// freshURL is another empty database of the target's engine.
func freshURL(t *testing.T, target dbtest.Target) string {
	t.Helper()
	if target.Name == "sqlite" {
		return "sqlite:" + filepath.Join(t.TempDir(), "bureau.db")
	}
	targets := dbtest.Targets(t)
	return targets[len(targets)-1].URL
}
