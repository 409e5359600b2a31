package v4wire

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary packets to Decode. Most inputs die at the hash
// check, so the fuzzer also gets the data part re-sealed with a valid hash
// and signature (the second argument selects that), which reaches the
// packet decoders. Invariants: no panic; a decoded packet re-encodes to data
// that decodes to the same encoding again (the encoding is a fixed point).
func FuzzDecode(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Packets {
		b := unhex(f, v.Hex)
		f.Add(b, false)
		f.Add(b[headSize:], true)
	}
	key := testKey(f, 9)
	f.Fuzz(func(t *testing.T, input []byte, reseal bool) {
		if reseal {
			if len(input) == 0 {
				return
			}
			var err error
			if input, _, err = EncodeRaw(key, input[0], input[1:]); err != nil {
				return // too big
			}
		}
		p, _, _, err := Decode(input)
		if err != nil {
			if p != nil {
				t.Fatal("packet with error")
			}
			return
		}
		enc := p.AppendRLP(nil)
		p2, err := decodeData(p.Kind(), enc)
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v\n%x", p.Name(), err, enc)
		}
		if enc2 := p2.AppendRLP(nil); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable:\n%x\n%x", enc, enc2)
		}
	})
}
