package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateSecretCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "jwt.key")
	s1, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) < MinSecretLength {
		t.Fatalf("secret is %d bytes", len(s1))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode %o; want 600", perm)
	}
	dir, _ := os.Stat(filepath.Dir(path))
	if perm := dir.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("directory mode %o is open to group/others", perm)
	}
	s2, err := LoadOrCreateSecret(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s1, s2) {
		t.Fatal("second load returned a different secret")
	}
	// The secret must be usable as a token key.
	if _, err := NewTokens(TokenConfig{Secret: s1, Issuer: "i", Audience: "a", TTL: 1}); err != nil {
		t.Fatal(err)
	}
	other, _ := LoadOrCreateSecret(filepath.Join(t.TempDir(), "jwt.key"))
	if bytes.Equal(s1, other) {
		t.Fatal("two installations got the same secret")
	}
}

func TestLoadOrCreateSecretExisting(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string // "" means an error is expected
	}{
		{"operator-provided", "  " + strings.Repeat("k", 40) + "\n", 0o600, strings.Repeat("k", 40)},
		{"exactly 32 after trim", "\n" + strings.Repeat("k", 32) + "\n\n", 0o600, strings.Repeat("k", 32)},
		{"too short", "short-secret\n", 0o600, ""},
		{"31 bytes padded with spaces", strings.Repeat("k", 31) + strings.Repeat(" ", 10), 0o600, ""},
		{"empty", "", 0o600, ""},
		{"world readable is tightened", strings.Repeat("w", 40), 0o644, strings.Repeat("w", 40)},
		{"too large", strings.Repeat("x", 10000), 0o600, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jwt.key")
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // umask may have narrowed it
				t.Fatal(err)
			}
			got, err := LoadOrCreateSecret(path)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("accepted %q", got)
				}
				if after, _ := os.ReadFile(path); string(after) != tt.content {
					t.Fatal("a rejected secret file was modified")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("secret %q; want %q", got, tt.want)
			}
			info, _ := os.Stat(path)
			if perm := info.Mode().Perm(); perm != 0o600 {
				t.Errorf("file mode %o; want 600", perm)
			}
		})
	}
}

func TestLoadOrCreateSecretNotAFile(t *testing.T) {
	if _, err := LoadOrCreateSecret(t.TempDir()); err == nil {
		t.Fatal("a directory was accepted as the secret file")
	}
}
