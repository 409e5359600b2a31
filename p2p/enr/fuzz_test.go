package enr

import (
	"bytes"
	"testing"
)

// FuzzDecodeENR checks that no input panics the decoder, that an accepted
// record re-encodes to exactly its input, and that re-parsing its text form
// gives the same record.
func FuzzDecodeENR(f *testing.F) {
	ex := loadExample(f)
	good := exampleRaw(f, ex)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, in []byte) {
		u, uerr := DecodeUnverified(in)
		r, err := Decode(in)
		if err == nil && uerr != nil {
			t.Fatalf("Decode accepted what DecodeUnverified rejected: %v", uerr)
		}
		if uerr == nil {
			if enc, _ := u.Encode(); !bytes.Equal(enc, in) {
				t.Fatalf("unverified re-encode = %x, want %x", enc, in)
			}
		}
		if err != nil {
			return
		}
		if len(in) > SizeLimit {
			t.Fatalf("accepted %d bytes", len(in))
		}
		text, err := r.Text()
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Parse(text)
		if err != nil {
			t.Fatalf("text form of an accepted record rejected: %v", err)
		}
		if enc, _ := r2.Encode(); !bytes.Equal(enc, in) {
			t.Fatalf("text round trip = %x, want %x", enc, in)
		}
	})
}
