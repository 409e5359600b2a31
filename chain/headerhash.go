package chain

import (
	"crypto/sha256"

	"github.com/ledgernet/ledgernet/wire"
)

// hashHeadersGeneric is hashHeaders with the standard library: the portable
// path, and the reference the assembly is tested against.
func hashHeadersGeneric(dst []wire.Hash, src []byte) {
	for i := range len(src) / wire.BlockHeaderSize {
		first := sha256.Sum256(src[i*wire.BlockHeaderSize : (i+1)*wire.BlockHeaderSize])
		dst[i] = sha256.Sum256(first[:])
	}
}
