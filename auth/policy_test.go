package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPasswordPolicy(t *testing.T) {
	const email = "Alice.Anderson@Example.com"
	tests := []struct {
		name     string
		password string
		wantErr  string // substring of the message; "" means accepted
	}{
		{"11 chars", "kX9#mQ2$vL7", "at least 12"},
		{"12 chars", "kX9#mQ2$vL7p", ""},
		{"256 chars", strings.Repeat("kX9#mQ2$", 32), ""},
		{"257 chars", strings.Repeat("kX9#mQ2$", 32) + "z", "at most 256"},
		{"multi-byte runes count once: 11", strings.Repeat("密", 10) + "é", "at least 12"},
		{"multi-byte runes count once: 12", "密码是很长的短语吗é🔑ü", ""},
		{"256 emoji", strings.Repeat("🔑🙂", 128), ""},
		{"257 emoji", strings.Repeat("🔑🙂", 128) + "🔑", "at most 256"},
		{"all spaces", strings.Repeat(" ", 20), "whitespace"},
		{"all mixed whitespace", " \t\n\u00a0\u2003 \t\n\u00a0\u2003  ", "whitespace"},
		{"repeated char", "aaaaaaaaaaaaaaaa", "repeated"},
		{"repeated multi-byte char", strings.Repeat("é", 12), "repeated"},
		{"common", "password1234", "common"},
		{"common, case differs", "PassWord1234", "common"},
		{"common digits", "123456789012", "common"},
		{"common keyboard", "QWERTYUIOPAS", "common"},
		{"common phrase", "iloveyou1234", "common"},
		{"common doubled", "passwordpassword", "common"},
		{"common with outer spaces", "  password1234  ", "common"},
		{"equals email", "alice.anderson@example.com", "email"},
		{"equals local part", "ALICE.ANDERSON", "email"},
		{"contains local part is fine", "alice.anderson rides bikes", ""},
		{"invalid utf-8", "abcdefghijk\xff", "UTF-8"},
		{"passphrase", "violet stapler orbit canyon", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.password, email)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v; want *PolicyError containing %q", err, tt.wantErr)
			}
			if !strings.Contains(pe.Message, tt.wantErr) {
				t.Fatalf("message %q does not contain %q", pe.Message, tt.wantErr)
			}
		})
	}
}

func TestPolicyEmptyEmail(t *testing.T) {
	if err := CheckPasswordPolicy("violet stapler orbit", ""); err != nil {
		t.Fatal(err)
	}
}

func TestCommonPasswordsList(t *testing.T) {
	set := commonPasswords()
	if len(set) < 500 {
		t.Fatalf("only %d common passwords loaded", len(set))
	}
	for pw := range set {
		if strings.HasPrefix(pw, "#") || pw != strings.ToLower(strings.TrimSpace(pw)) {
			t.Errorf("list entry %q is not normalised", pw)
		}
	}
}
