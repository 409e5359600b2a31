package rlpx

import (
	"encoding/hex"
	"testing"
)

func TestKeccak256(t *testing.T) {
	// Well-known Keccak-256 digests (the empty string and "abc").
	tests := []struct{ in, want string }{
		{"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
	}
	for _, tt := range tests {
		got := keccak256([]byte(tt.in))
		if hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("keccak256(%q) = %x, want %s", tt.in, got, tt.want)
		}
	}
}

func TestKeccakSumNoAlloc(t *testing.T) {
	k := newKeccak()
	buf := make([]byte, 1000)
	var d [32]byte
	allocs := testing.AllocsPerRun(100, func() {
		k.write(buf)
		k.sum(&d)
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per write+sum", allocs)
	}
}
