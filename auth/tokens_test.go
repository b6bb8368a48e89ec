package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test-secret")

func testTokens(t testing.TB) *Tokens {
	t.Helper()
	tk, err := NewTokens(TokenConfig{Secret: testSecret, Issuer: "bureau", Audience: "bureau-admin", TTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestNewTokensValidates(t *testing.T) {
	ok := TokenConfig{Secret: testSecret, Issuer: "i", Audience: "a", TTL: time.Minute}
	tests := []struct {
		name string
		edit func(*TokenConfig)
	}{
		{"short secret", func(c *TokenConfig) { c.Secret = testSecret[:31] }},
		{"no secret", func(c *TokenConfig) { c.Secret = nil }},
		{"no issuer", func(c *TokenConfig) { c.Issuer = "" }},
		{"no audience", func(c *TokenConfig) { c.Audience = "" }},
		{"zero TTL", func(c *TokenConfig) { c.TTL = 0 }},
		{"negative TTL", func(c *TokenConfig) { c.TTL = -time.Minute }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			if _, err := NewTokens(cfg); err == nil {
				t.Fatal("NewTokens accepted a bad config")
			}
		})
	}
	if _, err := NewTokens(ok); err != nil {
		t.Fatal(err)
	}
}

func TestIssueParseRoundTrip(t *testing.T) {
	tk := testTokens(t)
	now := time.Now()
	tok, exp, err := tk.Issue("user-42", 7, now)
	if err != nil {
		t.Fatal(err)
	}
	if d := exp.Sub(now); d < 15*time.Minute-time.Second || d > 15*time.Minute {
		t.Errorf("expiresAt is now+%v; want about 15m", d)
	}
	c, err := tk.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-42" || c.TokenVersion != 7 || c.Issuer != "bureau" ||
		len(c.Audience) != 1 || c.Audience[0] != "bureau-admin" || c.ID == "" ||
		!c.ExpiresAt.Time.Equal(exp) || c.IssuedAt == nil || c.NotBefore == nil {
		t.Fatalf("unexpected claims: %+v", c)
	}
	tok2, _, _ := tk.Issue("user-42", 7, now)
	if c2, _ := tk.Parse(tok2); c2.ID == c.ID {
		t.Error("two tokens share a jti")
	}
	if _, _, err := tk.Issue("", 1, now); err == nil {
		t.Error("Issue accepted an empty user id")
	}
}

// sign builds a token outside Issue, for hostile cases.
func sign(t *testing.T, m jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims(now time.Time) Claims {
	return Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "bureau", Subject: "user-42", Audience: jwt.ClaimStrings{"bureau-admin"},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		TokenVersion: 1,
	}
}

func TestParseRejectsHostileTokens(t *testing.T) {
	tk := testTokens(t)
	now := time.Now()
	good, _, err := tk.Issue("user-42", 1, now)
	if err != nil {
		t.Fatal(err)
	}
	// Sanity: our hand-built claims are accepted when signed properly, so each
	// case below fails for the one reason it names.
	if _, err := tk.Parse(sign(t, jwt.SigningMethodHS256, validClaims(now), testSecret)); err != nil {
		t.Fatalf("baseline hand-built token rejected: %v", err)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other := func(edit func(*TokenConfig)) *Tokens {
		cfg := TokenConfig{Secret: testSecret, Issuer: "bureau", Audience: "bureau-admin", TTL: 15 * time.Minute}
		edit(&cfg)
		o, err := NewTokens(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	issue := func(o *Tokens, at time.Time) string {
		s, _, err := o.Issue("user-42", 1, at)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withClaims := func(edit func(*Claims)) string {
		c := validClaims(now)
		edit(&c)
		return sign(t, jwt.SigningMethodHS256, c, testSecret)
	}

	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	flipped := strings.Replace(string(payload), `"sub":"user-42"`, `"sub":"user-1"`, 1)
	if flipped == string(payload) {
		t.Fatal("test setup: subject not found in payload")
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(flipped)) + "." + parts[2]

	// HS256 signatures are 32 bytes: the last of 43 base64 characters carries
	// 4 unused bits. Setting one gives another string for the same bytes.
	sig := []byte(parts[2])
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", sig[len(sig)-1])
	sig[len(sig)-1] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1]
	nonCanonical := parts[0] + "." + parts[1] + "." + string(sig)

	// A valid HS256 token whose header marks an extension as critical, as
	// RFC 7515 4.1.11 allows: Bureau understands none, so it must refuse it.
	withCrit := func(crit any) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, validClaims(now))
		tok.Header["crit"] = crit
		s, err := tok.SignedString(testSecret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	tests := []struct{ name, token string }{
		{"crit header naming an extension", withCrit([]string{"exp"})},
		{"crit header empty list", withCrit([]string{})},
		{"alg none", sign(t, jwt.SigningMethodNone, validClaims(now), jwt.UnsafeAllowNoneSignatureType)},
		{"empty signature", strings.Replace(good, parts[2], "", 1)},
		{"HS512 with our secret", sign(t, jwt.SigningMethodHS512, validClaims(now), testSecret)},
		{"HS384 with our secret", sign(t, jwt.SigningMethodHS384, validClaims(now), testSecret)},
		{"RS256", sign(t, jwt.SigningMethodRS256, validClaims(now), rsaKey)},
		{"tampered subject", tampered},
		{"non-canonical base64 signature", nonCanonical},
		{"wrong secret", issue(other(func(c *TokenConfig) { c.Secret = []byte(strings.Repeat("z", 32)) }), now)},
		{"wrong issuer", issue(other(func(c *TokenConfig) { c.Issuer = "evil" }), now)},
		{"wrong audience", issue(other(func(c *TokenConfig) { c.Audience = "public" }), now)},
		{"expired", issue(tk, now.Add(-time.Hour))},
		{"expired beyond leeway", withClaims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-6 * time.Second)) })},
		{"not yet valid", issue(tk, now.Add(time.Hour))},
		{"nbf in future", withClaims(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute)) })},
		{"iat in future", withClaims(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Minute)) })},
		{"missing exp", withClaims(func(c *Claims) { c.ExpiresAt = nil })},
		{"missing issuer", withClaims(func(c *Claims) { c.Issuer = "" })},
		{"missing audience", withClaims(func(c *Claims) { c.Audience = nil })},
		{"empty subject", withClaims(func(c *Claims) { c.Subject = "" })},
		{"garbage", "not-a-token"},
		{"two segments", parts[0] + "." + parts[1]},
		{"four segments", good + ".x"},
		{"empty", ""},
		{"whitespace around", " " + good + " "},
		{"bearer prefix left on", "Bearer " + good},
		{"oversize but validly signed", withClaims(func(c *Claims) { c.ID = strings.Repeat("a", 5000) })},
		{"oversize garbage", strings.Repeat("a", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tk.Parse(tt.token)
			if !errors.Is(err, ErrInvalidToken) || c != nil {
				t.Fatalf("Parse = %+v, %v; want nil, ErrInvalidToken", c, err)
			}
		})
	}
}

func TestParseLeeway(t *testing.T) {
	tk := testTokens(t)
	// Expired 2s ago, within the 5s leeway for clock skew between nodes.
	c := validClaims(time.Now())
	c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Second))
	if _, err := tk.Parse(sign(t, jwt.SigningMethodHS256, c, testSecret)); err != nil {
		t.Fatalf("token inside leeway rejected: %v", err)
	}
}

func TestParseUsesOwnSecretCopy(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	tk, err := NewTokens(TokenConfig{Secret: secret, Issuer: "bureau", Audience: "bureau-admin", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, _ := tk.Issue("u", 1, time.Now())
	secret[0] ^= 0xff
	if _, err := tk.Parse(tok); err != nil {
		t.Fatalf("caller mutating its secret slice affected Tokens: %v", err)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, want string
		ok           bool
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc.def.ghi", "abc.def.ghi", true},
		{"BEARER abc", "abc", true},
		{"  Bearer   abc  ", "abc", true},
		{"Bearer abc==", "abc==", true},
		{"Bearer a-b_c~d+e/f", "a-b_c~d+e/f", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearer    ", "", false},
		{"Bearer ==", "", false},
		{"Bearer a=b", "", false},
		{"Bearer abc def", "", false},
		{"Bearer abc\tdef", "", false},
		{"Bearer\tabc", "", false},
		{"Bearerabc", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Token abc", "", false},
		{"abc.def.ghi", "", false},
		{"Bearer abc\x00", "", false},
		{"Bearer ab\"c", "", false},
		{"Bearer ạbc", "", false},
	}
	for _, tt := range tests {
		got, ok := BearerToken(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
