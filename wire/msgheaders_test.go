package wire

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// mainnetHeaders returns the first n raw 80-byte mainnet headers.
func mainnetHeaders(t testing.TB, n int) []byte {
	t.Helper()
	raw := fixtures.Read(t, "btc/mainnet/headers_0_39999.bin")
	if len(raw) < n*BlockHeaderSize {
		t.Fatalf("headers fixture holds %d bytes", len(raw))
	}
	return raw[:n*BlockHeaderSize]
}

// headersPayload frames raw headers as a headers payload by hand.
func headersPayload(raw []byte) []byte {
	n := len(raw) / BlockHeaderSize
	p := AppendVarInt(nil, uint64(n))
	for i := range n {
		p = append(p, raw[i*BlockHeaderSize:(i+1)*BlockHeaderSize]...)
		p = append(p, 0)
	}
	return p
}

func TestMsgHeaders(t *testing.T) {
	raw := mainnetHeaders(t, MaxBlockHeadersPerMsg)
	for _, n := range []int{0, 1, 2, 11, 252, 253, MaxBlockHeadersPerMsg} {
		want := headersPayload(raw[:n*BlockHeaderSize])
		msg := &MsgHeaders{}
		for i := range n {
			var h BlockHeader
			if err := h.DecodeBlockHeader(raw[i*BlockHeaderSize:]); err != nil {
				t.Fatal(err)
			}
			msg.Headers = append(msg.Headers, h)
		}
		roundTrip(t, msg, ProtocolVersion, BaseEncoding, want)
		if n <= 11 {
			checkTruncations(t, CmdHeaders, want, ProtocolVersion, BaseEncoding, nil, false)
		}
		// Each header links to the one before: decoding kept every byte.
		for i := 1; i < len(msg.Headers); i++ {
			if msg.Headers[i].PrevBlock != msg.Headers[i-1].BlockHash() {
				t.Fatalf("header %d does not link", i)
			}
		}
	}
	if got := (&MsgHeaders{}).MaxPayloadLength(ProtocolVersion); got != 3+2000*81 {
		t.Fatalf("MaxPayloadLength = %d", got)
	}
	tooMany := &MsgHeaders{Headers: make([]BlockHeader, MaxBlockHeadersPerMsg+1)}
	if _, err := tooMany.Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
		t.Fatal("encoded 2,001 headers")
	}

	one := headersPayload(raw[BlockHeaderSize : 2*BlockHeaderSize])
	hdr := hexOf(raw[BlockHeaderSize : 2*BlockHeaderSize])
	checkBad(t, CmdHeaders, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"tx count 1", ProtocolVersion, mustHex(t, "01"+hdr+"01"), ErrMalformed},
		{"tx count 0xfc", ProtocolVersion, mustHex(t, "01"+hdr+"fc"), ErrMalformed},
		{"tx count 0 non-canonical", ProtocolVersion, mustHex(t, "01"+hdr+"fd0000"), ErrNonCanonicalVarInt},
		{"tx count 253 on two entries", ProtocolVersion, mustHex(t, "02"+hdr+"00"+hdr+"fdfd00"), ErrMalformed},
		{"tx count missing", ProtocolVersion, mustHex(t, "01"+hdr), ErrShortPayload},
		{"2001 headers", ProtocolVersion, mustHex(t, "fdd107"+strings.Repeat(hdr+"00", 2)), ErrTooMany},
		{"count past the end", ProtocolVersion, mustHex(t, "02"+hdr+"00"), ErrShortPayload},
		{"non-canonical count", ProtocolVersion, mustHex(t, "fd0100"+hdr+"00"), ErrNonCanonicalVarInt},
		{"trailing", ProtocolVersion, append(bytes.Clone(one), 0), ErrTrailingBytes},
	})
}

// TestMsgHeadersReuse decodes into one message repeatedly: the slice is
// reused and never keeps stale entries.
func TestMsgHeadersReuse(t *testing.T) {
	raw := mainnetHeaders(t, 20)
	var m MsgHeaders
	if err := m.Decode(headersPayload(raw), ProtocolVersion, BaseEncoding); err != nil || len(m.Headers) != 20 {
		t.Fatal(len(m.Headers), err)
	}
	first := &m.Headers[0]
	if err := m.Decode(headersPayload(raw[80:240]), ProtocolVersion, BaseEncoding); err != nil || len(m.Headers) != 2 {
		t.Fatal(len(m.Headers), err)
	}
	if &m.Headers[0] != first {
		t.Fatal("capacity not reused")
	}
	var h1 BlockHeader
	_ = h1.DecodeBlockHeader(raw[80:])
	if m.Headers[0] != h1 {
		t.Fatal("stale header after reuse")
	}
	if err := m.Decode([]byte{1}, ProtocolVersion, BaseEncoding); err == nil || len(m.Headers) != 0 {
		t.Fatalf("bad payload left %d headers, err %v", len(m.Headers), err)
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }
