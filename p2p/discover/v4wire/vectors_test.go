package v4wire

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

const vectorsFile = "eth/discv4_eip8_packets.json" // under testdata/

type vectorFile struct {
	SignerKey string   `json:"signer_private_key"`
	SignerPub string   `json:"signer_public_key_64"`
	Packets   []vector `json:"packets"`
}

type vector struct {
	Name     string         `json:"name"`
	Type     byte           `json:"type"`
	Hex      string         `json:"packet_hex"`
	Hash     string         `json:"hash"`
	Expected map[string]any `json:"expected"`
}

func loadVectors(tb testing.TB) vectorFile {
	tb.Helper()
	data := fixtures.Read(tb, vectorsFile)
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		tb.Fatal(err)
	}
	if len(vf.Packets) != 6 {
		tb.Fatalf("fixture has %d packets, want 6", len(vf.Packets))
	}
	return vf
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestVectors decodes every EIP-8 packet of the fixture. Two of them (ping
// v555 and pong) carry a list where EIP-868 later put the enr-seq integer;
// go-ethereum rejects them after checking hash and signature, and so do we.
func TestVectors(t *testing.T) {
	vf := loadVectors(t)
	for _, v := range vf.Packets {
		t.Run(v.Name, func(t *testing.T) {
			p, pub, hash, err := Decode(unhex(t, v.Hex))
			if hash.String() != v.Hash {
				t.Errorf("hash %s, want %s", hash, v.Hash)
			}
			if pub.String() != vf.SignerPub {
				t.Errorf("sender %s, want %s", pub, vf.SignerPub)
			}
			switch v.Name {
			case "ping_v555_extra_elements_trailing_data", "pong_extra_elements_trailing_data":
				if !errors.Is(err, ErrBadPacket) {
					t.Fatalf("err = %v, want ErrBadPacket (non-integer enr-seq)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind() != v.Type {
				t.Fatalf("kind %d, want %d", p.Kind(), v.Type)
			}
			checkExpected(t, p, v.Expected)
		})
	}
}

func checkExpected(t *testing.T, p Packet, exp map[string]any) {
	num := func(k string) uint64 { return uint64(exp[k].(float64)) }
	ip := func(k string) netip.Addr { return netip.MustParseAddr(exp[k].(string)) }
	extra := func(rest [][]byte) {
		want, _ := exp["extra_list_elements_rlp"].([]any)
		if len(rest) != len(want) {
			t.Fatalf("rest has %d elements, want %d", len(rest), len(want))
		}
		for i := range want {
			if hex.EncodeToString(rest[i]) != want[i].(string) {
				t.Errorf("rest[%d] = %x, want %s", i, rest[i], want[i])
			}
		}
	}
	if p.(interface{ expiration() uint64 }).expiration() != num("expiration") {
		t.Errorf("expiration mismatch")
	}
	switch p := p.(type) {
	case *Ping:
		if p.Version != num("version") {
			t.Errorf("version %d", p.Version)
		}
		wantFrom := Endpoint{ip("from_ip"), uint16(num("from_udp")), uint16(num("from_tcp"))}
		wantTo := Endpoint{ip("to_ip"), uint16(num("to_udp")), uint16(num("to_tcp"))}
		if p.From != wantFrom || p.To != wantTo {
			t.Errorf("endpoints %+v %+v, want %+v %+v", p.From, p.To, wantFrom, wantTo)
		}
		if seq, ok := exp["enr_seq"]; ok && p.ENRSeq != uint64(seq.(float64)) {
			t.Errorf("enr-seq %d, want %v", p.ENRSeq, seq)
		}
		extra(p.Rest)
	case *Findnode:
		if p.Target.String() != exp["target"].(string) {
			t.Errorf("target %s", p.Target)
		}
		extra(p.Rest)
	case *Neighbors:
		want := exp["nodes"].([]any)
		if len(p.Nodes) != len(want) {
			t.Fatalf("%d nodes, want %d", len(p.Nodes), len(want))
		}
		for i, w := range want {
			w := w.(map[string]any)
			n := p.Nodes[i]
			if n.IP != netip.MustParseAddr(w["ip"].(string)) || n.UDP != uint16(w["udp"].(float64)) ||
				n.TCP != uint16(w["tcp"].(float64)) || n.ID.String() != w["id"].(string) {
				t.Errorf("node %d = %+v, want %v", i, n, w)
			}
		}
		extra(p.Rest)
	default:
		t.Fatalf("unexpected packet %T", p)
	}
}

func (p *Ping) expiration() uint64        { return p.Expiration }
func (p *Pong) expiration() uint64        { return p.Expiration }
func (p *Findnode) expiration() uint64    { return p.Expiration }
func (p *Neighbors) expiration() uint64   { return p.Expiration }
func (p *ENRRequest) expiration() uint64  { return p.Expiration }
func (p *ENRResponse) expiration() uint64 { return 0 }

// TestVectorSigner checks the fixture's key against its public key, so the
// sender checks above test recovery and not the fixture.
func TestVectorSigner(t *testing.T) {
	vf := loadVectors(t)
	key, err := enode.PrivateKeyFromBytes(unhex(t, vf.SignerKey))
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodePubkey(key.PubKey()).String(); got != vf.SignerPub {
		t.Fatalf("signer pub %s, want %s", got, vf.SignerPub)
	}
}
