package rlp

import (
	"bytes"
	"math/big"
	"testing"
)

func TestStream(t *testing.T) {
	// [ "abc", 1024, [ 1, [] ], true, 2^64, 0x00ff ]
	in := AppendList(nil, func(b []byte) []byte {
		b = AppendString(b, "abc")
		b = AppendUint(b, 1024)
		b = AppendList(b, func(b []byte) []byte {
			b = AppendUint(b, 1)
			return AppendList(b, func(b []byte) []byte { return b })
		})
		b = AppendBool(b, true)
		b = AppendBigInt(b, new(big.Int).Lsh(big.NewInt(1), 64))
		return AppendUint(b, 0xff)
	})
	s, err := NewListStream(in)
	if err != nil {
		t.Fatal(err)
	}
	if k, size, err := s.Kind(); k != String || size != 3 || err != nil {
		t.Fatalf("Kind = %v %d %v", k, size, err)
	}
	if b, err := s.Bytes(); string(b) != "abc" || err != nil {
		t.Fatalf("Bytes = %q %v", b, err)
	}
	if _, err := s.Uint8(); err != ErrUintOverflow {
		t.Fatalf("Uint8(1024) = %v, want overflow", err)
	}
	if x, err := s.Uint16(); x != 1024 || err != nil {
		t.Fatalf("Uint16 = %d %v", x, err)
	}
	inner, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if x, err := inner.Uint32(); x != 1 || err != nil {
		t.Fatalf("inner Uint32 = %d %v", x, err)
	}
	empty, err := inner.List()
	if err != nil || empty.More() {
		t.Fatalf("inner empty list: %v", err)
	}
	if _, err := empty.Raw(); err != ErrEOL {
		t.Fatalf("read past end = %v, want ErrEOL", err)
	}
	if err := inner.End(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Bool(); !v || err != nil {
		t.Fatalf("Bool = %v %v", v, err)
	}
	if _, err := s.Uint64(); err != ErrUintOverflow {
		t.Fatalf("Uint64(2^64) = %v", err)
	}
	if x, err := s.BigInt(); err != nil || x.BitLen() != 65 {
		t.Fatalf("BigInt = %v %v", x, err)
	}
	if err := s.End(); err != ErrNotAtEOL {
		t.Fatalf("End with items left = %v", err)
	}
	if raw, err := s.Raw(); !bytes.Equal(raw, []byte{0x81, 0xff}) || err != nil {
		t.Fatalf("Raw = %x %v", raw, err)
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
}

func TestStreamErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		read func(s *Stream) error
		want error
	}{
		{"bytes of list", "c1c0", func(s *Stream) error { _, err := s.Bytes(); return err }, ErrExpectedString},
		{"list of bytes", "c180", func(s *Stream) error { _, err := s.List(); return err }, ErrExpectedList},
		{"uint of list", "c1c0", func(s *Stream) error { _, err := s.Uint64(); return err }, ErrExpectedString},
		{"bigint of list", "c1c0", func(s *Stream) error { _, err := s.BigInt(); return err }, ErrExpectedString},
		{"uint leading zero", "c3820001", func(s *Stream) error { _, err := s.Uint64(); return err }, ErrCanonInt},
		{"uint 0x00", "c100", func(s *Stream) error { _, err := s.Uint64(); return err }, ErrCanonInt},
		{"bigint leading zero", "c3820001", func(s *Stream) error { _, err := s.BigInt(); return err }, ErrCanonInt},
		{"bool 2", "c102", func(s *Stream) error { _, err := s.Bool(); return err }, ErrCanonInt},
		{"element too large", "c3836162", func(s *Stream) error { _, err := s.Raw(); return err }, ErrElemTooLarge},
		{"empty", "c0", func(s *Stream) error { _, err := s.Bytes(); return err }, ErrEOL},
		{"skip past end", "c0", func(s *Stream) error { return s.Skip() }, ErrEOL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewListStream(unhex(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			before := s.Rest()
			if err := tc.read(&s); err != tc.want {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
			if !bytes.Equal(s.Rest(), before) {
				t.Errorf("failed read moved the stream")
			}
		})
	}
}

func TestNewListStreamErrors(t *testing.T) {
	if _, err := NewListStream(unhex("80")); err != ErrExpectedList {
		t.Errorf("string: %v", err)
	}
	if _, err := NewListStream(unhex("c000")); err != ErrMoreThanOneValue {
		t.Errorf("trailing: %v", err)
	}
	s := NewStream(unhex("0102"))
	if err := s.End(); err != ErrMoreThanOneValue {
		t.Errorf("top-level End: %v", err)
	}
}
