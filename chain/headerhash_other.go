//go:build !amd64 || purego

package chain

import "github.com/ledgernet/ledgernet/wire"

const haveSHANI = false

// hashHeaders writes the double-SHA256 of each 80-byte header in src to
// dst, which must have room for len(src)/80 hashes.
func hashHeaders(dst []wire.Hash, src []byte) { hashHeadersGeneric(dst, src) }
