package topic

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/rlp"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	vecOrigin = enode.ID{0x11}
	vecDest   = enode.ID{0x22}
	vecID     = MsgID{0x33}
)

func vectorMessages() []*Message {
	return []*Message{
		{Kind: Unicast, Origin: vecOrigin, ID: vecID, Hops: 16, Dest: vecDest, Payload: []byte("hi"), Sig: []byte{1, 2, 3}},
		{Kind: Multicast, Origin: vecOrigin, ID: vecID, Hops: 1, Topic: "blocks", Payload: []byte{0x05}},
		{Kind: Broadcast, Origin: vecOrigin, ID: vecID, Hops: 64, Payload: []byte{}},
	}
}

// Byte-exact vectors of the wire format.
func TestVectors(t *testing.T) {
	want := []string{
		"f85c 01 a0 1100000000000000000000000000000000000000000000000000000000000000 90 33000000000000000000000000000000 10" +
			" a0 2200000000000000000000000000000000000000000000000000000000000000 826869 83010203",
		"f83d 02 a0 1100000000000000000000000000000000000000000000000000000000000000 90 33000000000000000000000000000000 01" +
			" 86 626c6f636b73 05 80",
		"f7 03 a0 1100000000000000000000000000000000000000000000000000000000000000 90 33000000000000000000000000000000 40 80 80 80",
	}
	for i, m := range vectorMessages() {
		enc := m.encode()
		if w := unhex(want[i]); !bytes.Equal(enc, w) {
			t.Fatalf("%v: encoding\n got %x\nwant %x", m.Kind, enc, w)
		}
		got, err := decodeMessage(enc, DefaultMaxPayload)
		if err != nil {
			t.Fatalf("%v: %v", m.Kind, err)
		}
		if len(m.Payload) == 0 {
			m.Payload = nil // decoding aliases: an empty payload is nil
			got.Payload = nil
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("%v: decoded %+v, want %+v", m.Kind, got, m)
		}
	}
}

// Digest hashes without copying the payload; it must equal the plain
// definition for every payload shape (single bytes above and below 0x80
// are encoded differently).
func TestDigest(t *testing.T) {
	payloads := [][]byte{nil, {0}, {0x7f}, {0x80}, {0xff}, []byte("abc"), make([]byte, 55), make([]byte, 56), make([]byte, 70000)}
	for _, m := range vectorMessages() {
		for _, p := range payloads {
			m.Payload = p
			b := rlp.AppendList(nil, func(b []byte) []byte {
				b = rlp.AppendUint(b, uint64(m.Kind))
				b = rlp.AppendBytes(b, m.Origin[:])
				b = rlp.AppendBytes(b, m.ID[:])
				b = appendTarget(b, m)
				return rlp.AppendBytes(b, m.Payload)
			})
			h := sha3.NewLegacyKeccak256()
			h.Write([]byte(digestPrefix))
			h.Write(b)
			var want [32]byte
			h.Sum(want[:0])
			if got := m.Digest(); got != want {
				t.Fatalf("%v, payload of %d bytes: digest %x, want %x", m.Kind, len(p), got, want)
			}
		}
	}
	// Hops and signature are not signed; everything else is.
	m := vectorMessages()[0]
	d := m.Digest()
	m.Hops, m.Sig = 3, nil
	if m.Digest() != d {
		t.Fatal("digest covers hops or sig")
	}
	m.Dest[0] ^= 1
	if m.Digest() == d {
		t.Fatal("digest does not cover the destination")
	}
}

func TestDecodeBad(t *testing.T) {
	list := func(items ...[]byte) []byte {
		return rlp.AppendList(nil, func(b []byte) []byte {
			for _, it := range items {
				b = append(b, it...)
			}
			return b
		})
	}
	bs := func(b []byte) []byte { return rlp.AppendBytes(nil, b) }
	num := func(u uint64) []byte { return rlp.AppendUint(nil, u) }
	// fields of a valid broadcast; each case breaks one.
	msg := func(i int, v []byte, extra ...[]byte) []byte {
		f := [][]byte{num(3), bs(vecOrigin[:]), bs(vecID[:]), num(5), bs(nil), bs([]byte("p")), bs(nil)}
		if i >= 0 {
			f[i] = v
		}
		return list(append(f, extra...)...)
	}
	uni := func(target []byte) []byte {
		return list(num(1), bs(vecOrigin[:]), bs(vecID[:]), num(5), target, bs(nil), bs(nil))
	}
	multi := func(target []byte) []byte {
		return list(num(2), bs(vecOrigin[:]), bs(vecID[:]), num(5), target, bs(nil), bs(nil))
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not a list", bs([]byte("x")), ErrMalformed},
		{"trailing bytes", append(msg(-1, nil), 0x80), ErrMalformed},
		{"extra field", msg(-1, nil, num(1)), ErrMalformed},
		{"missing sig", list(num(3), bs(vecOrigin[:]), bs(vecID[:]), num(5), bs(nil), bs(nil)), ErrMalformed},
		{"kind 0", msg(0, num(0)), ErrMalformed},
		{"kind 4", msg(0, num(4)), ErrMalformed},
		{"kind 2 bytes", msg(0, bs([]byte{1, 3})), ErrMalformed},
		{"short origin", msg(1, bs([]byte{1})), ErrMalformed},
		{"short id", msg(2, bs([]byte{1})), ErrMalformed},
		{"hops 256", msg(3, num(256)), ErrMalformed},
		{"hops a list", msg(3, list()), ErrMalformed},
		{"hops 0", msg(3, num(0)), ErrHopLimit},
		{"broadcast with a target", msg(4, bs([]byte{1})), ErrMalformed},
		{"unicast short destination", uni(bs([]byte{1})), ErrMalformed},
		{"multicast empty topic", multi(bs(nil)), ErrMalformed},
		{"multicast long topic", multi(bs(make([]byte, MaxTopicLen+1))), ErrMalformed},
		{"multicast topic not UTF-8", multi(bs([]byte{0xff, 0xfe})), ErrMalformed},
		{"payload a list", msg(5, list()), ErrMalformed},
		{"payload too large", msg(5, bs(make([]byte, 101))), ErrTooLarge},
		{"signature too long", msg(6, bs(make([]byte, 200))), ErrMalformed},
		{"truncated", msg(-1, nil)[:20], ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeMessage(tt.in, 100)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := decodeMessage(msg(-1, nil), 100); err != nil {
		t.Fatalf("template: %v", err)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	for _, m := range vectorMessages() {
		f.Add(m.encode())
	}
	signed, _ := message(f, Multicast, 7, []byte("payload"))
	f.Add(signed.encode())
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(b, 1000)
		switch {
		case errors.Is(err, ErrHopLimit):
			if m == nil || m.Hops != 0 {
				t.Fatal("ErrHopLimit without the message")
			}
		case err != nil:
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(m.Payload) > 1000 {
			t.Fatalf("payload of %d bytes passed", len(m.Payload))
		}
		// Canonical: what decodes re-encodes to the same bytes.
		if enc := m.encode(); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, enc)
		}
		// Verification never panics on what the decoder passes.
		var s Service
		_ = s.cfg.Signatures.Check(m.Origin, m.Digest(), m.Sig)
	})
}
