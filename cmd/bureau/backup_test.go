package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bureau/models"
	"bureau/models/dbtest"
)

// runCLIStreams is runCLI that also returns standard error.
func runCLIStreams(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestCLIExportImport runs bureau export and import as a shell would, on
// each engine: to a file readable by its owner only, to standard output,
// from a file and from standard input, with and without --replace.
func TestCLIExportImport(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			dir := t.TempDir()
			source := map[string]string{"BUREAU_DATABASE_URL": target.URL, "BUREAU_LOG_LEVEL": "error"}
			if _, err := runCLI(t, source, "", "seed", "demo"); err != nil {
				t.Fatal(err)
			}
			if _, err := runCLI(t, source, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "first@example.org", "--role", "admin", "--password-stdin"); err != nil {
				t.Fatal(err)
			}

			// To a file: mode 0600, even over an earlier file that anyone could read.
			path := filepath.Join(dir, "backup.jsonl")
			if err := os.WriteFile(path, []byte("an older backup"), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := runCLIStreams(t, source, "", "export", "--output", path)
			if err != nil {
				t.Fatal(err)
			}
			if stdout != "" || !strings.Contains(stderr, "exported 1 office, 7 departments") || !strings.Contains(stderr, "1 user") {
				t.Fatalf("stdout %q, stderr %q", stdout, stderr)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Fatalf("backup mode %o, want 600", info.Mode().Perm())
			}
			file, _ := os.ReadFile(path)
			if !strings.HasPrefix(string(file), `{"format":1,`) {
				t.Fatalf("the file does not start with its format: %.80s", file)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dir, ".backup.jsonl.partial-*")); len(leftovers) != 0 {
				t.Fatalf("partial files left: %v", leftovers)
			}

			// To standard output: the same records.
			stdout, _, err = runCLIStreams(t, source, "", "export")
			if err != nil {
				t.Fatal(err)
			}
			if withoutFirstLine(stdout) != withoutFirstLine(string(file)) {
				t.Fatal("export to standard output differs from export to a file")
			}

			// Into an empty SQLite database from the file, then from stdin
			// into one that now holds data: refused, then replaced.
			copyEnv := map[string]string{"BUREAU_DATABASE_URL": "sqlite:" + filepath.Join(dir, "copy", "bureau.db"), "BUREAU_LOG_LEVEL": "error"}
			out, err := runCLI(t, copyEnv, "", "import", "--input", path)
			if err != nil || !strings.Contains(out, "imported 1 office, 7 departments") {
				t.Fatalf("import: %q %v", out, err)
			}
			_, err = runCLI(t, copyEnv, stdout, "import", "--input", "-")
			if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "--replace") {
				t.Fatalf("import into a database with data: %v", err)
			}
			if out, err := runCLI(t, copyEnv, stdout, "import", "--input", "-", "--replace"); err != nil || !strings.Contains(out, "imported") {
				t.Fatalf("import --replace from stdin: %q %v", out, err)
			}
			again, _, err := runCLIStreams(t, copyEnv, "", "export")
			if err != nil || withoutFirstLine(again) != withoutFirstLine(string(file)) {
				t.Fatalf("the copy does not export as its original (%v)", err)
			}

			// A damaged file is refused with its line, and the command fails.
			damaged := strings.Replace(stdout, `"format":1`, `"format":9`, 1)
			_, err = runCLI(t, copyEnv, damaged, "import", "--input", "-", "--replace")
			if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "nothing changed") {
				t.Fatalf("damaged file: %v", err)
			}
			if _, err := runCLI(t, copyEnv, "", "import"); err == nil || !strings.Contains(err.Error(), "usage") {
				t.Fatalf("import without --input: %v", err)
			}
		})
	}
}

// TestExportFailureKeepsTheEarlierBackup: an export that fails leaves no
// partial file, and an earlier backup of the same name whole.
func TestExportFailureKeepsTheEarlierBackup(t *testing.T) {
	dir := t.TempDir()
	db := dbtest.Migrated(t, "sqlite:"+filepath.Join(dir, "bureau.db"))
	path := filepath.Join(dir, "backup.jsonl")
	if err := os.WriteFile(path, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := models.Close(db); err != nil { // every read now fails
		t.Fatal(err)
	}
	if _, err := exportToFile(context.Background(), db, path, nil); err == nil {
		t.Fatal("export from a closed database succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "yesterday's backup" {
		t.Fatalf("the earlier backup was changed: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "partial") {
			t.Fatalf("a partial file was left: %s", e.Name())
		}
	}
}

func withoutFirstLine(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// TestImportUnderARunningServer: `bureau import --replace` beside a running
// `bureau serve` (another process on SQLite, another instance on
// PostgreSQL): the server serves the imported content and lets the
// imported admin in, without a restart.
func TestImportUnderARunningServer(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			dir := t.TempDir()
			// The backup: the demo with the department ecce withdrawn, and an admin.
			source := map[string]string{"BUREAU_DATABASE_URL": "sqlite:" + filepath.Join(dir, "source", "bureau.db"), "BUREAU_LOG_LEVEL": "error"}
			if _, err := runCLI(t, source, "", "seed", "demo"); err != nil {
				t.Fatal(err)
			}
			if _, err := runCLI(t, source, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "restored@example.org", "--role", "admin", "--password-stdin"); err != nil {
				t.Fatal(err)
			}
			db := dbtest.Open(t, source["BUREAU_DATABASE_URL"])
			var ecce string
			if err := db.Table("departments").Select("id").Where("slug = ?", "ecce").Scan(&ecce).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := models.Unpublish(context.Background(), db, models.System, models.KindDepartment, ecce, 0); err != nil {
				t.Fatal(err)
			}
			backupFile, _, err := runCLIStreams(t, source, "", "export")
			if err != nil {
				t.Fatal(err)
			}

			addr := freePort(t)
			env := map[string]string{"BUREAU_DATABASE_URL": target.URL, "BUREAU_ADDR": addr, "BUREAU_LOG_LEVEL": "error", "BUREAU_DATA_DIR": dir}
			if _, err := runCLI(t, env, "", "seed", "demo"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}()
			waitReady(t, addr)
			if got := status(t, addr, "/api/v1/departments/ecce", ""); got != http.StatusOK {
				t.Fatalf("before the import: %d", got)
			}
			if _, err := runCLI(t, env, backupFile, "import", "--input", "-", "--replace"); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for status(t, addr, "/api/v1/departments/ecce", "") != http.StatusNotFound {
				if time.Now().After(deadline) {
					t.Fatal("the running server never served the imported content")
				}
				time.Sleep(100 * time.Millisecond)
			}
			token := login(t, addr, "restored@example.org", "Harbor-Lantern-Quiet-7")
			if got := status(t, addr, "/api/v1/admin/users", token); got != http.StatusOK {
				t.Fatalf("the imported admin on the running server: %d", got)
			}
		})
	}
}
