package v4wire

import (
	"bytes"
	"errors"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/ledgernet/ledgernet/rlp"
)

func testKey(tb testing.TB, b byte) *secp256k1.PrivateKey {
	tb.Helper()
	k, err := enode.PrivateKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func testRecord(tb testing.TB, key *secp256k1.PrivateKey) *enr.Record {
	tb.Helper()
	var r enr.Record
	r.Set(enr.ID(enr.SchemeV4))
	r.Set(enr.Secp256k1(*key.PubKey()))
	r.Set(enr.IPv4(netip.MustParseAddr("10.1.2.3")))
	r.Set(enr.UDP(30303))
	r.SetSeq(7)
	if err := r.Sign(key); err != nil {
		tb.Fatal(err)
	}
	return &r
}

func TestRoundTrip(t *testing.T) {
	key := testKey(t, 1)
	ep := Endpoint{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, TCP: 30304}
	ep6 := Endpoint{IP: netip.MustParseAddr("2001:db8::1"), UDP: 1, TCP: 65535}
	target := EncodePubkey(testKey(t, 2).PubKey())
	packets := []Packet{
		&Ping{Version: 4, From: ep, To: ep6, Expiration: 1700000000},
		&Ping{Version: 4, From: ep, To: ep6, Expiration: 1700000000, ENRSeq: 99},
		&Ping{Version: 555, From: Endpoint{}, To: ep, Expiration: math.MaxUint64, ENRSeq: 0, Rest: [][]byte{{0x01}, {0xc2, 0x01, 0x02}}},
		&Pong{To: ep, ReplyTok: bytes.Repeat([]byte{0xaa}, 32), Expiration: 5, ENRSeq: 1},
		&Pong{To: ep6, ReplyTok: []byte{}, Expiration: 5},
		&Findnode{Target: target, Expiration: 12345},
		&Neighbors{Nodes: []Node{}, Expiration: 1},
		&Neighbors{Nodes: []Node{{IP: ep.IP, UDP: 1, TCP: 2, ID: target}, {IP: ep6.IP, UDP: 3, TCP: 4, ID: target}}, Expiration: 1, Rest: [][]byte{{0x80}}},
		&ENRRequest{Expiration: 77},
		&ENRResponse{ReplyTok: Hash{1, 2, 3}, Record: testRecord(t, key)},
	}
	for _, p := range packets {
		t.Run(p.Name(), func(t *testing.T) {
			enc, hash, err := Encode(key, p)
			if err != nil {
				t.Fatal(err)
			}
			got, pub, hash2, err := Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			if hash != hash2 || !bytes.Equal(enc[:32], hash[:]) {
				t.Errorf("hash mismatch")
			}
			if pub != EncodePubkey(key.PubKey()) {
				t.Errorf("sender mismatch")
			}
			if pub.ID() != enode.PubkeyToID(key.PubKey()) {
				t.Errorf("ID mismatch")
			}
			if r, ok := p.(*ENRResponse); ok {
				g := got.(*ENRResponse)
				a, _ := r.Record.Encode()
				b, _ := g.Record.Encode()
				if g.ReplyTok != r.ReplyTok || !bytes.Equal(a, b) {
					t.Errorf("ENRResponse mismatch")
				}
				return
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("decoded\n%#v\nwant\n%#v", got, p)
			}
		})
	}
}

// TestEncodeSignature checks the signature layout: r ‖ s ‖ v with v 0 or 1.
func TestEncodeSignature(t *testing.T) {
	for i := byte(1); i < 20; i++ {
		enc, _, err := Encode(testKey(t, i), &ENRRequest{Expiration: uint64(i)})
		if err != nil {
			t.Fatal(err)
		}
		if v := enc[macSize+64]; v > 1 {
			t.Fatalf("recovery id %d", v)
		}
	}
}

func TestMaxNeighbors(t *testing.T) {
	key := testKey(t, 1)
	worst := Node{IP: netip.MustParseAddr("2001:db8::1"), UDP: 65535, TCP: 65535}
	if got := len(worst.appendRLP(nil)); got != nodeMaxSize {
		t.Fatalf("worst node encodes to %d bytes, want %d", got, nodeMaxSize)
	}
	make := func(n int) *Neighbors {
		p := &Neighbors{Expiration: math.MaxUint64}
		for range n {
			p.Nodes = append(p.Nodes, worst)
		}
		return p
	}
	if _, _, err := Encode(key, make(MaxNeighbors)); err != nil {
		t.Fatalf("%d nodes do not fit: %v", MaxNeighbors, err)
	}
	if _, _, err := Encode(key, make(MaxNeighbors+1)); !errors.Is(err, ErrPacketTooBig) {
		t.Fatalf("%d nodes fit (err %v): MaxNeighbors is too small", MaxNeighbors+1, err)
	}
}

func TestExpired(t *testing.T) {
	now := time.Unix(1_700_000_000, 500)
	tests := []struct {
		name string
		ts   uint64
		want bool
	}{
		{"future", 1_700_000_020, false},
		{"far future", 1 << 62, false},
		{"past", 1_699_999_999, true},
		{"this second", 1_700_000_000, true},
		{"zero", 0, true},
		{"negated future (devp2p PastExpiration)", negate(1_700_000_020), true},
		{"max uint64", math.MaxUint64, true},
		{"2^63", 1 << 63, true},
	}
	for _, tc := range tests {
		if got := Expired(tc.ts, now); got != tc.want {
			t.Errorf("%s: Expired(%d) = %v, want %v", tc.name, tc.ts, got, tc.want)
		}
	}
	if Expired(Expiration(now, 20*time.Second), now.Add(19*time.Second)) {
		t.Error("Expiration(now, 20s) expired after 19s")
	}
}

func TestDecodeBad(t *testing.T) {
	key := testKey(t, 1)
	good, _, err := Encode(key, &Ping{Version: 4, Expiration: 1})
	if err != nil {
		t.Fatal(err)
	}
	raw := func(kind byte, data []byte) []byte {
		b, _, err := EncodeRaw(key, kind, data)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	list := func(items ...[]byte) []byte {
		return rlp.AppendList(nil, func(b []byte) []byte {
			for _, it := range items {
				b = append(b, it...)
			}
			return b
		})
	}
	u := func(x uint64) []byte { return rlp.AppendUint(nil, x) }
	bs := func(x []byte) []byte { return rlp.AppendBytes(nil, x) }
	ep := list(bs([]byte{127, 0, 0, 1}), u(1), u(2))
	rehash := func(b []byte) []byte {
		h := keccak(b[macSize:])
		copy(b, h[:])
		return b
	}
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, ErrPacketTooSmall},
		{"header only", good[:headSize], ErrPacketTooSmall},
		{"oversized", append(bytes.Clone(good), make([]byte, MaxPacketSize)...), ErrPacketTooBig},
		{"bad hash", func() []byte { b := bytes.Clone(good); b[0] ^= 1; return b }(), ErrBadHash},
		{"truncated", good[:len(good)-1], ErrBadHash},
		{"flipped data bit", func() []byte { b := bytes.Clone(good); b[len(b)-1] ^= 1; return b }(), ErrBadHash},
		{"recovery id 4", func() []byte { b := bytes.Clone(good); b[macSize+64] = 4; return rehash(b) }(), ErrBadSignature},
		{"zero r", func() []byte {
			b := bytes.Clone(good)
			clear(b[macSize : macSize+32])
			return rehash(b)
		}(), ErrBadSignature},
		{"unknown type 0", raw(0, list(u(1))), ErrUnknownType},
		{"unknown type 66", raw(66, good[headSize+1:]), ErrUnknownType},
		{"data not a list", raw(PingPacket, bs([]byte{1, 2, 3})), ErrBadPacket},
		{"no data", raw(PingPacket, nil), ErrBadPacket},
		{"list overruns", raw(PingPacket, []byte{0xc5, 0x01}), ErrBadPacket},
		{"non-canonical size", raw(PingPacket, []byte{0xb8, 0x01, 0x01}), ErrBadPacket},
		{"ping short", raw(PingPacket, list(u(4), ep, ep)), ErrBadPacket},
		{"ping endpoint extra", raw(PingPacket, list(u(4), list(bs(nil), u(1), u(2), u(3)), ep, u(1))), ErrBadPacket},
		{"ping port too big", raw(PingPacket, list(u(4), list(bs(nil), u(65536), u(2)), ep, u(1))), ErrBadPacket},
		{"ping enr-seq list", raw(PingPacket, list(u(4), ep, ep, u(1), list(u(1)))), ErrBadPacket},
		{"ping non-canonical int", raw(PingPacket, list(u(4), ep, ep, []byte{0x82, 0x00, 0x01})), ErrBadPacket},
		{"ping expiration overflow", raw(PingPacket, list(u(4), ep, ep, bs(make([]byte, 9)))), ErrBadPacket},
		{"pong reply tok list", raw(PongPacket, list(ep, list(), u(1))), ErrBadPacket},
		{"findnode short target", raw(FindnodePacket, list(bs(make([]byte, 63)), u(1))), ErrBadPacket},
		{"findnode long target", raw(FindnodePacket, list(bs(make([]byte, 65)), u(1))), ErrBadPacket},
		{"neighbors not list", raw(NeighborsPacket, list(u(1), u(1))), ErrBadPacket},
		{"neighbors bad node", raw(NeighborsPacket, list(list(list(bs(nil), u(1), u(1))), u(1))), ErrBadPacket},
		{"enrrequest empty", raw(ENRRequestPacket, list()), ErrBadPacket},
		{"enrresponse short tok", raw(ENRResponsePacket, list(bs(make([]byte, 31)), list())), ErrBadPacket},
		{"enrresponse bad record", raw(ENRResponsePacket, list(bs(make([]byte, 32)), list(u(1)))), ErrBadPacket},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _, err := Decode(tc.input)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if p != nil {
				t.Fatalf("packet %v returned with error", p)
			}
		})
	}
}

// TestDecodeUnknownTypeSender checks that the sender is known even when the
// type is not, so a transport can log who sent it.
func TestDecodeUnknownTypeSender(t *testing.T) {
	key := testKey(t, 3)
	b, _, _ := EncodeRaw(key, 66, []byte{0xc0})
	_, pub, _, err := Decode(b)
	if !errors.Is(err, ErrUnknownType) || pub != EncodePubkey(key.PubKey()) {
		t.Fatalf("err %v pub %s", err, pub)
	}
}

// TestDecodeLenient covers what go-ethereum accepts and so must we:
// odd IP lengths, IPv4 in mapped form, trailing bytes.
func TestDecodeLenient(t *testing.T) {
	key := testKey(t, 1)
	list := func(items ...[]byte) []byte {
		return rlp.AppendList(nil, func(b []byte) []byte {
			for _, it := range items {
				b = append(b, it...)
			}
			return b
		})
	}
	u := func(x uint64) []byte { return rlp.AppendUint(nil, x) }
	bs := func(x []byte) []byte { return rlp.AppendBytes(nil, x) }
	mapped := netip.MustParseAddr("::ffff:192.0.2.0").As16()
	data := list(u(4), list(bs(mapped[:]), u(0), u(0)), list(bs([]byte{1, 2, 3}), u(1), u(2)), u(1))
	data = append(data, 0xde, 0xad) // trailing bytes
	b, _, _ := EncodeRaw(key, PingPacket, data)
	p, _, _, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	ping := p.(*Ping)
	if ping.From.IP != netip.MustParseAddr("192.0.2.0") || ping.To.IP.IsValid() {
		t.Fatalf("from %v to %v", ping.From.IP, ping.To.IP)
	}
}

// TestDecodeNoAlias checks that decoded packets survive reuse of the read
// buffer.
func TestDecodeNoAlias(t *testing.T) {
	key := testKey(t, 1)
	enc, _, _ := Encode(key, &Pong{ReplyTok: []byte{1, 2, 3}, Expiration: 1, Rest: [][]byte{{0x05}}})
	p, _, _, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	clear(enc)
	pong := p.(*Pong)
	if !bytes.Equal(pong.ReplyTok, []byte{1, 2, 3}) || pong.Rest[0][0] != 5 {
		t.Fatal("decoded packet aliases input")
	}
}

// negate is what devp2p's PastExpiration test sends: -ts as uint64.
func negate(ts uint64) uint64 { return -ts }
