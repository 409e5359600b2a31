package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// HashSize is the size of a Hash in bytes.
const HashSize = 32

// Hash is a double-SHA256 digest in internal (little-endian) byte order, as it
// appears on the wire. String prints it reversed, as Bitcoin displays hashes.
type Hash [HashSize]byte

// ErrHashStr is returned by NewHashFromStr for malformed input.
var ErrHashStr = errors.New("wire: malformed hash string")

// String returns the hash as Bitcoin displays it: byte-reversed hex.
func (h Hash) String() string {
	var r [HashSize]byte
	for i := range HashSize {
		r[i] = h[HashSize-1-i]
	}
	return hex.EncodeToString(r[:])
}

// MarshalText implements encoding.TextMarshaler using the display form.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler using the display form.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := NewHashFromStr(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// IsZero reports whether every byte of h is zero.
func (h Hash) IsZero() bool { return h == Hash{} }

// NewHashFromStr parses a hash in display (byte-reversed hex) form. It must be
// exactly 64 hex digits.
func NewHashFromStr(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("%w: want %d hex digits, got %d", ErrHashStr, 2*HashSize, len(s))
	}
	var r [HashSize]byte
	if _, err := hex.Decode(r[:], []byte(s)); err != nil {
		return h, fmt.Errorf("%w: %v", ErrHashStr, err)
	}
	for i := range HashSize {
		h[i] = r[HashSize-1-i]
	}
	return h, nil
}

// DoubleSHA256 returns SHA256(SHA256(b)).
func DoubleSHA256(b []byte) Hash {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}
