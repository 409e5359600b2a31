package devp2p

import (
	"encoding/hex"
	"reflect"
	"testing"
)

// FuzzDecodeHello checks that DecodeHello never panics and that what it
// accepts re-encodes to something that decodes the same.
func FuzzDecodeHello(f *testing.F) {
	v := loadEIP8Hello(f)
	b, _ := hex.DecodeString(v.RLP)
	f.Add(b)
	f.Add(AppendHello(nil, testHello()))
	f.Add([]byte{0xc0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHello(b)
		if err != nil {
			return
		}
		h2, err := DecodeHello(AppendHello(nil, h))
		if err != nil {
			t.Fatalf("re-encoded hello does not decode: %v", err)
		}
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip changed the hello:\n%+v\n%+v", h, h2)
		}
	})
}

// FuzzDecodeDisconnect checks both encodings and the round trip.
func FuzzDecodeDisconnect(f *testing.F) {
	for _, s := range []string{"c103", "c180", "04", "80", "", "c0", "c40482aabb", "00", "c2c103"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeDisconnect(b)
		if err != nil {
			return
		}
		r2, err := DecodeDisconnect(AppendDisconnect(nil, r))
		if err != nil || r2 != r {
			t.Fatalf("round trip of %v: %v, %v", r, r2, err)
		}
	})
}
