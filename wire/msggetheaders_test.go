package wire

import (
	"strings"
	"testing"
)

func testLocator(t *testing.T, cmd string) {
	h1, _ := NewHashFromStr("000000000002e7ad7b9eef9479e4aabc65cb831269cc20d2632c13684406dee0")
	h2, _ := NewHashFromStr("000000000002710f40c87ec93d010a6fd95f42c59a2cbacc60b18cf6b7957535")
	stop, _ := NewHashFromStr("000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506")
	mk := func(v uint32, hashes []Hash, stop Hash) Message {
		if cmd == CmdGetHeaders {
			return &MsgGetHeaders{ProtocolVersion: v, BlockLocatorHashes: hashes, HashStop: stop}
		}
		return &MsgGetBlocks{ProtocolVersion: v, BlockLocatorHashes: hashes, HashStop: stop}
	}
	// Hashes on the wire are in internal (reversed) order.
	h1w := "e0de064468132c63d220cc691283cb65bcaae47994ef9e7bade7020000000000"
	h2w := "357595b7f68cb160ccba2c9ac5425fd96f0a013dc97ec8400f71020000000000"
	stopw := "06e533fd1ada86391f3f6c343204b0d278d4aaec1c0b20aa27ba030000000000"
	zero := strings.Repeat("00", 32)
	many := make([]Hash, MaxBlockLocatorsPerMsg)
	for i := range many {
		many[i][0] = byte(i)
	}
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{"no locators", mk(60002, nil, Hash{}), "62ea0000" + "00" + zero},
		{"two locators", mk(60002, []Hash{h1, h2}, stop), "62ea0000" + "02" + h1w + h2w + stopw},
		{"latest one locator", mk(ProtocolVersion, []Hash{h1}, Hash{}), "80110100" + "01" + h1w + zero},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, tt.want)
			roundTrip(t, tt.msg, ProtocolVersion, BaseEncoding, want)
			checkTruncations(t, cmd, want, ProtocolVersion, BaseEncoding, nil, false)
		})
	}
	full := encode(t, mk(ProtocolVersion, many, stop), ProtocolVersion, BaseEncoding)
	roundTrip(t, mk(ProtocolVersion, many, stop), ProtocolVersion, BaseEncoding, full)
	if len(full) != int(mk(0, nil, Hash{}).MaxPayloadLength(ProtocolVersion)) {
		t.Fatalf("101 locators take %d bytes, MaxPayloadLength %d", len(full), mk(0, nil, Hash{}).MaxPayloadLength(ProtocolVersion))
	}
	if _, err := mk(ProtocolVersion, append(many, Hash{}), stop).Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
		t.Fatal("encoded 102 locator hashes")
	}
	checkBad(t, cmd, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"no count", ProtocolVersion, mustHex(t, "80110100"), ErrShortPayload},
		{"102 locators", ProtocolVersion, mustHex(t, "80110100"+"66"+strings.Repeat(zero, 103)), ErrTooMany},
		{"count past the end", ProtocolVersion, mustHex(t, "80110100"+"03"+h1w+h2w+stopw), ErrShortPayload},
		{"non-canonical count", ProtocolVersion, mustHex(t, "80110100"+"fd0100"+h1w+stopw), ErrNonCanonicalVarInt},
		{"huge count", ProtocolVersion, mustHex(t, "80110100"+"ffffffffffffffffff"), ErrTooMany},
		{"no stop hash", ProtocolVersion, mustHex(t, "80110100"+"01"+h1w), ErrShortPayload},
		{"trailing", ProtocolVersion, mustHex(t, "80110100"+"00"+zero+"00"), ErrTrailingBytes},
	})
}

func TestMsgGetHeaders(t *testing.T) { testLocator(t, CmdGetHeaders) }
