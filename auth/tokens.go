package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is the one error Parse returns for any token it will not
// accept. Callers check errors.Is(err, ErrInvalidToken) and answer 401; the
// wrapped detail is for logs only.
var ErrInvalidToken = errors.New("auth: invalid token")

const (
	// MinSecretLength is the HS256 key size: a shorter key is weaker than the MAC.
	MinSecretLength = 32
	// maxTokenLength bounds the work an unauthenticated request can cause;
	// our tokens are a few hundred bytes.
	maxTokenLength = 4096
	// clockLeeway absorbs small clock differences between API nodes.
	clockLeeway = 5 * time.Second
)

// TokenConfig configures access tokens. Secret is the HS256 key (see
// LoadOrCreateSecret); TTL should be short (minutes), since a token stays valid
// until it expires unless the middleware's token-version check rejects it.
type TokenConfig struct {
	Secret   []byte
	Issuer   string
	Audience string
	TTL      time.Duration
}

// Claims are an access token's contents. Subject is the user id. TokenVersion
// is the user's token version at issue time; the middleware compares it with
// the stored one, so bumping it (password change, role change, deactivation,
// logout) invalidates every outstanding token at once.
type Claims struct {
	jwt.RegisteredClaims
	TokenVersion int64 `json:"tv"`
}

// Tokens issues and verifies access tokens. It is safe for concurrent use.
type Tokens struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	parser   *jwt.Parser
}

// NewTokens validates cfg and returns a Tokens.
func NewTokens(cfg TokenConfig) (*Tokens, error) {
	switch {
	case len(cfg.Secret) < MinSecretLength:
		return nil, fmt.Errorf("auth: token secret must be at least %d bytes", MinSecretLength)
	case cfg.Issuer == "":
		return nil, errors.New("auth: token issuer is required")
	case cfg.Audience == "":
		return nil, errors.New("auth: token audience is required")
	case cfg.TTL <= 0:
		return nil, errors.New("auth: token TTL must be positive")
	}
	return &Tokens{
		// Copied so a caller reusing its slice cannot change our key.
		secret:   append([]byte(nil), cfg.Secret...),
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		ttl:      cfg.TTL,
		parser: jwt.NewParser(
			// Pinning the algorithm is what defeats "alg: none" and
			// algorithm-confusion attacks.
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(clockLeeway),
			// Without it, base64 segments that differ only in unused trailing
			// bits decode alike, so several strings would verify as one token.
			jwt.WithStrictDecoding(),
		),
	}, nil
}

// Issue returns a signed access token for userID valid from now until
// expiresAt (now + TTL, rounded down to the second as JWT times are).
func (t *Tokens) Issue(userID string, tokenVersion int64, now time.Time) (token string, expiresAt time.Time, err error) {
	if userID == "" {
		return "", time.Time{}, errors.New("auth: token subject is required")
	}
	jti, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	exp := jwt.NewNumericDate(now.Add(t.ttl))
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: exp,
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		TokenVersion: tokenVersion,
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return token, exp.Time, nil
}

// Parse verifies token's signature and claims and returns them. Every
// rejection wraps ErrInvalidToken. Whether the user still exists, is active,
// and has the same token version is for the caller to check.
func (t *Tokens) Parse(token string) (*Claims, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidToken)
	}
	if len(token) > maxTokenLength {
		return nil, fmt.Errorf("%w: too long", ErrInvalidToken)
	}
	claims := &Claims{}
	_, err := t.parser.ParseWithClaims(token, claims, func(tok *jwt.Token) (any, error) {
		// Redundant with WithValidMethods, kept so the key can never be
		// handed to a non-HMAC verifier if that option is ever dropped.
		if _, ok := tok.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
		}
		// RFC 7515 4.1.11: a recipient must reject a token whose "crit"
		// names extensions it does not process, and Bureau processes none.
		// golang-jwt ignores the header, so the check is ours.
		if _, ok := tok.Header["crit"]; ok {
			return nil, errors.New(`unsupported "crit" header`)
		}
		return t.secret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if claims.Subject == "" {
		return nil, fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	return claims, nil
}

// BearerToken extracts the token from an Authorization header value
// ("Bearer <token>", scheme case-insensitive per RFC 7235). It reports false
// for any other scheme, an empty token, or characters outside the RFC 6750
// token68 syntax.
func BearerToken(authorizationHeader string) (string, bool) {
	const scheme = "bearer "
	h := strings.TrimSpace(authorizationHeader)
	if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	tok := strings.TrimLeft(h[len(scheme):], " ")
	if !isToken68(tok) {
		return "", false
	}
	return tok, true
}

// isToken68 reports whether s matches 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// randomID returns 128 random bits, enough that jti values never collide.
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
