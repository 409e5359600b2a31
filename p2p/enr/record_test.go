package enr

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/rlp"
	"golang.org/x/crypto/sha3"
)

const exampleFile = "eth/enr_eip778.json" // under testdata/

type exampleRecord struct {
	Text       string `json:"enr_text"`
	PrivateKey string `json:"private_key"`
	NodeID     string `json:"node_id"`
	Seq        uint64 `json:"seq"`
	Signature  string `json:"signature"`
	Pairs      []struct {
		Key      string `json:"key"`
		ValueHex string `json:"value_hex"`
	} `json:"pairs"`
}

// loadExample reads the EIP-778 example. A missing file fails the test.
func loadExample(tb testing.TB) exampleRecord {
	tb.Helper()
	data := fixtures.Read(tb, exampleFile)
	var ex exampleRecord
	if err := json.Unmarshal(data, &ex); err != nil {
		tb.Fatalf("parse %s: %v", exampleFile, err)
	}
	return ex
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func exampleKey(tb testing.TB, ex exampleRecord) *secp256k1.PrivateKey {
	return secp256k1.PrivKeyFromBytes(mustHex(tb, ex.PrivateKey))
}

func exampleRaw(tb testing.TB, ex exampleRecord) []byte {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ex.Text, "enr:"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestEIP778Example(t *testing.T) {
	ex := loadExample(t)
	r, err := Parse(ex.Text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if r.Seq() != ex.Seq {
		t.Errorf("seq = %d, want %d", r.Seq(), ex.Seq)
	}
	if got := hex.EncodeToString(r.Signature()); got != ex.Signature {
		t.Errorf("signature = %s, want %s", got, ex.Signature)
	}
	if r.Len() != len(ex.Pairs) {
		t.Errorf("%d pairs, want %d", r.Len(), len(ex.Pairs))
	}
	for _, p := range ex.Pairs {
		raw, ok := r.Get(p.Key)
		if !ok {
			t.Errorf("missing %q", p.Key)
			continue
		}
		content, _, err := rlp.SplitString(raw)
		if err != nil || hex.EncodeToString(content) != p.ValueHex {
			t.Errorf("%q = %x (%v), want %s", p.Key, content, err, p.ValueHex)
		}
	}
	var ip IPv4
	var udp UDP
	if err := r.Load(&ip); err != nil || netip.Addr(ip) != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("ip = %v, %v", netip.Addr(ip), err)
	}
	if err := r.Load(&udp); err != nil || udp != 30303 {
		t.Errorf("udp = %d, %v", udp, err)
	}
	var tcp TCP
	if err := r.Load(&tcp); !IsNotFound(err) {
		t.Errorf("tcp load error = %v, want not found", err)
	}
	pub, err := r.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if !pub.IsEqual(exampleKey(t, ex).PubKey()) {
		t.Error("public key does not match the private key")
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(pub.SerializeUncompressed()[1:])
	if got := hex.EncodeToString(h.Sum(nil)); got != ex.NodeID {
		t.Errorf("node id = %s, want %s", got, ex.NodeID)
	}
	if text, _ := r.Text(); text != ex.Text {
		t.Errorf("Text() = %s, want %s", text, ex.Text)
	}
}

// TestEIP778Reproduce builds the example from scratch with its key: the
// signature is deterministic (RFC 6979), so the text must match exactly.
func TestEIP778Reproduce(t *testing.T) {
	ex := loadExample(t)
	var r Record
	r.SetSeq(1)
	r.Set(IPv4(netip.MustParseAddr("127.0.0.1")))
	r.Set(UDP(30303))
	if err := r.Sign(exampleKey(t, ex)); err != nil {
		t.Fatal(err)
	}
	text, err := r.Text()
	if err != nil {
		t.Fatal(err)
	}
	if text != ex.Text {
		t.Errorf("got  %s\nwant %s", text, ex.Text)
	}
	if r.Seq() != 1 {
		t.Errorf("signing a fresh record changed seq to %d", r.Seq())
	}
}

func TestSetInvalidatesAndBumpsSeq(t *testing.T) {
	ex := loadExample(t)
	r, err := Parse(ex.Text)
	if err != nil {
		t.Fatal(err)
	}
	r.Set(TCP(30303))
	if r.Signed() || r.Seq() != 2 {
		t.Fatalf("after Set: signed=%v seq=%d, want unsigned seq 2", r.Signed(), r.Seq())
	}
	r.Set(UDP(30304))
	if r.Seq() != 2 {
		t.Fatalf("second Set bumped seq again to %d", r.Seq())
	}
	if _, err := r.Encode(); err != ErrUnsigned {
		t.Fatalf("Encode unsigned = %v", err)
	}
	if err := r.Sign(exampleKey(t, ex)); err != nil {
		t.Fatal(err)
	}
	if r.Seq() != 2 {
		t.Fatalf("seq after sign = %d", r.Seq())
	}
	// Signing a signed record again bumps seq, as go-ethereum's SignV4 does.
	if err := r.Sign(exampleKey(t, ex)); err != nil || r.Seq() != 3 {
		t.Fatalf("re-sign: seq %d, %v", r.Seq(), err)
	}
	if !r.Delete(KeyTCP) || r.Seq() != 4 || r.Signed() {
		t.Fatalf("Delete: seq %d signed %v", r.Seq(), r.Signed())
	}
	if r.Delete(KeyTCP) {
		t.Fatal("deleted a missing key")
	}
}

func TestRoundTrip(t *testing.T) {
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	var r Record
	r.SetSeq(42)
	r.Set(IPv4(netip.MustParseAddr("10.1.2.3")))
	r.Set(IPv6(netip.MustParseAddr("2001:db8::1")))
	r.Set(TCP(30777))
	r.Set(UDP(30778))
	r.Set(TCP6(30779))
	r.Set(UDP6(30780))
	r.Set(Network("devnet"))
	if err := r.SetRaw("zz-unknown", []byte{0xc2, 0x01, 0x02}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetRaw("bad", []byte{0x81, 0x00}); err == nil {
		t.Fatal("SetRaw accepted non-canonical RLP")
	}
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	if r.SignedSize() != len(r.raw) {
		t.Errorf("SignedSize = %d, encoded %d", r.SignedSize(), len(r.raw))
	}
	text, _ := r.Text()
	d, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	enc1, _ := r.Encode()
	enc2, _ := d.Encode()
	if !bytes.Equal(enc1, enc2) {
		t.Fatal("re-encoding differs")
	}
	var (
		ip4  IPv4
		ip6  IPv6
		tcp6 TCP6
		udp6 UDP6
		nw   Network
	)
	for _, e := range []EntryDecoder{&ip4, &ip6, &tcp6, &udp6, &nw} {
		if err := d.Load(e); err != nil {
			t.Fatal(err)
		}
	}
	if netip.Addr(ip4).String() != "10.1.2.3" || netip.Addr(ip6).String() != "2001:db8::1" ||
		tcp6 != 30779 || udp6 != 30780 || nw != "devnet" {
		t.Errorf("decoded %v %v %d %d %q", netip.Addr(ip4), netip.Addr(ip6), tcp6, udp6, nw)
	}
	if raw, ok := d.Get("zz-unknown"); !ok || !bytes.Equal(raw, []byte{0xc2, 0x01, 0x02}) {
		t.Errorf("unknown entry = %x", raw)
	}
	var keys []string
	for k := range d.All() {
		keys = append(keys, k)
	}
	if strings.Join(keys, ",") != "id,ip,ip6,ledgernet,secp256k1,tcp,tcp6,udp,udp6,zz-unknown" {
		t.Errorf("keys = %v", keys)
	}
	// The decoded record does not alias its input.
	raw, _ := r.Encode()
	d2, _ := Decode(raw)
	for i := range raw {
		raw[i] = 0
	}
	if err := d2.Verify(); err != nil {
		t.Errorf("decoded record changed with its input: %v", err)
	}
}

func TestSignTooBig(t *testing.T) {
	key, _ := secp256k1.GeneratePrivateKey()
	var r Record
	r.SetRaw("big", rlp.AppendBytes(nil, make([]byte, 150)))
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	before, _ := r.Text()
	r.SetRaw("big2", rlp.AppendBytes(nil, make([]byte, 100)))
	if r.SignedSize() <= SizeLimit {
		t.Fatalf("SignedSize = %d", r.SignedSize())
	}
	seq := r.Seq()
	if err := r.Sign(key); err != ErrTooBig {
		t.Fatalf("Sign = %v, want ErrTooBig", err)
	}
	if r.Seq() != seq || r.Signed() {
		t.Fatal("failed Sign changed the record")
	}
	_ = before
}

// signedRaw encodes a record whose content is given as RLP items after seq,
// with a valid v4 signature by key over exactly that content. It lets the
// tests build records that break one rule while everything else is right.
func signedRaw(key *secp256k1.PrivateKey, seq uint64, items ...[]byte) []byte {
	content := rlp.AppendList(nil, func(b []byte) []byte {
		b = rlp.AppendUint(b, seq)
		for _, it := range items {
			b = append(b, it...)
		}
		return b
	})
	h := sha3.NewLegacyKeccak256()
	h.Write(content)
	sig := ecdsa.SignCompact(key, h.Sum(nil), false)[1:]
	return rlp.AppendList(nil, func(b []byte) []byte {
		b = rlp.AppendBytes(b, sig)
		b = rlp.AppendUint(b, seq)
		for _, it := range items {
			b = append(b, it...)
		}
		return b
	})
}

func str(s string) []byte { return rlp.AppendString(nil, s) }

func TestDecodeBadRecords(t *testing.T) {
	ex := loadExample(t)
	key := exampleKey(t, ex)
	pub := rlp.AppendBytes(nil, key.PubKey().SerializeCompressed())
	good := exampleRaw(t, ex)

	flipSig := bytes.Clone(good)
	flipSig[10] ^= 1

	// The same signature with s replaced by n-s is valid ECDSA but
	// malleable; go-ethereum rejects it.
	highS := bytes.Clone(good)
	var s secp256k1.ModNScalar
	s.SetByteSlice(highS[3+32 : 3+64])
	s.Negate()
	sb := s.Bytes()
	copy(highS[3+32:3+64], sb[:])

	big := signedRaw(key, 1, str("id"), str("v4"), str("secp256k1"), pub, str("z"), rlp.AppendBytes(nil, make([]byte, 300)))

	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"too big", big, ErrTooBig},
		{"too big before parsing", append(bytes.Clone(good), make([]byte, SizeLimit)...), ErrTooBig},
		{"unsorted keys", signedRaw(key, 1, str("secp256k1"), pub, str("id"), str("v4")), ErrNotSorted},
		{"duplicate key", signedRaw(key, 1, str("id"), str("v4"), str("id"), str("v4"), str("secp256k1"), pub), ErrDuplicateKey},
		{"bad signature", flipSig, ErrInvalidSig},
		{"high s signature", highS, ErrInvalidSig},
		{"missing id", signedRaw(key, 1, str("secp256k1"), pub), ErrMissingID},
		{"unknown scheme", signedRaw(key, 1, str("id"), str("v5"), str("secp256k1"), pub), ErrUnknownScheme},
		{"missing public key", signedRaw(key, 1, str("id"), str("v4")), ErrNotFound},
		{"short public key", signedRaw(key, 1, str("id"), str("v4"), str("secp256k1"), pub[:33]), rlp.ErrElemTooLarge},
		{"truncated", good[:len(good)-1], rlp.ErrValueTooLarge},
		{"trailing data", append(bytes.Clone(good), 0x00), rlp.ErrMoreThanOneValue},
		{"not a list", rlp.AppendString(nil, "enr"), rlp.ErrExpectedList},
		{"empty list", []byte{0xc0}, ErrIncompleteList},
		{"no seq", rlp.AppendList(nil, func(b []byte) []byte { return rlp.AppendBytes(b, make([]byte, 64)) }), ErrIncompleteList},
		{"incomplete pair", signedRaw(key, 1, str("id"), str("v4"), str("secp256k1"), pub, str("udp")), ErrIncompletePair},
		{"key is a list", signedRaw(key, 1, []byte{0xc0}, str("v4")), rlp.ErrExpectedString},
		{"seq leading zero", []byte{0xc3, 0x80, 0x81, 0x00}, rlp.ErrCanonSize},
		{"seq overflow", rlp.AppendList(nil, func(b []byte) []byte { return append(rlp.AppendBytes(b, nil), 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0) }), rlp.ErrUintOverflow},
		{"empty input", nil, rlp.ErrUnexpectedEOF},
	}
	// The "short public key" case above truncates an encoded key so the
	// list is malformed; a well-formed 32-byte key is checked here too.
	tests = append(tests, struct {
		name string
		in   []byte
		want error
	}{"32-byte public key", signedRaw(key, 1, str("id"), str("v4"), str("secp256k1"), rlp.AppendBytes(nil, key.PubKey().SerializeCompressed()[1:])), nil})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			if err == nil {
				t.Fatalf("Decode accepted %x", tc.in)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
			var ke *KeyError
			if tc.name == "32-byte public key" && (!errors.As(err, &ke) || ke.Key != KeySecp256k1) {
				t.Errorf("error = %v, want a KeyError for secp256k1", err)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	ex := loadExample(t)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"missing prefix", strings.TrimPrefix(ex.Text, "enr:"), ErrMissingPrefix},
		{"enode", "enode://abc", ErrMissingPrefix},
		{"padding", ex.Text + "=", nil},
		{"bad character", ex.Text[:10] + "!" + ex.Text[11:], nil},
		{"too long", "enr:" + strings.Repeat("A", 401), ErrTooBig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := ParseUnverified(ex.Text); err != nil {
		t.Fatal(err)
	}
}

func TestEntryDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		e    EntryDecoder
		raw  []byte
	}{
		{"ip 3 bytes", new(IPv4), rlp.AppendBytes(nil, []byte{1, 2, 3})},
		{"ip6 4 bytes", new(IPv6), rlp.AppendBytes(nil, []byte{1, 2, 3, 4})},
		{"tcp 3 bytes", new(TCP), rlp.AppendUint(nil, 1<<16)},
		{"udp leading zero", new(UDP), []byte{0x82, 0x00, 0x01}},
		{"udp list", new(UDP), []byte{0xc0}},
		{"id list", new(ID), []byte{0xc0}},
		{"network string", new(Network), rlp.AppendString(nil, "devnet")},
		{"network empty", new(Network), []byte{0xc0}},
		{"network item list", new(Network), []byte{0xc1, 0xc0}},
		{"secp256k1 not on curve", new(Secp256k1), rlp.AppendBytes(nil, append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.e.DecodeRLP(tc.raw); err == nil {
				t.Errorf("accepted %x", tc.raw)
			}
		})
	}
	// Extra network list items are ignored (room for later fields).
	var nw Network
	raw := rlp.AppendList(nil, func(b []byte) []byte { return rlp.AppendUint(rlp.AppendString(b, "devnet"), 7) })
	if err := nw.DecodeRLP(raw); err != nil || nw != "devnet" {
		t.Errorf("network with extra items = %q, %v", nw, err)
	}
}
