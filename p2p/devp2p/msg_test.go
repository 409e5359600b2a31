package devp2p

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/rlp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eip8Hello is the devp2p Hello vector of EIP-8 ("Test Vectors / devp2p
// Base Protocol") from testdata/eth/rlpx_eip8_handshake.json.
type eip8Hello struct {
	RLP      string `json:"rlp_hex"`
	Expected struct {
		Version uint64  `json:"p2p_version"`
		Client  string  `json:"client_id"`
		Caps    [][]any `json:"capabilities"`
		Port    uint64  `json:"listen_port"`
		NodeID  string  `json:"node_id"`
	} `json:"expected"`
}

func loadEIP8Hello(t testing.TB) eip8Hello {
	t.Helper()
	b := fixtures.Read(t, "eth/rlpx_eip8_handshake.json")
	var f struct {
		Hello eip8Hello `json:"devp2p_hello_eip8"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Hello
}

func TestHelloEIP8Vector(t *testing.T) {
	v := loadEIP8Hello(t)
	h, err := DecodeHello(unhex(t, v.RLP))
	if err != nil {
		t.Fatal(err)
	}
	want := &Hello{Version: v.Expected.Version, Name: v.Expected.Client, ListenPort: v.Expected.Port}
	for _, c := range v.Expected.Caps {
		want.Caps = append(want.Caps, Cap{Name: c[0].(string), Version: uint(c[1].(float64))})
	}
	copy(want.ID[:], unhex(t, v.Expected.NodeID))
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", h, want)
	}
	// Re-encoding drops the EIP-8 extra elements and decodes the same.
	h2, err := DecodeHello(AppendHello(nil, h))
	if err != nil || !reflect.DeepEqual(h2, h) {
		t.Fatalf("round trip: %+v, %v", h2, err)
	}
}

func testHello() *Hello {
	h := &Hello{Version: Version, Name: "ledgernet/v0/test", ListenPort: 30303,
		Caps: []Cap{{"chain", 1}, {"eth", 68}, {"snap", 1}, {"x", 0}, {"big", 1 << 40}}}
	for i := range h.ID {
		h.ID[i] = byte(i + 1)
	}
	return h
}

func TestHelloRoundTrip(t *testing.T) {
	for _, h := range []*Hello{testHello(), {Version: 0, Caps: []Cap{}, ID: [IDLen]byte{63: 1}}} {
		b := AppendHello(nil, h)
		got, err := DecodeHello(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, h) {
			t.Fatalf("got %+v, want %+v", got, h)
		}
		// Trailing bytes after the list are ignored, as go-ethereum's
		// msg.Decode ignores them.
		if got, err := DecodeHello(append(b, 0x01, 0x02)); err != nil || !reflect.DeepEqual(got, h) {
			t.Fatalf("with trailing bytes: %+v, %v", got, err)
		}
	}
}

// helloRLP builds a Hello list from raw encoded elements.
func helloRLP(elems ...[]byte) []byte {
	b, l := rlp.StartList(nil)
	for _, e := range elems {
		b = append(b, e...)
	}
	return rlp.EndList(b, l)
}

func TestHelloBadInputs(t *testing.T) {
	id := rlp.AppendBytes(nil, bytes.Repeat([]byte{7}, IDLen))
	ver := rlp.AppendUint(nil, 5)
	name := rlp.AppendString(nil, "x")
	noCaps := []byte{0xc0}
	port := rlp.AppendUint(nil, 0)
	capList := func(items ...[]byte) []byte { return helloRLP(items...) }
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, rlp.ErrUnexpectedEOF},
		{"string not list", []byte{0x83, 1, 2, 3}, rlp.ErrExpectedList},
		{"empty list", []byte{0xc0}, rlp.ErrEOL},
		{"truncated", AppendHello(nil, testHello())[:40], rlp.ErrValueTooLarge},
		{"version is a list", helloRLP(noCaps, name, noCaps, port, id), rlp.ErrExpectedString},
		{"version non-canonical", helloRLP([]byte{0x82, 0, 5}, name, noCaps, port, id), rlp.ErrCanonInt},
		{"version overflow", helloRLP(rlp.AppendBytes(nil, make([]byte, 9)), name, noCaps, port, id), rlp.ErrUintOverflow},
		{"name is a list", helloRLP(ver, noCaps, noCaps, port, id), rlp.ErrExpectedString},
		{"caps is a string", helloRLP(ver, name, name, port, id), rlp.ErrExpectedList},
		{"cap is a string", helloRLP(ver, name, capList(name), port, id), rlp.ErrExpectedList},
		{"cap without version", helloRLP(ver, name, capList(capList(name)), port, id), rlp.ErrEOL},
		{"cap with extra element", helloRLP(ver, name, capList(capList(name, ver, ver)), port, id), rlp.ErrNotAtEOL},
		{"cap version is a list", helloRLP(ver, name, capList(capList(name, noCaps)), port, id), rlp.ErrExpectedString},
		{"missing port", helloRLP(ver, name, noCaps), rlp.ErrEOL},
		{"missing ID", helloRLP(ver, name, noCaps, port), rlp.ErrEOL},
		{"ID is a list", helloRLP(ver, name, noCaps, port, noCaps), rlp.ErrExpectedString},
		{"ID too short", helloRLP(ver, name, noCaps, port, rlp.AppendBytes(nil, make([]byte, 63))), p2p.DiscInvalidIdentity},
		{"ID too long", helloRLP(ver, name, noCaps, port, rlp.AppendBytes(nil, make([]byte, 65))), p2p.DiscInvalidIdentity},
		{"ID all zero", helloRLP(ver, name, noCaps, port, rlp.AppendBytes(nil, make([]byte, 64))), p2p.DiscInvalidIdentity},
		{"bad extra element", helloRLP(ver, name, noCaps, port, id, []byte{0x85, 1}), rlp.ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := DecodeHello(tt.in)
			if err == nil {
				t.Fatalf("decoded %+v, want error", h)
			}
			if !errors.Is(err, ErrBadHello) || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want ErrBadHello wrapping %v", err, tt.want)
			}
		})
	}
}

func TestDisconnectEncodings(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want p2p.DiscReason
		err  bool
	}{
		{"list, go-ethereum's form", "c103", p2p.DiscUselessPeer, false},
		{"list, reason zero", "c180", p2p.DiscRequested, false},
		{"list, subprotocol error", "c110", p2p.DiscSubprotocolError, false},
		{"list with extra elements", "c40482aabb", p2p.DiscTooManyPeers, false},
		{"bare byte", "04", p2p.DiscTooManyPeers, false},
		{"bare zero", "80", p2p.DiscRequested, false},
		{"bare, trailing bytes", "0801", p2p.DiscQuitting, false},
		{"empty payload", "", p2p.DiscRequested, false},
		{"empty list", "c0", p2p.DiscRequested, false},
		{"unknown reason", "c120", p2p.DiscReason(0x20), false},
		{"bare 0x00 non-canonical", "00", 0, true},
		{"two-byte reason", "c2820101", 0, true},
		{"nested list", "c2c103", 0, true},
		{"truncated", "c2", 0, true},
		{"long string", "83010203", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeDisconnect(unhex(t, tt.in))
			if tt.err {
				if !errors.Is(err, ErrBadDisconnect) {
					t.Fatalf("got %v, %v; want ErrBadDisconnect", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	for r := range p2p.DiscReason(0x12) {
		if got, err := DecodeDisconnect(AppendDisconnect(nil, r)); err != nil || got != r {
			t.Errorf("round trip %v: %v, %v", r, got, err)
		}
	}
	if got := hex.EncodeToString(AppendDisconnect(nil, p2p.DiscUselessPeer)); got != "c103" {
		t.Errorf("encoding of useless peer: %s, want c103", got)
	}
}
