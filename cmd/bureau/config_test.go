package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "sqlite:./bureau-data/bureau.db" || c.DataDir != "bureau-data" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.Production() || !c.Embedded() || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v", c)
	}
	// A developer's server stops at once; one in production drains first.
	if c.DBTimeout != 5*time.Second || c.ShutdownDrain != 0 {
		t.Fatalf("DB timeout %s, drain %s", c.DBTimeout, c.ShutdownDrain)
	}
	prod, err := LoadConfig(env(map[string]string{"BUREAU_ENV": "production", "BUREAU_JWT_SECRET": strings.Repeat("s", 32)}))
	if err != nil || prod.ShutdownDrain != 5*time.Second {
		t.Fatalf("production drain %s (%v)", prod.ShutdownDrain, err)
	}
}

func TestLoadConfigRefusesBadValues(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 32)
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string // "" means valid
	}{
		{"production without secret", map[string]string{"BUREAU_ENV": "production"}, "BUREAU_JWT_SECRET"},
		{"production with short secret", map[string]string{"BUREAU_ENV": "production", "BUREAU_JWT_SECRET": "short"}, "at least 32"},
		{"production with secret", map[string]string{"BUREAU_ENV": "production", "BUREAU_JWT_SECRET": long}, ""},
		{"secret from file", map[string]string{"BUREAU_ENV": "production", "BUREAU_JWT_SECRET_FILE": secretFile}, ""},
		{"secret and file both", map[string]string{"BUREAU_JWT_SECRET": long, "BUREAU_JWT_SECRET_FILE": secretFile}, "both set"},
		{"missing secret file", map[string]string{"BUREAU_JWT_SECRET_FILE": "/nonexistent/secret"}, "BUREAU_JWT_SECRET_FILE"},
		{"unknown env", map[string]string{"BUREAU_ENV": "staging"}, "BUREAU_ENV"},
		{"bad addr", map[string]string{"BUREAU_ADDR": "8080"}, "BUREAU_ADDR"},
		{"bad database", map[string]string{"BUREAU_DATABASE_URL": "mysql://x"}, "BUREAU_DATABASE_URL"},
		{"postgres", map[string]string{"BUREAU_DATABASE_URL": "postgres://u@h/db"}, ""},
		{"bad proxy", map[string]string{"BUREAU_TRUSTED_PROXIES": "10.0.0.1, nonsense"}, "nonsense"},
		{"good proxies", map[string]string{"BUREAU_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"}, ""},
		{"bad origin", map[string]string{"BUREAU_ADMIN_ORIGINS": "admin.example.org"}, "BUREAU_ADMIN_ORIGINS"},
		{"bad duration", map[string]string{"BUREAU_ACCESS_TOKEN_TTL": "soon"}, "BUREAU_ACCESS_TOKEN_TTL"},
		{"bad body limit", map[string]string{"BUREAU_MAX_BODY_BYTES": "12"}, "BUREAU_MAX_BODY_BYTES"},
		{"bad db timeout", map[string]string{"BUREAU_DB_TIMEOUT": "0"}, "BUREAU_DB_TIMEOUT"},
		{"no drain", map[string]string{"BUREAU_SHUTDOWN_DRAIN": "0"}, ""},
		{"bad drain", map[string]string{"BUREAU_SHUTDOWN_DRAIN": "-1s"}, "BUREAU_SHUTDOWN_DRAIN"},
		{"bad log level", map[string]string{"BUREAU_LOG_LEVEL": "loud"}, "BUREAU_LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(env(tc.env))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to mention %q (config %+v)", err, tc.wantErr, c)
			}
			if tc.env["BUREAU_JWT_SECRET"] != "" && strings.Contains(err.Error(), tc.env["BUREAU_JWT_SECRET"]) {
				t.Fatal("the error repeats the secret")
			}
		})
	}
}

func TestLoadConfigSecretFileTrimsNewline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	want := strings.Repeat("k", 40)
	if err := os.WriteFile(path, []byte(want+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(env(map[string]string{"BUREAU_JWT_SECRET_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.JWTSecret) != want {
		t.Fatalf("secret = %q", c.JWTSecret)
	}
}
