//go:build amd64 && !purego

package chain

import "github.com/ledgernet/ledgernet/wire"

// hashHeaderPairsSHANI writes the double-SHA256 of 2*pairs consecutive
// 80-byte headers at src to dst[0:2*pairs]. It needs the SHA extensions,
// SSSE3 and SSE4.1.
//
//go:noescape
func hashHeaderPairsSHANI(dst *wire.Hash, src *byte, pairs int)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// haveSHANI reports whether the CPU has the instructions
// hashHeaderPairsSHANI uses. It is computed once; it never changes.
var haveSHANI = func() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		ssse3 = 1 << 9  // CPUID.1:ECX
		sse41 = 1 << 19 // CPUID.1:ECX
		sha   = 1 << 29 // CPUID.7.0:EBX
	)
	return ecx1&ssse3 != 0 && ecx1&sse41 != 0 && ebx7&sha != 0
}()

// hashHeaders writes the double-SHA256 of each 80-byte header in src to
// dst, which must have room for len(src)/80 hashes.
func hashHeaders(dst []wire.Hash, src []byte) {
	n := len(src) / wire.BlockHeaderSize
	if !haveSHANI || n == 0 {
		hashHeadersGeneric(dst, src)
		return
	}
	_ = dst[n-1]
	if pairs := n / 2; pairs > 0 {
		hashHeaderPairsSHANI(&dst[0], &src[0], pairs)
	}
	if n%2 == 1 {
		var two [2 * wire.BlockHeaderSize]byte
		last := src[(n-1)*wire.BlockHeaderSize : n*wire.BlockHeaderSize]
		copy(two[:], last)
		copy(two[wire.BlockHeaderSize:], last)
		var out [2]wire.Hash
		hashHeaderPairsSHANI(&out[0], &two[0], 1)
		dst[n-1] = out[0]
	}
}
