package enode

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"golang.org/x/crypto/sha3"
)

// ID is a node identifier: keccak256 of the node's 64-byte public key.
type ID [32]byte

// ErrInvalidID is returned for a malformed textual node ID.
var ErrInvalidID = errors.New("enode: invalid node ID")

// String returns the ID as 64 hex characters.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// TerminalString returns the first 8 bytes as hex, for logs.
func (id ID) TerminalString() string { return hex.EncodeToString(id[:8]) }

// GoString returns a Go expression for the ID.
func (id ID) GoString() string { return fmt.Sprintf("enode.MustParseID(%q)", id.String()) }

// Bytes returns the ID as a byte slice.
func (id ID) Bytes() []byte { return id[:] }

// IsZero reports whether id is all zero.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText encodes the ID as hex.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes a hex ID.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ParseID parses 64 hex characters, with or without a "0x" prefix.
func ParseID(s string) (ID, error) {
	var id ID
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		return id, fmt.Errorf("%w: %v", ErrInvalidID, err)
	}
	if len(b) != len(id) {
		return id, fmt.Errorf("%w: wrong length, want %d hex chars", ErrInvalidID, 2*len(id))
	}
	copy(id[:], b)
	return id, nil
}

// MustParseID is ParseID for constants in tests; it panics on error.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// PubkeyToID returns the node ID of a secp256k1 public key.
func PubkeyToID(pub *secp256k1.PublicKey) ID {
	var id ID
	h := sha3.NewLegacyKeccak256()
	h.Write(pub.SerializeUncompressed()[1:])
	h.Sum(id[:0])
	return id
}

// LogDist returns the logarithmic XOR distance between a and b: the index,
// counted from 1 at the lowest bit, of the highest bit in which they differ,
// or 0 when they are equal.
func LogDist(a, b ID) int {
	lz := 0
	for i := range a {
		x := a[i] ^ b[i]
		if x == 0 {
			lz += 8
			continue
		}
		lz += bits.LeadingZeros8(x)
		break
	}
	return len(a)*8 - lz
}

// DistCmp compares the XOR distances a⊕target and b⊕target: -1 if a is
// closer to target, 1 if b is, 0 if they are equally close.
func DistCmp(target, a, b ID) int {
	for i := range target {
		da := a[i] ^ target[i]
		db := b[i] ^ target[i]
		if da > db {
			return 1
		} else if da < db {
			return -1
		}
	}
	return 0
}

// ErrInvalidPubkey is returned for a malformed hex public key.
var ErrInvalidPubkey = errors.New("enode: invalid public key")

// PubkeyHex returns the 128 hex characters of X‖Y, the form enode URLs and
// geth's admin API use.
func PubkeyHex(pub *secp256k1.PublicKey) string {
	return hex.EncodeToString(pub.SerializeUncompressed()[1:])
}

// ParsePubkey parses the 128 hex characters of X‖Y.
func ParsePubkey(s string) (*secp256k1.PublicKey, error) {
	if len(s) != 128 {
		return nil, fmt.Errorf("%w: wrong length, want 128 hex chars", ErrInvalidPubkey)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPubkey, err)
	}
	pub, err := secp256k1.ParsePubKey(append([]byte{secp256k1.PubKeyFormatUncompressed}, b...))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPubkey, err)
	}
	return pub, nil
}
