package wire

import (
	"net/netip"
	"strings"
	"testing"
)

// versionHex builds a version payload field by field (independently of the
// encoder).
func versionHex(version, relay string) string {
	return version + // version
		"0d04000000000000" + // services 0x40d
		"29ab5f4900000000" + // timestamp 1231006505
		"0100000000000000" + "00000000000000000000ffffc0a80001" + "208d" + // addr_recv 192.168.0.1:8333
		"0900000000000000" + "20010db8000000000000000000000001" + "479d" + // addr_from [2001:db8::1]:18333
		"f3e0010000000000" + // nonce 123123
		"10" + "2f6c65646765726e65743a302e312f2f" + // user agent "/ledgernet:0.1//"
		"fa920300" + // start height 234234
		relay
}

func testVersion(relay bool) *MsgVersion {
	return &MsgVersion{
		ProtocolVersion: 70016,
		Services:        SFNodeNetwork | SFNodeWitness | SFNodeBloom | SFNodeNetworkLimited,
		Timestamp:       1231006505,
		AddrRecv:        NetAddress{Services: SFNodeNetwork, IP: netip.MustParseAddr("192.168.0.1"), Port: 8333},
		AddrFrom:        NetAddress{Services: SFNodeNetwork | SFNodeWitness, IP: netip.MustParseAddr("2001:db8::1"), Port: 18333},
		Nonce:           123123,
		UserAgent:       "/ledgernet:0.1//",
		StartHeight:     234234,
		Relay:           relay,
	}
}

func TestMsgVersion(t *testing.T) {
	tests := []struct {
		name string
		pver uint32
		msg  *MsgVersion
		want string
	}{
		{"latest relay", ProtocolVersion, testVersion(true), versionHex("80110100", "01")},
		{"latest no relay", ProtocolVersion, testVersion(false), versionHex("80110100", "00")},
		{"BIP37 first", BIP0037Version, testVersion(true), versionHex("80110100", "01")},
		{"before BIP37 no relay byte", BIP0035Version, testVersion(true), versionHex("80110100", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, tt.want)
			roundTrip(t, tt.msg, tt.pver, BaseEncoding, want)
			// Optional fields end at: addr_recv, nonce, user agent, start height.
			ok := map[int]bool{46: true, 80: true, 81 + len(tt.msg.UserAgent): true, 85 + len(tt.msg.UserAgent): true}
			checkTruncations(t, CmdVersion, want, tt.pver, BaseEncoding, ok, len(want) == 85+len(tt.msg.UserAgent))
		})
	}
	if got := (&MsgVersion{}).MaxPayloadLength(ProtocolVersion); got != 344 {
		t.Fatalf("MaxPayloadLength = %d", got)
	}
	long := testVersion(true)
	long.UserAgent = strings.Repeat("x", MaxUserAgentLen)
	roundTrip(t, long, ProtocolVersion, BaseEncoding, encode(t, long, ProtocolVersion, BaseEncoding))
	if n := len(encode(t, long, ProtocolVersion, BaseEncoding)); n != int(long.MaxPayloadLength(ProtocolVersion)) {
		t.Fatalf("longest version is %d bytes, MaxPayloadLength %d", n, long.MaxPayloadLength(ProtocolVersion))
	}
	long.UserAgent += "x"
	if _, err := long.Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
		t.Fatal("encoded a 257-byte user agent")
	}
}

// TestMsgVersionOptionalFields decodes versions that stop after each
// optional field, as Core accepts from old clients.
func TestMsgVersionOptionalFields(t *testing.T) {
	full := mustHex(t, versionHex("80110100", "00"))
	tests := []struct {
		name string
		n    int
		want func(m *MsgVersion)
	}{
		{"through addr_recv", 46, func(m *MsgVersion) {
			m.AddrFrom, m.Nonce, m.UserAgent, m.StartHeight, m.Relay = NetAddress{}, 0, "", 0, true
		}},
		{"through nonce", 80, func(m *MsgVersion) { m.UserAgent, m.StartHeight, m.Relay = "", 0, true }},
		{"through user agent", 97, func(m *MsgVersion) { m.StartHeight, m.Relay = 0, true }},
		{"through start height", 101, func(m *MsgVersion) { m.Relay = true }},
		{"everything", 102, func(m *MsgVersion) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got MsgVersion
			if err := got.Decode(full[:tt.n], ProtocolVersion, BaseEncoding); err != nil {
				t.Fatal(err)
			}
			want := testVersion(false)
			tt.want(want)
			if !sameMessage(&got, want) {
				t.Fatalf("got %+v\nwant %+v", got, *want)
			}
		})
	}
}

func TestMsgVersionBad(t *testing.T) {
	base := versionHex("80110100", "")
	head := base[:2*80] // through the nonce
	checkBad(t, CmdVersion, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"short addr_recv", ProtocolVersion, mustHex(t, base[:2*40]), ErrShortPayload},
		{"partial addr_from", ProtocolVersion, mustHex(t, base[:2*60]), ErrShortPayload},
		{"addr_from without nonce", ProtocolVersion, mustHex(t, base[:2*72]), ErrShortPayload},
		{"user agent too long", ProtocolVersion, mustHex(t, head+"fd0101"+strings.Repeat("41", 257)), ErrTooLong},
		{"user agent past the end", ProtocolVersion, mustHex(t, head+"20414141"), ErrShortPayload},
		{"user agent length non-canonical", ProtocolVersion, mustHex(t, head+"fd0300414243"), ErrNonCanonicalVarInt},
		{"partial start height", ProtocolVersion, mustHex(t, head+"00fa92"), ErrShortPayload},
		{"trailing after relay", ProtocolVersion, mustHex(t, base+"0100"), ErrTrailingBytes},
	})
}
