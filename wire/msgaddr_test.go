package wire

import (
	"net/netip"
	"strings"
	"testing"
)

func TestMsgAddr(t *testing.T) {
	v4 := NetAddress{Timestamp: 0x495fab29, Services: SFNodeNetwork, IP: netip.MustParseAddr("127.0.0.1"), Port: 8333}
	v6 := NetAddress{Timestamp: 1, Services: SFNodeNetwork | SFNodeWitness, IP: netip.MustParseAddr("2001:db8::ff00:42:8329"), Port: 18444}
	v4w := "0100000000000000" + "00000000000000000000ffff7f000001" + "208d"
	v6w := "0900000000000000" + "20010db8000000000000ff0000428329" + "480c"
	untimed := func(a NetAddress) NetAddress { a.Timestamp = 0; return a }
	tests := []struct {
		name string
		pver uint32
		list []NetAddress
		want string
	}{
		{"empty", ProtocolVersion, nil, "00"},
		{"timed", ProtocolVersion, []NetAddress{v4, v6}, "02" + "29ab5f49" + v4w + "01000000" + v6w},
		{"first with time", NetAddressTimeVersion, []NetAddress{v4}, "01" + "29ab5f49" + v4w},
		{"before time", NetAddressTimeVersion - 1, []NetAddress{untimed(v4), untimed(v6)}, "02" + v4w + v6w},
		{"single before multiple", MultipleAddressVersion - 1, []NetAddress{untimed(v6)}, "01" + v6w},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, tt.want)
			roundTrip(t, &MsgAddr{AddrList: tt.list}, tt.pver, BaseEncoding, want)
			checkTruncations(t, CmdAddr, want, tt.pver, BaseEncoding, nil, false)
		})
	}
	max := &MsgAddr{AddrList: make([]NetAddress, MaxAddrPerMsg)}
	for i := range max.AddrList {
		max.AddrList[i] = v4
	}
	full := encode(t, max, ProtocolVersion, BaseEncoding)
	if len(full) != int(max.MaxPayloadLength(ProtocolVersion)) {
		t.Fatalf("1,000 addresses take %d bytes, MaxPayloadLength %d", len(full), max.MaxPayloadLength(ProtocolVersion))
	}
	roundTrip(t, max, ProtocolVersion, BaseEncoding, full)
	max.AddrList = append(max.AddrList, v4)
	if _, err := max.Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
		t.Fatal("encoded 1,001 addresses")
	}
	if _, err := (&MsgAddr{AddrList: []NetAddress{v4, v4}}).Encode(nil, MultipleAddressVersion-1, BaseEncoding); err == nil {
		t.Fatal("encoded 2 addresses before MultipleAddressVersion")
	}
	entry := "29ab5f49" + v4w
	checkBad(t, CmdAddr, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"1001 addresses", ProtocolVersion, mustHex(t, "fde903"+entry), ErrTooMany},
		{"two before multiple", MultipleAddressVersion - 1, mustHex(t, "02"+v4w+v4w), ErrTooMany},
		{"count past the end", ProtocolVersion, mustHex(t, "02"+entry), ErrShortPayload},
		{"untimed entry at timed version", ProtocolVersion, mustHex(t, "01"+v4w), ErrShortPayload},
		{"timed entry at untimed version", NetAddressTimeVersion - 1, mustHex(t, "01"+entry), ErrTrailingBytes},
		{"non-canonical count", ProtocolVersion, mustHex(t, "fd0100"+entry), ErrNonCanonicalVarInt},
		{"trailing", ProtocolVersion, mustHex(t, "01"+entry+"00"), ErrTrailingBytes},
		{"garbage", ProtocolVersion, mustHex(t, strings.Repeat("ff", 40)), ErrTooMany},
	})
}

func TestNetAddressIPv4Mapped(t *testing.T) {
	var r reader
	r.buf = mustHex(t, "0000000000000000"+"00000000000000000000ffff0a000001"+"0001")
	var na NetAddress
	r.netAddress(&na, false)
	if r.err != nil || !na.IP.Is4() || na.IP.String() != "10.0.0.1" || na.Port != 1 || na.AddrPort().String() != "10.0.0.1:1" {
		t.Fatalf("%+v %v", na, r.err)
	}
}

func TestServiceFlagString(t *testing.T) {
	tests := []struct {
		f    ServiceFlag
		want string
	}{
		{0, "0x0"},
		{SFNodeNetwork, "SFNodeNetwork"},
		{0x40d, "SFNodeNetwork|SFNodeBloom|SFNodeWitness|SFNodeNetworkLimited"},
		{SFNodeGetUTXO | SFNodeCompactFilters | SFNodeP2PV2, "SFNodeGetUTXO|SFNodeCompactFilters|SFNodeP2PV2"},
		{SFNodeNetwork | 1<<24 | 1<<5, "SFNodeNetwork|0x1000020"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%#x: %q, want %q", uint64(tt.f), got, tt.want)
		}
	}
	if !ServiceFlag(0x409).Has(SFNodeNetwork|SFNodeWitness) || ServiceFlag(1).Has(SFNodeWitness) {
		t.Fatal("Has")
	}
}
