package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var setupLink = regexp.MustCompile(`http://[^\s/]+/admin/setup#([A-Za-z0-9_-]{43})\n`)

// serveOnce runs `bureau serve` until ready, calls during, then stops it and
// returns what it printed on standard output and in its log.
func serveOnce(t *testing.T, env map[string]string, during func(stdout string)) (stdout, logs string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errOut safeBuffer
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	}()
	waitReady(t, env["BUREAU_ADDR"])
	if during != nil {
		during(out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	return out.String(), errOut.String()
}

// While no account exists, serve prints a one-time link on standard output
// (never in its log) that creates the first admin; once one exists, none.
func TestServePrintsTheSetupLinkOnlyWithoutAccounts(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"BUREAU_ADDR":         freePort(t),
		"BUREAU_DATABASE_URL": "sqlite:" + filepath.Join(dir, "bureau.db"),
		"BUREAU_DATA_DIR":     dir,
		"BUREAU_LOG_LEVEL":    "debug",
		"BUREAU_LOG_FORMAT":   "json",
	}
	var token string
	stdout, logs := serveOnce(t, env, func(stdout string) {
		m := setupLink.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("no setup link on standard output:\n%s", stdout)
		}
		token = m[1]
		// The printed link works, on this very server.
		body := fmt.Sprintf(`{"token":%q,"email":"first@example.org","password":"Harbor-Lantern-Quiet-7"}`, token)
		resp, err := http.Post("http://"+env["BUREAU_ADDR"]+"/api/v1/auth/setup", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("setup with the printed token: %d", resp.StatusCode)
		}
		if status(t, env["BUREAU_ADDR"], "/api/v1/admin/roles", login(t, env["BUREAU_ADDR"], "first@example.org", "Harbor-Lantern-Quiet-7")) != http.StatusOK {
			t.Fatal("the admin made by setup has no admin rights")
		}
	})
	if strings.Count(stdout, token) != 1 {
		t.Errorf("the token should be printed exactly once:\n%s", stdout)
	}
	if strings.Contains(logs, token) {
		t.Errorf("the setup token reached the log")
	}
	if !strings.Contains(logs, `"path":"/api/v1/auth/setup"`) {
		t.Errorf("the log does not show the setup request (is it capturing?):\n%s", logs)
	}

	// An account exists now: the next start prints no link.
	stdout, _ = serveOnce(t, env, nil)
	if strings.Contains(stdout, "/admin/setup") || strings.Contains(stdout, "No user exists") {
		t.Errorf("a setup link was printed although an account exists:\n%s", stdout)
	}
	if !strings.Contains(stdout, "/admin/") {
		t.Errorf("serve does not say where the admin is:\n%s", stdout)
	}
}

// An account made on the command line before the first start also means no
// link.
func TestServePrintsNoSetupLinkAfterUsersCreate(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"BUREAU_ADDR":         freePort(t),
		"BUREAU_DATABASE_URL": "sqlite:" + filepath.Join(dir, "bureau.db"),
		"BUREAU_DATA_DIR":     dir,
		"BUREAU_LOG_LEVEL":    "error",
	}
	if _, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "cli@example.org", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	stdout, _ := serveOnce(t, env, nil)
	if setupLink.MatchString(stdout) || strings.Contains(stdout, "/admin/setup") {
		t.Errorf("a setup link was printed although an account exists:\n%s", stdout)
	}
}

func TestBrowsableHost(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080": "127.0.0.1:8080",
		"0.0.0.0:8080":   "localhost:8080",
		"[::]:8080":      "localhost:8080",
		"[::1]:9000":     "[::1]:9000",
		"10.0.0.5:80":    "10.0.0.5:80",
	} {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := browsableHost(addr); got != want {
			t.Errorf("browsableHost(%s) = %s, want %s", in, got, want)
		}
	}
}
