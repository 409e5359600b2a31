package chain

import (
	"math/rand/v2"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

func checkHashHeaders(t *testing.T, src []byte) {
	t.Helper()
	n := len(src) / 80
	got := make([]wire.Hash, n+1)
	sentinel := wire.Hash{0xee}
	got[n] = sentinel
	hashHeaders(got[:n], src)
	for i := range n {
		var b [80]byte
		copy(b[:], src[i*80:])
		if want := wire.HeaderHash(&b); got[i] != want {
			t.Fatalf("header %d of %d: %s, want %s", i, n, got[i], want)
		}
	}
	if got[n] != sentinel {
		t.Fatal("wrote past the end")
	}
	gen := make([]wire.Hash, n)
	hashHeadersGeneric(gen, src)
	for i := range n {
		if gen[i] != got[i] {
			t.Fatal("generic path differs")
		}
	}
}

func TestHashHeaders(t *testing.T) {
	t.Logf("SHA extensions: %v", haveSHANI)
	r := rand.New(rand.NewPCG(7, 8))
	for n := range 12 {
		src := make([]byte, n*80)
		for i := range src {
			src[i] = byte(r.Uint32())
		}
		checkHashHeaders(t, src)
		// Unaligned source.
		if n > 0 {
			checkHashHeaders(t, append(make([]byte, 3), src...)[3:])
		}
	}
	checkHashHeaders(t, hdrFixture(t, mainnetHeadersFile)[:80*1001])
}

func FuzzHashHeaders(f *testing.F) {
	f.Add(make([]byte, 160))
	f.Add(make([]byte, 240))
	f.Fuzz(func(t *testing.T, src []byte) { checkHashHeaders(t, src) })
}
