package wire

import (
	"encoding/base32"
	"encoding/json"
	"strings"
	"testing"
)

func TestMsgAddrV2(t *testing.T) {
	// The DuckDuckGo v3 onion service: its name carries a SHA3 checksum, so
	// Host reproducing it checks the encoding against a real address.
	const onion = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
	onionKey := mustHex(t, "1d04a1d04a338c6e6ae970bfabee49049d6702250984ca950c01673f4ec034ad")
	const i2p = "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p"
	i2pKey, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimSuffix(i2p, ".b32.i2p")))
	if err != nil || len(i2pKey) != 32 {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		addr      NetAddressV2
		want      string // one entry
		host      string
		supported bool
	}{
		{"ipv4", NetAddressV2{0x495fab29, SFNodeNetwork | SFNodeWitness, NetIPv4, []byte{1, 2, 3, 4}, 8333},
			"29ab5f49" + "09" + "01" + "04" + "01020304" + "208d", "1.2.3.4", true},
		{"ipv6 big services", NetAddressV2{1, 1 << 40, NetIPv6, mustHex(t, "20010db8000000000000000000000001"), 18444},
			"01000000" + "ff0000000000010000" + "02" + "10" + "20010db8000000000000000000000001" + "480c", "2001:db8::1", true},
		{"ipv6 services 0xfd", NetAddressV2{1, 0xfd, NetIPv6, mustHex(t, "20010db8000000000000000000000001"), 1},
			"01000000" + "fdfd00" + "02" + "10" + "20010db8000000000000000000000001" + "0001", "2001:db8::1", true},
		{"ipv6 embedding ipv4 is ignored", NetAddressV2{1, 0, NetIPv6, mustHex(t, "00000000000000000000ffff01020304"), 1},
			"01000000" + "00" + "02" + "10" + "00000000000000000000ffff01020304" + "0001", "::ffff:1.2.3.4", false},
		{"ipv6 internal is ignored", NetAddressV2{1, 0, NetIPv6, mustHex(t, "fd6b88c08724000000000000000000aa"), 1},
			"01000000" + "00" + "02" + "10" + "fd6b88c08724000000000000000000aa" + "0001", "fd6b:88c0:8724::aa", false},
		{"torv2 is ignored", NetAddressV2{2, 0, NetTorV2, mustHex(t, "00112233445566778899"), 9050},
			"02000000" + "00" + "03" + "0a" + "00112233445566778899" + "235a", "00112233445566778899", false},
		{"torv3", NetAddressV2{3, SFNodeNetwork, NetTorV3, onionKey, 8333},
			"03000000" + "01" + "04" + "20" + hexOf(onionKey) + "208d", onion, true},
		{"i2p", NetAddressV2{4, 0, NetI2P, i2pKey, 0},
			"04000000" + "00" + "05" + "20" + hexOf(i2pKey) + "0000", i2p, true},
		{"cjdns", NetAddressV2{5, 0, NetCJDNS, mustHex(t, "fc000000000000000000000000000001"), 8333},
			"05000000" + "00" + "06" + "10" + "fc000000000000000000000000000001" + "208d", "fc00::1", true},
		{"unknown network kept", NetAddressV2{6, 0, 42, []byte{0xab, 0xcd, 0xef}, 7},
			"06000000" + "00" + "2a" + "03" + "abcdef" + "0007", "abcdef", false},
		{"unknown network empty address", NetAddressV2{7, 0, 200, []byte{}, 7},
			"07000000" + "00" + "c8" + "00" + "0007", "", false},
	}
	all := &MsgAddrV2{}
	wantAll := ""
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, "01"+tt.want)
			roundTrip(t, &MsgAddrV2{AddrList: []NetAddressV2{tt.addr}}, ProtocolVersion, BaseEncoding, want)
			checkTruncations(t, CmdAddrV2, want, ProtocolVersion, BaseEncoding, nil, false)
			if got := tt.addr.Host(); got != tt.host {
				t.Errorf("Host = %q, want %q", got, tt.host)
			}
			if got := tt.addr.Supported(); got != tt.supported {
				t.Errorf("Supported = %v", got)
			}
			if _, err := json.Marshal(tt.addr); err != nil {
				t.Error(err)
			}
		})
		all.AddrList = append(all.AddrList, tt.addr)
		wantAll += tt.want
	}
	roundTrip(t, all, ProtocolVersion, BaseEncoding, mustHex(t, "0b"+wantAll))

	max := &MsgAddrV2{AddrList: make([]NetAddressV2, MaxAddrPerMsg)}
	for i := range max.AddrList {
		max.AddrList[i] = NetAddressV2{Timestamp: ^uint32(0), Services: ^ServiceFlag(0), Network: 99, Addr: make([]byte, MaxAddrV2Size), Port: 1}
	}
	full := encode(t, max, ProtocolVersion, BaseEncoding)
	if len(full) != int(max.MaxPayloadLength(ProtocolVersion)) {
		t.Fatalf("1,000 longest entries take %d bytes, MaxPayloadLength %d", len(full), max.MaxPayloadLength(ProtocolVersion))
	}
	roundTrip(t, max, ProtocolVersion, BaseEncoding, full)

	for _, bad := range []*MsgAddrV2{
		{AddrList: make([]NetAddressV2, MaxAddrPerMsg+1)},
		{AddrList: []NetAddressV2{{Network: NetIPv4, Addr: make([]byte, 16)}}},
		{AddrList: []NetAddressV2{{Network: 99, Addr: make([]byte, MaxAddrV2Size+1)}}},
	} {
		if _, err := bad.Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
			t.Errorf("encoded %d entries of network %v", len(bad.AddrList), bad.AddrList[0].Network)
		}
	}

	v4 := "29ab5f49" + "01" + "01" + "04" + "01020304" + "208d"
	checkBad(t, CmdAddrV2, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"1001 entries", ProtocolVersion, mustHex(t, "fde903"+v4), ErrTooMany},
		{"count past the end", ProtocolVersion, mustHex(t, "02"+v4), ErrShortPayload},
		{"ipv4 of 16 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"01"+"10"+strings.Repeat("00", 16)+"0000"), ErrMalformed},
		{"ipv6 of 4 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"02"+"04"+"01020304"+"0000"), ErrMalformed},
		{"torv3 of 16 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"04"+"10"+strings.Repeat("00", 16)+"0000"), ErrMalformed},
		{"i2p of 0 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"05"+"00"+"0000"), ErrMalformed},
		{"cjdns of 32 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"06"+"20"+strings.Repeat("00", 32)+"0000"), ErrMalformed},
		{"address of 513 bytes", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"63"+"fd0102"+strings.Repeat("00", 513)+"0000"), ErrTooLong},
		{"non-canonical services", ProtocolVersion, mustHex(t, "01"+"00000000"+"fd0100"+"01"+"04"+"01020304"+"0000"), ErrNonCanonicalVarInt},
		{"non-canonical address length", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"01"+"fd0400"+"01020304"+"0000"), ErrNonCanonicalVarInt},
		{"address past the end", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"63"+"20"+"0102030405"), ErrShortPayload},
		{"no port", ProtocolVersion, mustHex(t, "01"+"00000000"+"00"+"01"+"04"+"01020304"), ErrShortPayload},
		{"trailing", ProtocolVersion, mustHex(t, "01"+v4+"00"), ErrTrailingBytes},
	})
}
