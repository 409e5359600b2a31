package enode

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/ledgernet/ledgernet/internal/atomicfile"
)

// NodeKeyFile is the name of the node key file in a data directory.
const NodeKeyFile = "nodekey"

// nodeKeyHexLen is the length of a node key file's content: the 32-byte key
// as hex, as go-ethereum writes it.
const nodeKeyHexLen = 64

// ErrInvalidNodeKey is returned for a malformed node key or key file.
var ErrInvalidNodeKey = errors.New("enode: invalid node key")

// GenerateKey returns a new secp256k1 private key drawn from rand, or from
// crypto/rand when rand is nil.
func GenerateKey(r io.Reader) (*secp256k1.PrivateKey, error) {
	if r == nil {
		r = rand.Reader
	}
	return secp256k1.GeneratePrivateKeyFromRand(r)
}

// PrivateKeyFromBytes returns the key with the given 32-byte big-endian
// scalar. Unlike secp256k1.PrivKeyFromBytes it rejects zero and values not
// below the group order instead of reducing them.
func PrivateKeyFromBytes(b []byte) (*secp256k1.PrivateKey, error) {
	if len(b) != 32 {
		return nil, fmt.Errorf("%w: %d bytes, want 32", ErrInvalidNodeKey, len(b))
	}
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(b); overflow || s.IsZero() {
		return nil, fmt.Errorf("%w: not a valid secp256k1 scalar", ErrInvalidNodeKey)
	}
	return secp256k1.NewPrivateKey(&s), nil
}

// ParseNodeKey parses the content of a node key file: 64 hex characters,
// optionally followed by a line ending of at most two characters (\n or
// \r\n), as go-ethereum accepts.
func ParseNodeKey(data []byte) (*secp256k1.PrivateKey, error) {
	if len(data) < nodeKeyHexLen {
		return nil, fmt.Errorf("%w: key file too short, want %d hex characters", ErrInvalidNodeKey, nodeKeyHexLen)
	}
	for i, c := range data[nodeKeyHexLen:] {
		switch {
		case c != '\n' && c != '\r':
			return nil, fmt.Errorf("%w: invalid character %q at end of key file", ErrInvalidNodeKey, c)
		case i >= 2:
			return nil, fmt.Errorf("%w: key file too long, want %d hex characters", ErrInvalidNodeKey, nodeKeyHexLen)
		}
	}
	b := make([]byte, 32)
	if _, err := hex.Decode(b, data[:nodeKeyHexLen]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidNodeKey, err)
	}
	return PrivateKeyFromBytes(b)
}

// MarshalNodeKey returns the content of a node key file for key: 64 hex
// characters without a line ending, as go-ethereum writes it.
func MarshalNodeKey(key *secp256k1.PrivateKey) []byte {
	k := key.Key.Bytes()
	return []byte(hex.EncodeToString(k[:]))
}

// LoadNodeKey reads a node key file.
func LoadNodeKey(path string) (*secp256k1.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte more than the longest valid file, so that an oversized
	// file is reported without reading it all.
	data, err := io.ReadAll(io.LimitReader(f, nodeKeyHexLen+3))
	if err != nil {
		return nil, fmt.Errorf("enode: read node key %s: %w", path, err)
	}
	key, err := ParseNodeKey(data)
	if err != nil {
		return nil, fmt.Errorf("node key file %s: %w", path, err)
	}
	return key, nil
}

// SaveNodeKey writes key to a new file at path with permissions 0600. It
// never replaces an existing file (losing a key loses the node's identity):
// if path exists it returns an error satisfying errors.Is(err, fs.ErrExist).
// The key is written to a temporary file, synced, and then linked into
// place, so a crash leaves either no file or a complete one.
func SaveNodeKey(path string, key *secp256k1.PrivateKey) error {
	if err := atomicfile.Create(path, MarshalNodeKey(key), 0o600); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("enode: save node key %s: %w", path, fs.ErrExist)
		}
		return fmt.Errorf("enode: save node key: %w", err)
	}
	return nil
}

// LoadOrCreateNodeKey loads the node key at path, or, if there is no file,
// generates a key and saves it there. created reports which happened. A file
// that exists but is malformed is an error, never silently replaced.
func LoadOrCreateNodeKey(path string) (key *secp256k1.PrivateKey, created bool, err error) {
	key, err = LoadNodeKey(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if key, err = GenerateKey(nil); err != nil {
		return nil, false, err
	}
	if err = SaveNodeKey(path, key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use that one.
			key, err = LoadNodeKey(path)
			return key, false, err
		}
		return nil, false, err
	}
	return key, true, nil
}
