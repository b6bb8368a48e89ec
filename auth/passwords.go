// Package auth holds Bureau's security primitives: password hashing and
// policy, the bounded hashing queue, access and refresh tokens and the
// signing secret. It imports no other Bureau package; HTTP handlers and the
// database-backed middleware live elsewhere and call into it.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are written into every hash,
// so raising them later only affects new hashes; old ones keep verifying.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams follow the OWASP argon2id guidance (at least 19 MiB, t=2)
// with headroom: 64 MiB, two passes, two lanes. Treat it as read-only.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// Bounds on parameters. A hash is data from the database, and a corrupted or
// planted one must not make a single login allocate gigabytes or spin for
// minutes, so VerifyPassword refuses anything outside them.
const (
	maxMemory  = 1 << 20 // KiB, i.e. 1 GiB
	maxTime    = 32
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 128
)

var b64 = base64.RawStdEncoding.Strict()

func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range", p.Memory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range", p.Time)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range", p.SaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range", p.KeyLen)
	}
	return nil
}

// HashPassword hashes password with DefaultParams and returns a PHC string:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>. Unlike bcrypt, argon2 reads
// the whole password, so nothing is silently truncated.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, DefaultParams)
}

// HashPasswordWith is HashPassword with explicit parameters (tests use cheap ones).
func HashPasswordWith(password string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: argon2 params: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash reports a stored hash VerifyPassword cannot use.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether password matches encoded, a PHC string made by
// HashPassword. The parameters are read from encoded itself. A mismatch is
// (false, nil); an unusable hash is an error wrapping ErrMalformedHash.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CheckHash reports whether encoded is a hash VerifyPassword can use: the
// full PHC string, with parameters within bounds. An import refuses other
// hashes, as accounts no password opens, or that a login would spend
// unbounded work on.
func CheckHash(encoded string) error {
	_, _, _, err := parseHash(encoded)
	return err
}

func parseHash(encoded string) (p Params, salt, key []byte, err error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("expected 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return bad("not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	// Exactly m, t, p in that order, as HashPasswordWith writes them.
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("expected m,t,p parameters")
	}
	var nums [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok {
			return bad("expected m,t,p parameters")
		}
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return bad("bad parameter " + name)
		}
		nums[i] = n
	}
	if nums[2] > 255 {
		return bad("parallelism out of range")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return bad("bad salt encoding")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return bad("bad hash encoding")
	}
	p = Params{Memory: uint32(nums[0]), Time: uint32(nums[1]), Threads: uint8(nums[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if verr := p.validate(); verr != nil {
		return bad(verr.Error())
	}
	return p, salt, key, nil
}

// dummyHashes are hashed against when an account does not exist, one per
// parameter set; computing each on first use keeps package init cheap.
var dummyHashes sync.Map // Params -> func() string

func dummyHash(p Params) string {
	once, _ := dummyHashes.LoadOrStore(p, sync.OnceValue(func() string {
		// HashPasswordWith fails only on invalid parameters, and then every
		// real hash fails too; an empty dummy just makes verify fast.
		h, _ := HashPasswordWith("bureau-timing-equalizer", p)
		return h
	}))
	return once.(func() string)()
}

// EqualizeTiming does the work of one VerifyPassword with DefaultParams and
// discards the result. Call it when the email is unknown, so that "no such
// account" and "wrong password" take the same time and the login endpoint does
// not reveal which emails are registered. (Hashes made with other parameters
// will still take a different time; rehash them on login if that matters.)
func EqualizeTiming(password string) { EqualizeTimingWith(DefaultParams, password) }

// EqualizeTimingWith is EqualizeTiming for a server that hashes with p.
func EqualizeTimingWith(p Params, password string) {
	_, _ = VerifyPassword(dummyHash(p), password)
}
