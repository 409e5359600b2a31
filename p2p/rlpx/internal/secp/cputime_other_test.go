//go:build !unix

package secp

import "testing"

func benchCPU(b *testing.B, f func()) {
	for b.Loop() {
		f()
	}
}
