package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzParseToken checks that Parse never panics and accepts nothing but the
// exact string Issue produced: no mutation of a valid token (flipped bits,
// alternative base64, edited claims) may verify.
//
// Fuzz workers are separate processes, each issuing its own seed token (with
// its own jti), so "exactly what Issue produced" is checked as: an accepted
// token equals the re-signing of its own claims, which is what Issue outputs
// for them. A valid signature means our key signed those bytes, and only
// Issue signs with it, so any other accepted string is a second encoding.
func FuzzParseToken(f *testing.F) {
	tk := testTokens(f)
	valid, _, err := tk.Issue("user-42", 3, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		"",
		".",
		"..",
		"a.b.c",
		valid + ".",
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1],
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"eyJhbGciOiJIUzI1NiJ9.e30." + parts[2],
		strings.ToUpper(valid),
		valid[:len(valid)-1],
		strings.Repeat("A", 5000),
	} {
		f.Add(seed)
	}
	// Same signature bytes spelled differently in the unused low bits of the
	// last base64 character; random mutation rarely finds these.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, valid[len(valid)-1])
	for bits := 1; bits < 4; bits++ {
		f.Add(valid[:len(valid)-1] + string(alphabet[last^bits]))
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := tk.Parse(token)
		if err == nil && token != reissue(t, c) {
			t.Fatalf("Parse accepted a token Issue never produced: %q -> %+v", token, c)
		}
		if err != nil && c != nil {
			t.Fatal("Parse returned claims with an error")
		}
	})
}

// reissue signs c the way Issue does.
func reissue(t *testing.T, c *Claims) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzBearerToken checks that BearerToken never panics and that anything it
// returns is a non-empty token68 taken verbatim from the header.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{
		"Bearer abc.def.ghi", "bearer x", "BEARER  y==", "Basic abc", "Bearer", "Bearer ",
		"", " Bearer a b", "Bearer \x00", "Bearer é", "Bearerx", "\tBearer z\t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		tok, ok := BearerToken(header)
		if !ok {
			if tok != "" {
				t.Fatalf("returned %q with ok=false", tok)
			}
			return
		}
		if tok == "" || !isToken68(tok) || !strings.Contains(header, tok) {
			t.Fatalf("BearerToken(%q) = %q", header, tok)
		}
		if !strings.EqualFold(strings.TrimSpace(header)[:7], "bearer ") {
			t.Fatalf("accepted scheme of %q", header)
		}
		if again, ok := BearerToken("Bearer " + tok); !ok || again != tok {
			t.Fatalf("round trip of %q failed", tok)
		}
	})
}
