package wire

import "testing"

func TestMsgPing(t *testing.T) {
	nonce := &MsgPing{Nonce: 0x0102030405060708}
	tests := []struct {
		name string
		pver uint32
		msg  *MsgPing
		want string
	}{
		{"before BIP31 no nonce", BIP0031Version, &MsgPing{}, ""},
		{"old version", MultipleAddressVersion, &MsgPing{}, ""},
		{"first with nonce", BIP0031Version + 1, nonce, "0807060504030201"},
		{"latest", ProtocolVersion, nonce, "0807060504030201"},
		{"zero nonce", ProtocolVersion, &MsgPing{}, "0000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, tt.msg, tt.pver, BaseEncoding, mustHex(t, tt.want))
			checkTruncations(t, CmdPing, mustHex(t, tt.want), tt.pver, BaseEncoding, nil, false)
		})
	}
	// Before BIP31 the nonce is not sent, whatever the struct holds.
	if b := encode(t, nonce, BIP0031Version, BaseEncoding); len(b) != 0 {
		t.Fatalf("pre-BIP31 ping encodes %x", b)
	}
	checkBad(t, CmdPing, BaseEncoding, []badCase{
		{"nonce before BIP31", BIP0031Version, make([]byte, 8), ErrTrailingBytes},
		{"short nonce", ProtocolVersion, make([]byte, 7), ErrShortPayload},
		{"empty after BIP31", ProtocolVersion, nil, ErrShortPayload},
		{"long", ProtocolVersion, make([]byte, 9), ErrTrailingBytes},
	})
}
