package wire

import (
	"strings"
	"testing"
)

// testInvMessage covers inv, getdata and notfound, which share a format.
func testInvMessage(t *testing.T, cmd string) {
	t.Helper()
	mk := func(list []InvVect) Message {
		switch cmd {
		case CmdInv:
			return &MsgInv{InvList: list}
		case CmdGetData:
			return &MsgGetData{InvList: list}
		}
		return &MsgNotFound{InvList: list}
	}
	genesis, _ := NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	genesisWire := "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000"
	tx := Hash{0x01, 0x02}
	txWire := "0102" + strings.Repeat("00", 30)
	tests := []struct {
		name string
		list []InvVect
		want string
	}{
		{"empty", nil, "00"},
		{"block", []InvVect{{InvTypeBlock, genesis}}, "01" + "02000000" + genesisWire},
		{"witness block and tx", []InvVect{{InvTypeWitnessBlock, genesis}, {InvTypeWitnessTx, tx}},
			"02" + "02000040" + genesisWire + "01000040" + txWire},
		{"every type", []InvVect{{InvTypeError, tx}, {InvTypeTx, tx}, {InvTypeFilteredBlock, tx}, {InvTypeCmpctBlock, tx},
			{InvTypeWTx, tx}, {InvTypeFilteredWitnessBlock, tx}},
			"06" + "00000000" + txWire + "01000000" + txWire + "03000000" + txWire + "04000000" + txWire +
				"05000000" + txWire + "03000040" + txWire},
		{"unknown type decodes", []InvVect{{InvType(0xdeadbeef), tx}}, "01" + "efbeadde" + txWire},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := mustHex(t, tt.want)
			roundTrip(t, mk(tt.list), ProtocolVersion, BaseEncoding, want)
			checkTruncations(t, cmd, want, ProtocolVersion, BaseEncoding, nil, false)
		})
	}
	max := make([]InvVect, MaxInvPerMsg)
	full := encode(t, mk(max), ProtocolVersion, BaseEncoding)
	if len(full) != int(mk(nil).MaxPayloadLength(ProtocolVersion)) {
		t.Fatalf("50,000 entries take %d bytes, MaxPayloadLength %d", len(full), mk(nil).MaxPayloadLength(ProtocolVersion))
	}
	roundTrip(t, mk(max), ProtocolVersion, BaseEncoding, full)
	if _, err := mk(append(max, InvVect{})).Encode(nil, ProtocolVersion, BaseEncoding); err == nil {
		t.Fatal("encoded 50,001 entries")
	}
	entry := "01000000" + txWire
	checkBad(t, cmd, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"50001 entries", ProtocolVersion, mustHex(t, "fd51c3"+entry), ErrTooMany},
		{"count 2^64-1", ProtocolVersion, mustHex(t, "ffffffffffffffffff"), ErrTooMany},
		{"count past the end", ProtocolVersion, mustHex(t, "02"+entry), ErrShortPayload},
		{"half an entry", ProtocolVersion, mustHex(t, "01"+entry[:20]), ErrShortPayload},
		{"non-canonical count", ProtocolVersion, mustHex(t, "fe01000000"+entry), ErrNonCanonicalVarInt},
		{"trailing", ProtocolVersion, mustHex(t, "01"+entry+"00"), ErrTrailingBytes},
	})
}

func TestMsgInv(t *testing.T) { testInvMessage(t, CmdInv) }

func TestInvTypeString(t *testing.T) {
	tests := []struct {
		typ  InvType
		want string
	}{
		{InvTypeError, "ERROR"},
		{InvTypeTx, "MSG_TX"},
		{InvTypeBlock, "MSG_BLOCK"},
		{InvTypeFilteredBlock, "MSG_FILTERED_BLOCK"},
		{InvTypeCmpctBlock, "MSG_CMPCT_BLOCK"},
		{InvTypeWTx, "MSG_WTX"},
		{InvTypeWitnessTx, "MSG_WITNESS_TX"},
		{InvTypeWitnessBlock, "MSG_WITNESS_BLOCK"},
		{InvTypeFilteredWitnessBlock, "MSG_FILTERED_WITNESS_BLOCK"},
		{0x40000001, "MSG_WITNESS_TX"},
		{7, "0x7"},
	}
	for _, tt := range tests {
		if got := tt.typ.String(); got != tt.want {
			t.Errorf("%d: %q, want %q", uint32(tt.typ), got, tt.want)
		}
	}
}

// TestMsgInvReuse: decoding into the same message reuses its capacity.
func TestMsgInvReuse(t *testing.T) {
	var m MsgInv
	big := encode(t, &MsgInv{InvList: make([]InvVect, 10)}, ProtocolVersion, BaseEncoding)
	small := encode(t, &MsgInv{InvList: []InvVect{{InvTypeTx, Hash{9}}}}, ProtocolVersion, BaseEncoding)
	if err := m.Decode(big, ProtocolVersion, BaseEncoding); err != nil {
		t.Fatal(err)
	}
	p := &m.InvList[0]
	if err := m.Decode(small, ProtocolVersion, BaseEncoding); err != nil || len(m.InvList) != 1 || &m.InvList[0] != p || m.InvList[0].Hash != (Hash{9}) {
		t.Fatalf("reuse: %v %+v", err, m.InvList)
	}
}
