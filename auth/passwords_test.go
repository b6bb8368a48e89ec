package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// cheapParams keep the suite fast; one test covers DefaultParams.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPasswordDefaults(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("unexpected PHC prefix: %s", h)
	}
	ok, err := VerifyPassword(h, "correct horse battery staple")
	if err != nil || !ok {
		t.Fatalf("VerifyPassword = %v, %v; want true, nil", ok, err)
	}
	EqualizeTiming("anything") // must not panic; uses the same defaults
}

func TestHashVerify(t *testing.T) {
	for _, pw := range []string{"", "password", "pässwörd 密码 🔑", strings.Repeat("x", 1000)} {
		h, err := HashPasswordWith(pw, cheapParams)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := VerifyPassword(h, pw); err != nil || !ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want true, nil", pw, ok, err)
		}
		if ok, err := VerifyPassword(h, pw+"x"); err != nil || ok {
			t.Errorf("VerifyPassword(wrong) = %v, %v; want false, nil", ok, err)
		}
	}
	// Long passwords are not truncated: differing only at the end matters.
	long := strings.Repeat("a", 500)
	h, _ := HashPasswordWith(long+"1", cheapParams)
	if ok, _ := VerifyPassword(h, long+"2"); ok {
		t.Error("passwords differing after 500 bytes verified as equal")
	}
}

func TestHashSaltIsRandom(t *testing.T) {
	a, _ := HashPasswordWith("same password", cheapParams)
	b, _ := HashPasswordWith("same password", cheapParams)
	if a == b {
		t.Fatal("two hashes of the same password are identical")
	}
}

func TestPHCParamsHonoured(t *testing.T) {
	// A hash built by hand with parameters other than ours must verify, so the
	// parameters come from the string and not from DefaultParams.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("hunter2"), salt, 3, 128, 2, 24)
	h := fmt.Sprintf("$argon2id$v=19$m=128,t=3,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := VerifyPassword(h, "hunter2"); err != nil || !ok {
		t.Fatalf("VerifyPassword = %v, %v; want true, nil", ok, err)
	}
	// Same salt and hash with another t must not verify.
	if ok, err := VerifyPassword(strings.Replace(h, "t=3", "t=2", 1), "hunter2"); err != nil || ok {
		t.Fatalf("altered params: VerifyPassword = %v, %v; want false, nil", ok, err)
	}

	h, err := HashPasswordWith("pw", Params{Memory: 32, Time: 2, Threads: 3, SaltLen: 8, KeyLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=32,t=2,p=3$") {
		t.Fatalf("params not encoded: %s", h)
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, _ := HashPasswordWith("pw", cheapParams)
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=64,t=1,p=1, salt, hash
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "pw"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"version 16", with(2, "v=16")},
		{"no version", strings.Replace(good, "$v=19", "", 1)},
		{"missing param", with(3, "m=64,t=1")},
		{"params reordered", with(3, "t=1,m=64,p=1")},
		{"non-numeric", with(3, "m=abc,t=1,p=1")},
		{"negative", with(3, "m=64,t=-1,p=1")},
		{"zero time", with(3, "m=64,t=0,p=1")},
		{"zero threads", with(3, "m=64,t=1,p=0")},
		{"threads overflow uint8", with(3, "m=4096,t=1,p=257")},
		{"memory too low", with(3, "m=4,t=1,p=1")},
		{"memory huge", with(3, "m=4294967295,t=1,p=1")},
		{"time huge", with(3, "m=64,t=1000000,p=1")},
		{"bad salt base64", with(4, "!!!!")},
		{"padded salt", with(4, parts[4]+"==")},
		{"short salt", with(4, "AAAA")},
		{"empty hash", with(5, "")},
		{"bad hash base64", with(5, "*")},
		{"short hash", with(5, "AAAA")},
		{"extra field", good + "$x"},
		{"leading garbage", "x" + good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.hash, "pw")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("VerifyPassword = %v, %v; want false, ErrMalformedHash", ok, err)
			}
		})
	}
}

func TestHashPasswordWithRejectsBadParams(t *testing.T) {
	for _, p := range []Params{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 4},
	} {
		if _, err := HashPasswordWith("pw", p); err == nil {
			t.Errorf("HashPasswordWith(%+v) succeeded", p)
		}
	}
}
