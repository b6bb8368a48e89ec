package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateSecret returns the token signing secret kept in the file at
// path, creating the file with a fresh random secret on first run so that a
// new installation is secure without configuration and tokens survive
// restarts.
//
// An existing file must hold at least MinSecretLength bytes once surrounding
// whitespace is trimmed; its trimmed contents are the secret, so an operator
// may put any long random string there. If the file is readable by group or
// others, it is tightened to 0600.
//
// A new file gets 48 random bytes, base64-encoded, and mode 0600; its parent
// directory is created with mode 0700 if missing. The file is created with
// O_EXCL, so two processes starting at once never overwrite each other: the
// loser reads the winner's file.
func LoadOrCreateSecret(path string) ([]byte, error) {
	secret, err := readSecret(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: secret directory: %w", err)
	}
	secret, err = createSecret(path)
	if errors.Is(err, fs.ErrExist) {
		return readSecret(path)
	}
	return secret, err
}

func readSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err // checked by LoadOrCreateSecret
		}
		return nil, fmt.Errorf("auth: open secret: %w", err)
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: stat secret: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("auth: secret %s is not a regular file", path)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return nil, fmt.Errorf("auth: secret %s is readable by others and cannot be restricted: %w", path, err)
		}
	}
	// A secret file is tiny; refusing big ones avoids reading a wrong path
	// (a log, a database) into memory and using it as a key.
	const maxSecretFile = 4096
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("auth: read secret: %w", err)
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("auth: secret %s is larger than %d bytes", path, maxSecretFile)
	}
	secret := bytes.TrimSpace(data)
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("auth: secret %s is shorter than %d bytes", path, MinSecretLength)
	}
	return secret, nil
}

func createSecret(path string) ([]byte, error) {
	raw := make([]byte, 48)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("auth: generate secret: %w", err)
	}
	secret := []byte(base64.StdEncoding.EncodeToString(raw))

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, err // another process won the race; LoadOrCreateSecret reads its file
		}
		return nil, fmt.Errorf("auth: create secret: %w", err)
	}
	_, werr := f.Write(append(secret, '\n'))
	if werr == nil {
		werr = f.Sync() // the secret must survive a crash, or every token dies with it
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		// Leave no empty or partial file behind to be rejected on next start.
		_ = os.Remove(path)
		return nil, fmt.Errorf("auth: write secret: %w", werr)
	}
	return secret, nil
}
