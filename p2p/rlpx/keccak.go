package rlpx

import (
	"hash"

	"golang.org/x/crypto/sha3"
)

// Keccak-256 (the pre-FIPS padding Ethereum uses) is the hot spot of RLPx: the
// frame MAC hashes every ciphertext byte in both directions. On the reference
// machine x/crypto's pure-Go legacy Keccak absorbs about 500 MB/s, faster than
// re-padding the standard library's assembly SHA3-256 (about 395 MB/s, tried
// and measured) and than go-ethereum's keccak (about 410 MB/s).

// keccakState is a Keccak-256 sponge that can be written to and summed
// repeatedly without allocating.
type keccakState struct {
	h hash.Hash
}

func newKeccak() keccakState {
	return keccakState{h: sha3.NewLegacyKeccak256()}
}

// write absorbs p.
func (k keccakState) write(p []byte) { k.h.Write(p) }

// sum writes the digest of the data absorbed so far to out without changing
// the state.
func (k keccakState) sum(out *[32]byte) { k.h.Sum(out[:0]) }

// keccak256 returns the Keccak-256 digest of the concatenation of parts.
func keccak256(parts ...[]byte) (d [32]byte) {
	k := newKeccak()
	for _, p := range parts {
		k.write(p)
	}
	k.sum(&d)
	return d
}
