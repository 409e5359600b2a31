package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// TokenFile is the name of the API token file in the data directory.
const TokenFile = "api.token"

// ErrBadToken means a token file that does not hold a token.
var ErrBadToken = errors.New("bad API token file")

// tokenLen is the length of a token: 32 random bytes in hex.
const tokenLen = 64

// LoadOrCreateToken returns the API token kept at path, first creating the
// file (mode 0600, never overwriting) with 32 random bytes in hex if it does
// not exist.
func LoadOrCreateToken(path string) (string, error) {
	tok, err := ReadToken(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	var b [tokenLen / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok = hex.EncodeToString(b[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first: use theirs.
		return ReadToken(path)
	}
	if err != nil {
		return "", fmt.Errorf("api token: %w", err)
	}
	if _, err = f.WriteString(tok + "\n"); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("api token %s: %w", path, err)
	}
	return tok, nil
}

// ReadToken reads the API token kept at path.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("api token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) != tokenLen {
		return "", fmt.Errorf("%w %s: want %d hex digits", ErrBadToken, path, tokenLen)
	}
	if _, err := hex.DecodeString(tok); err != nil {
		return "", fmt.Errorf("%w %s: not hex", ErrBadToken, path)
	}
	return tok, nil
}

// tokenEqual compares in constant time. Hashing first makes the time
// independent of the lengths too.
func tokenEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
