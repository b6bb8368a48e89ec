package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bureau/models/dbtest"
)

// runCLI runs the command as main would, with env as the whole environment.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func TestCLISeedIsIdempotentAndUsersCreate(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			env := map[string]string{"BUREAU_DATABASE_URL": target.URL, "BUREAU_DATA_DIR": t.TempDir(), "BUREAU_LOG_LEVEL": "error"}
			out, err := runCLI(t, env, "", "seed", "demo")
			if err != nil || !strings.Contains(out, "8 documents created") {
				t.Fatalf("first seed: %q %v", out, err)
			}
			out, err = runCLI(t, env, "", "seed", "demo")
			if err != nil || !strings.Contains(out, "0 documents created") {
				t.Fatalf("second seed: %q %v", out, err)
			}
			if _, err := runCLI(t, env, "", "users", "create", "--email", "a@example.org", "--role", "admin", "--password-stdin"); err == nil {
				t.Fatal("users create accepted an empty password")
			}
			if _, err := runCLI(t, env, "password1234\n", "users", "create", "--email", "a@example.org", "--role", "admin", "--password-stdin"); err == nil {
				t.Fatal("users create accepted a common password")
			}
			if _, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "a@example.org", "--role", "king", "--password-stdin"); err == nil {
				t.Fatal("users create accepted an unknown role")
			}
			out, err = runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "A@Example.org", "--role", "admin", "--password-stdin")
			if err != nil || !strings.Contains(out, "created a@example.org") {
				t.Fatalf("users create: %q %v", out, err)
			}
			if strings.Contains(out, "Harbor-Lantern") {
				t.Fatal("the password was printed")
			}
			if _, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "a@example.org", "--role", "admin", "--password-stdin"); err == nil {
				t.Fatal("a second user with the same email was created")
			}
			out, err = runCLI(t, env, "Another-Long-Passphrase-9\n", "users", "set-password", "--email", "a@example.org", "--password-stdin")
			if err != nil || !strings.Contains(out, "password changed") {
				t.Fatalf("set-password: %q %v", out, err)
			}
			if _, err := runCLI(t, env, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "usage") {
				t.Fatalf("unknown command: %v", err)
			}
		})
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestServeLikeCompose runs `bureau serve` with the configuration the
// docker-compose file gives it (production, secrets from files, JSON logs)
// against each database, checks health, serves the demo after `seed demo`,
// and shuts down gracefully when its context ends (SIGTERM in main).
func TestServeLikeCompose(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			dir := t.TempDir()
			urlFile := filepath.Join(dir, "database_url")
			if err := os.WriteFile(urlFile, []byte(target.URL+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			addr := freePort(t)
			env := map[string]string{
				"BUREAU_ENV":               "production",
				"BUREAU_ADDR":              addr,
				"BUREAU_DATABASE_URL_FILE": urlFile,
				"BUREAU_JWT_SECRET":        strings.Repeat("z", 48),
				"BUREAU_LOG_FORMAT":        "json",
				"BUREAU_DATA_DIR":          dir,
				"BUREAU_SHUTDOWN_DRAIN":    "0",
			}
			if _, err := runCLI(t, env, "", "seed", "demo"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			var logs, out safeBuffer
			go func() {
				done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &logs)
			}()
			waitReady(t, addr)
			if got, err := runCLI(t, env, "", "healthcheck"); err != nil || !strings.Contains(got, "ready") {
				t.Fatalf("healthcheck: %q %v", got, err)
			}
			resp, err := http.Get("http://" + addr + "/api/v1/offices/occs")
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Data struct {
					Name        string `json:"name"`
					Departments []any  `json:"departments"`
				} `json:"data"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != 200 || body.Data.Name != "College and Career Success" || len(body.Data.Departments) != 7 {
				t.Fatalf("GET occs: %d %+v", resp.StatusCode, body)
			}
			// The first admin, made from the shell while the server runs, may
			// sign in and administer at once: the grant reaches the server.
			if _, err := runCLI(t, env, "Harbor-Lantern-Quiet-7\n", "users", "create", "--email", "first@example.org", "--role", "admin", "--password-stdin"); err != nil {
				t.Fatal(err)
			}
			token := login(t, addr, "first@example.org", "Harbor-Lantern-Quiet-7")
			deadline := time.Now().Add(10 * time.Second)
			for status(t, addr, "/api/v1/admin/roles", token) != http.StatusOK {
				if time.Now().After(deadline) {
					t.Fatal("the admin made by the CLI never got its rights on the running server")
				}
				time.Sleep(100 * time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve returned %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop")
			}
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if !json.Valid([]byte(line)) {
					t.Fatalf("log line is not JSON: %q", line)
				}
			}
			if strings.Contains(logs.String(), strings.Repeat("z", 48)) || strings.Contains(out.String(), strings.Repeat("z", 48)) {
				t.Fatal("the JWT secret reached the output")
			}
			if !strings.Contains(out.String(), "bureau users create") {
				t.Fatalf("serve did not say how to create the first admin: %q", out.String())
			}
		})
	}
}

func TestServeRefusesProductionWithoutSecret(t *testing.T) {
	_, err := runCLI(t, map[string]string{"BUREAU_ENV": "production"}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "BUREAU_JWT_SECRET") {
		t.Fatalf("err = %v", err)
	}
}

func waitReady(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(fmt.Sprintf("%s never became ready", addr))
}

// safeBuffer is a bytes.Buffer the server goroutine and the test may share.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func login(t *testing.T, addr, email, password string) string {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
	resp, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return out.AccessToken
}

func status(t *testing.T, addr, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeGeneratesSecretOnce: without BUREAU_JWT_SECRET (development) the
// server makes one, keeps it in the data directory readable by its owner
// only, and reuses it on the next start so sessions survive restarts.
func TestServeGeneratesSecretOnce(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"BUREAU_ADDR":         freePort(t),
		"BUREAU_DATABASE_URL": "sqlite:" + filepath.Join(dir, "bureau.db"),
		"BUREAU_LOG_LEVEL":    "error",
	}
	var secrets []string
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
		}()
		waitReady(t, env["BUREAU_ADDR"])
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(dir, "jwt-secret"))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Fatalf("jwt-secret mode %o, want 600", info.Mode().Perm())
		}
		b, _ := os.ReadFile(filepath.Join(dir, "jwt-secret"))
		secrets = append(secrets, string(b))
	}
	if secrets[0] != secrets[1] || len(strings.TrimSpace(secrets[0])) < 32 {
		t.Fatal("the generated secret changed between starts or is short")
	}
}
