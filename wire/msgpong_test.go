package wire

import (
	"errors"
	"testing"
)

func TestMsgPong(t *testing.T) {
	msg := &MsgPong{Nonce: 0xdeadbeefcafef00d}
	want := mustHex(t, "0df0fecaefbeadde")
	roundTrip(t, msg, ProtocolVersion, BaseEncoding, want)
	checkTruncations(t, CmdPong, want, ProtocolVersion, BaseEncoding, nil, false)
	checkBad(t, CmdPong, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"short", ProtocolVersion, make([]byte, 4), ErrShortPayload},
		{"long", ProtocolVersion, make([]byte, 9), ErrTrailingBytes},
	})
	if err := (&MsgPong{}).Decode(make([]byte, 9), ProtocolVersion, BaseEncoding); !errors.Is(err, ErrTrailingBytes) {
		t.Fatal(err)
	}
}
