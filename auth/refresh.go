package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// NewRefreshToken returns a new refresh token: plain goes to the client (in
// the cookie) and digest goes to the database. Storing only the digest means
// a leaked database does not yield usable tokens. A plain SHA-256 is enough,
// unlike for passwords, because the token has 256 random bits and cannot be
// guessed offline.
func NewRefreshToken() (plain string, digest string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: refresh token: %w", err)
	}
	plain = base64.RawURLEncoding.EncodeToString(b)
	return plain, RefreshTokenDigest(plain), nil
}

// RefreshTokenDigest returns the hex SHA-256 of a presented refresh token, to
// be looked up by equality in the database.
func RefreshTokenDigest(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// NewSetupToken returns a random one-time token for the first-run setup
// link (URL-safe, 256 bits).
func NewSetupToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: setup token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
