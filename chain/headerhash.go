package chain

import (
	"crypto/sha256"

	"github.com/ledgernet/ledgernet/wire"
)

// hashHeaders writes the double-SHA256 of each 80-byte header in src to
// dst, which must have room for len(src)/80 hashes. It uses the standard
// library's SHA-256, which already runs on the CPU's SHA extensions where
// they exist: hashing is a primitive ledgernet takes from a library rather
// than keeps in assembly of its own. One hasher is reused for the whole
// batch, which saves the per-call setup of sha256.Sum256.
func hashHeaders(dst []wire.Hash, src []byte) {
	h := sha256.New()
	var first [sha256.Size]byte
	for i := range len(src) / wire.BlockHeaderSize {
		h.Reset()
		h.Write(src[i*wire.BlockHeaderSize : (i+1)*wire.BlockHeaderSize])
		h.Sum(first[:0])
		h.Reset()
		h.Write(first[:])
		h.Sum(dst[i][:0])
	}
}
