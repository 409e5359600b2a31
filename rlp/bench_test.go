package rlp

import "testing"

// typicalList is shaped like a discv4 Neighbors payload: a list of 12 nodes
// [ip, udp, tcp, 64-byte key] and an expiration.
func typicalList() []byte {
	key := make([]byte, 64)
	return AppendList(nil, func(b []byte) []byte {
		b = AppendList(b, func(b []byte) []byte {
			for i := range 12 {
				b = AppendList(b, func(b []byte) []byte {
					b = AppendBytes(b, []byte{10, 0, 0, byte(i)})
					b = AppendUint(b, 30303)
					b = AppendUint(b, 30303)
					return AppendBytes(b, key)
				})
			}
			return b
		})
		return AppendUint(b, 1700000000)
	})
}

func BenchmarkStreamDecodeList(b *testing.B) {
	in := typicalList()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewListStream(in)
		if err != nil {
			b.Fatal(err)
		}
		nodes, err := s.List()
		if err != nil {
			b.Fatal(err)
		}
		for nodes.More() {
			n, err := nodes.List()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := n.Bytes(); err != nil {
				b.Fatal(err)
			}
			if _, err := n.Uint16(); err != nil {
				b.Fatal(err)
			}
			if _, err := n.Uint16(); err != nil {
				b.Fatal(err)
			}
			if _, err := n.Bytes(); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Uint64(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateList(b *testing.B) {
	in := typicalList()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeValue(b *testing.B) {
	in := typicalList()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeList(b *testing.B) {
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		key := make([]byte, 64)
		buf = AppendList(buf, func(b []byte) []byte {
			for i := range 12 {
				b = AppendList(b, func(b []byte) []byte {
					b = AppendBytes(b, []byte{10, 0, 0, byte(i)})
					b = AppendUint(b, 30303)
					b = AppendUint(b, 30303)
					return AppendBytes(b, key)
				})
			}
			return b
		})
	}
}
