package v4wire

import (
	"net/netip"
	"testing"
)

func BenchmarkEncodePing(b *testing.B) {
	key := testKey(b, 1)
	ep := Endpoint{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, TCP: 30303}
	p := &Ping{Version: 4, From: ep, To: ep, Expiration: 1 << 40, ENRSeq: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Encode(key, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePing(b *testing.B) {
	key := testKey(b, 1)
	ep := Endpoint{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, TCP: 30303}
	enc, _, _ := Encode(key, &Ping{Version: 4, From: ep, To: ep, Expiration: 1 << 40, ENRSeq: 1})
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeNeighbors12(b *testing.B) {
	key := testKey(b, 1)
	p := &Neighbors{Expiration: 1 << 40}
	for i := range MaxNeighbors {
		p.Nodes = append(p.Nodes, Node{IP: netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), UDP: 30303, TCP: 30303, ID: EncodePubkey(testKey(b, byte(i+2)).PubKey())})
	}
	enc, _, _ := Encode(key, p)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBadHash is the cost of a garbage packet: the hash check
// refuses it before key recovery.
func BenchmarkDecodeBadHash(b *testing.B) {
	key := testKey(b, 1)
	enc, _, _ := Encode(key, &ENRRequest{Expiration: 1})
	enc[0] ^= 1
	b.ReportAllocs()
	for b.Loop() {
		Decode(enc)
	}
}
