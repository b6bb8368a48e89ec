package auth

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Length limits count characters (runes), not bytes, so "é" or "密" is one
// character. The upper bound keeps hashing cost predictable; a longer password
// is refused, never truncated, so what the user typed is what gets hashed.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// PolicyError explains why a password was refused. Message is meant for the
// user, e.g. "must be at least 12 characters".
type PolicyError struct {
	Message string
}

func (e *PolicyError) Error() string { return "password " + e.Message }

//go:embed common_passwords.txt
var commonPasswordsFile string

// commonPasswords is parsed on first use so programs that never set a
// password (e.g. a read-only API node) do not pay for it.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 4096)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// CheckPasswordPolicy returns a *PolicyError if password is not acceptable for
// the account with the given email, nil otherwise. Following NIST SP 800-63B,
// it asks for length and refuses known-bad choices instead of imposing
// character-class rules.
func CheckPasswordPolicy(password, email string) error {
	refuse := func(msg string) error { return &PolicyError{Message: msg} }

	if !utf8.ValidString(password) {
		return refuse("must be valid UTF-8 text")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return refuse(fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if n > MaxPasswordLength {
		return refuse(fmt.Sprintf("must be at most %d characters", MaxPasswordLength))
	}
	trimmed := strings.TrimSpace(password)
	if trimmed == "" {
		return refuse("must not be only whitespace")
	}
	if isOneRepeatedRune(password) {
		return refuse("must not be a single repeated character")
	}
	if email = strings.TrimSpace(email); email != "" {
		local := email
		if at := strings.LastIndexByte(email, '@'); at >= 0 {
			local = email[:at]
		}
		if strings.EqualFold(password, email) || (local != "" && strings.EqualFold(password, local)) {
			return refuse("must not be your email address")
		}
	}
	if _, ok := commonPasswords()[strings.ToLower(trimmed)]; ok {
		return refuse("is too common; choose one that is harder to guess")
	}
	return nil
}

func isOneRepeatedRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	for _, r := range s {
		if r != first {
			return false
		}
	}
	return true
}
