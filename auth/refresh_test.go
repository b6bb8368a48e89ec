package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
)

func TestRefreshToken(t *testing.T) {
	plain, digest, err := NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 {
		t.Fatalf("plain %q is not 32 bytes of unpadded base64url (err %v)", plain, err)
	}
	sum := sha256.Sum256([]byte(plain))
	if digest != hex.EncodeToString(sum[:]) || RefreshTokenDigest(plain) != digest {
		t.Fatalf("digest %q is not hex sha256 of plain", digest)
	}
	if RefreshTokenDigest(plain+"x") == digest {
		t.Fatal("different tokens share a digest")
	}
	plain2, digest2, _ := NewRefreshToken()
	if plain2 == plain || digest2 == digest {
		t.Fatal("two refresh tokens are equal")
	}
}
