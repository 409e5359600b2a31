package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// wireVector is one entry of testdata/btc/wire_vectors.json.
type wireVector struct {
	Name           string         `json:"name"`
	Kind           string         `json:"kind"` // "envelope" or "payload"
	FullMessageHex string         `json:"full_message_hex"`
	Magic          string         `json:"magic"`
	Network        string         `json:"network"`
	Command        string         `json:"command"`
	PayloadLength  *uint32        `json:"payload_length"`
	Checksum       string         `json:"checksum"`
	PayloadHex     string         `json:"payload_hex"`
	Decoded        map[string]any `json:"decoded"`
	Source         string         `json:"source"`
	Note           string         `json:"note"`
}

func loadWireVectors(t testing.TB) []wireVector {
	t.Helper()
	var f struct {
		Messages []wireVector `json:"messages"`
	}
	dec := json.NewDecoder(bytes.NewReader(fixtures.Read(t, "btc/wire_vectors.json")))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	if len(f.Messages) == 0 {
		t.Fatal("wire_vectors.json holds no messages")
	}
	return f.Messages
}

// vectorPver is the protocol version a vector was encoded at: the version
// field of version/getheaders, else ProtocolVersion.
func vectorPver(v wireVector) uint32 {
	if n, ok := v.Decoded["protocol_version"].(json.Number); ok {
		x, _ := n.Int64()
		return uint32(x)
	}
	return ProtocolVersion
}

// TestWireVectors checks every vector in wire_vectors.json: envelope header
// fields, ReadMessage, the decoded fields (every key of "decoded" must be
// checked), and byte-exact re-encoding of payload and envelope.
func TestWireVectors(t *testing.T) {
	vectors := loadWireVectors(t)
	checked := 0
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			pver := vectorPver(v)
			payload := mustHex(t, v.PayloadHex)
			var msg Message
			switch v.Kind {
			case "envelope":
				raw := mustHex(t, v.FullMessageHex)
				net := map[string]BitcoinNet{"mainnet": MainNet}[v.Network]
				if net == 0 || net.Hex() != v.Magic || net.String() != v.Network {
					t.Fatalf("network %q magic %s not known", v.Network, v.Magic)
				}
				h, p, err := DecodeEnvelope(raw)
				if err != nil {
					t.Fatal(err)
				}
				if h.Net != net || h.Command != v.Command || v.PayloadLength == nil || h.Length != *v.PayloadLength ||
					hex.EncodeToString(h.Checksum[:]) != v.Checksum || !bytes.Equal(p, payload) {
					t.Fatalf("header %+v does not match vector", h)
				}
				var rawPayload []byte
				msg, rawPayload, err = ReadMessage(bytes.NewReader(raw), pver, net, WitnessEncoding)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(rawPayload, payload) {
					t.Fatal("raw payload differs")
				}
				var out bytes.Buffer
				n, err := WriteMessage(&out, msg, pver, net, WitnessEncoding)
				if err != nil || n != len(raw) || !bytes.Equal(out.Bytes(), raw) {
					t.Fatalf("WriteMessage = %d, %v\n got %x\nwant %x", n, err, out.Bytes(), raw)
				}
				info, err := DescribeEnvelope(raw)
				if err != nil || !info.ChecksumOK || info.Network != v.Network || info.Error != "" || info.Command != v.Command {
					t.Fatalf("DescribeEnvelope = %+v, %v", info, err)
				}
			case "payload":
				var err error
				msg, err = DecodePayload(v.Command, payload, pver, WitnessEncoding)
				if err != nil {
					t.Fatal(err)
				}
			default:
				t.Fatalf("unknown vector kind %q", v.Kind)
			}
			if msg.Command() != v.Command {
				t.Fatalf("decoded a %s, want %s", msg.Command(), v.Command)
			}
			if got := encode(t, msg, pver, WitnessEncoding); !bytes.Equal(got, payload) {
				t.Fatalf("re-encoded payload\n got %x\nwant %x", got, payload)
			}
			checkDecoded(t, msg, v.Decoded)
			checked++
		})
	}
	if checked != len(vectors) {
		t.Fatalf("checked %d of %d vectors", checked, len(vectors))
	}
}

// fields walks a vector's "decoded" object: each accessor removes the key,
// and done fails on any key left unchecked.
type fields struct {
	t    *testing.T
	path string
	m    map[string]any
}

func (f *fields) take(k string) (any, bool) {
	v, ok := f.m[k]
	delete(f.m, k)
	return v, ok
}

func (f *fields) must(k string) any {
	f.t.Helper()
	v, ok := f.take(k)
	if !ok {
		f.t.Fatalf("%s: vector lacks %q", f.path, k)
	}
	return v
}

func (f *fields) int(k string) int64 {
	f.t.Helper()
	n, err := f.must(k).(json.Number).Int64()
	if err != nil {
		// Large unsigned values do not fit int64; none are expected here.
		f.t.Fatalf("%s.%s: %v", f.path, k, err)
	}
	return n
}

func (f *fields) str(k string) string {
	f.t.Helper()
	s, ok := f.must(k).(string)
	if !ok {
		f.t.Fatalf("%s.%s is not a string", f.path, k)
	}
	return s
}

func (f *fields) hash(k string) Hash {
	f.t.Helper()
	h, err := NewHashFromStr(f.str(k))
	if err != nil {
		f.t.Fatalf("%s.%s: %v", f.path, k, err)
	}
	return h
}

func (f *fields) sub(k string, v any) *fields {
	m, ok := v.(map[string]any)
	if !ok {
		f.t.Fatalf("%s.%s is not an object", f.path, k)
	}
	return &fields{t: f.t, path: f.path + "." + k, m: m}
}

func (f *fields) done() {
	f.t.Helper()
	for k := range f.m {
		f.t.Errorf("%s: field %q of the vector is not checked", f.path, k)
	}
}

func (f *fields) eq(k string, got, want any) {
	f.t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		f.t.Errorf("%s.%s = %v, want %v", f.path, k, got, want)
	}
}

func checkNetAddress(f *fields, k string, na NetAddress) {
	f.t.Helper()
	a := f.sub(k, f.must(k))
	a.eq("services", uint64(na.Services), a.int("services"))
	ip, err := netip.ParseAddr(a.str("ip"))
	if err != nil {
		f.t.Fatal(err)
	}
	a.eq("ip", na.IP, ip)
	a.eq("port", na.Port, a.int("port"))
	a.done()
}

func checkDecoded(t *testing.T, msg Message, decoded map[string]any) {
	t.Helper()
	f := &fields{t: t, path: "decoded", m: decoded}
	switch m := msg.(type) {
	case *MsgVerAck:
		if len(decoded) != 0 {
			t.Fatalf("verack vector has decoded fields %v", decoded)
		}
	case *MsgVersion:
		f.eq("protocol_version", m.ProtocolVersion, f.int("protocol_version"))
		f.eq("services", uint64(m.Services), f.int("services"))
		f.eq("timestamp", m.Timestamp, f.int("timestamp"))
		checkNetAddress(f, "addr_recv", m.AddrRecv)
		checkNetAddress(f, "addr_from", m.AddrFrom)
		var nonce [8]byte
		binary.LittleEndian.PutUint64(nonce[:], m.Nonce)
		f.eq("nonce_hex", hex.EncodeToString(nonce[:]), f.str("nonce_hex"))
		f.eq("user_agent", m.UserAgent, f.str("user_agent"))
		f.eq("start_height", m.StartHeight, f.int("start_height"))
		if r, ok := f.take("relay"); ok {
			f.eq("relay", m.Relay, r)
		} else if !m.Relay {
			t.Error("absent relay flag must decode as true")
		}
	case *MsgGetHeaders:
		f.eq("protocol_version", m.ProtocolVersion, f.int("protocol_version"))
		list, _ := f.must("locator_hashes").([]any)
		if len(list) != len(m.BlockLocatorHashes) {
			t.Fatalf("%d locator hashes, want %d", len(m.BlockLocatorHashes), len(list))
		}
		for i, s := range list {
			f.eq(fmt.Sprintf("locator_hashes[%d]", i), m.BlockLocatorHashes[i], s)
		}
		f.eq("hash_stop", m.HashStop, f.hash("hash_stop"))
	case *MsgHeaders:
		f.eq("count", len(m.Headers), f.int("count"))
		list, _ := f.must("headers").([]any)
		if len(list) != len(m.Headers) {
			t.Fatalf("%d headers, want %d", len(m.Headers), len(list))
		}
		for i, e := range list {
			h := &m.Headers[i]
			g := f.sub(fmt.Sprintf("headers[%d]", i), e)
			g.eq("hash", h.BlockHash(), g.hash("hash"))
			g.eq("version", h.Version, g.int("version"))
			g.eq("prev_block", h.PrevBlock, g.hash("prev_block"))
			g.eq("merkle_root", h.MerkleRoot, g.hash("merkle_root"))
			g.eq("time", h.Timestamp, g.int("time"))
			g.eq("bits", fmt.Sprintf("%08x", h.Bits), g.str("bits"))
			g.eq("nonce", h.Nonce, g.int("nonce"))
			g.eq("tx_count", 0, g.int("tx_count")) // the decoder refuses anything else
			g.eq("pow_valid", powValid(h), g.must("pow_valid"))
			g.done()
		}
	default:
		t.Fatalf("no checker for decoded %s vectors", msg.Command())
	}
	f.done()
}

// powValid reports whether the header's hash is at or below its target.
func powValid(h *BlockHeader) bool {
	exp := h.Bits >> 24
	mant := big.NewInt(int64(h.Bits & 0x007fffff))
	if h.Bits&0x00800000 != 0 || mant.Sign() == 0 {
		return false
	}
	target := new(big.Int)
	if exp <= 3 {
		target.Rsh(mant, uint(8*(3-exp)))
	} else {
		target.Lsh(mant, uint(8*(exp-3)))
	}
	hash := h.BlockHash()
	display, _ := hex.DecodeString(hash.String())
	return new(big.Int).SetBytes(display).Cmp(target) <= 0
}

// TestMainnetVerAck is the envelope every Bitcoin peer sends second.
func TestMainnetVerAck(t *testing.T) {
	raw := mustHex(t, "f9beb4d976657261636b000000000000000000005df6e0e2")
	msg, payload, err := ReadMessage(bytes.NewReader(raw), ProtocolVersion, MainNet, WitnessEncoding)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := msg.(*MsgVerAck); !ok || len(payload) != 0 {
		t.Fatalf("got %T with %d payload bytes", msg, len(payload))
	}
	got, err := AppendMessage(nil, &MsgVerAck{}, ProtocolVersion, MainNet, WitnessEncoding)
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("AppendMessage = %x, %v", got, err)
	}
}
