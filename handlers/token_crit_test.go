package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"bureau/auth"
)

// A token marking an extension as critical (RFC 7515 4.1.11) is refused,
// even when it is otherwise valid and signed with the real secret.
func TestAccessTokenWithCritHeaderIsRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("crit@example.org", "viewer *")
		now := time.Now()
		sign := func(crit bool) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, auth.Claims{
				RegisteredClaims: jwt.RegisteredClaims{
					Issuer: envIssuer, Subject: u.ID, Audience: jwt.ClaimStrings{envAudience},
					ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
				},
				TokenVersion: env.tokenVersion(u.ID),
			})
			if crit {
				tok.Header["crit"] = []string{"bureau-ext"}
				tok.Header["bureau-ext"] = true
			}
			s, err := tok.SignedString([]byte(envSecret))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		me := func(token string) *response {
			return env.do(request{Method: "GET", Path: "/api/v1/auth/me", Token: token})
		}
		if res := me(sign(false)); res.Code != http.StatusOK {
			t.Fatalf("the same token without crit: %s", res)
		}
		expectProblem(t, "token with crit", me(sign(true)), http.StatusUnauthorized)
	})
}
