package rlp

import (
	"bytes"
	"testing"
)

// FuzzDecode checks that no input panics the decoders, that Decode and
// Validate agree, and that a valid input re-encodes to itself (canonical
// encoding is unique).
func FuzzDecode(f *testing.F) {
	vf := loadVectors(f)
	for _, set := range [][]vectorCase{vf.Valid, vf.Invalid, vf.RandomValid} {
		for _, tc := range set {
			f.Add(mustHex(f, tc.EncodedHex))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := Decode(in)
		if verr := Validate(in); (verr == nil) != (err == nil) {
			t.Fatalf("Decode error %v but Validate error %v", err, verr)
		}
		if _, cerr := CountValues(in); err == nil && cerr != nil {
			t.Fatalf("CountValues failed on a valid value: %v", cerr)
		}
		if err != nil {
			return
		}
		if got := v.Append(nil); !bytes.Equal(got, in) {
			t.Fatalf("re-encode = %x, want %x", got, in)
		}
		// Walk with a Stream as a hand-written decoder would.
		s := NewStream(in)
		walk(t, &s, 0)
	})
}

func walk(t *testing.T, s *Stream, depth int) {
	for s.More() {
		k, _, err := s.Kind()
		if err != nil {
			t.Fatalf("Kind on valid input: %v", err)
		}
		if k == List {
			inner, err := s.List()
			if err != nil {
				t.Fatalf("List on valid input: %v", err)
			}
			walk(t, &inner, depth+1)
			continue
		}
		if _, err := s.Bytes(); err != nil {
			t.Fatalf("Bytes on valid input: %v", err)
		}
	}
}
