package wire

import "testing"

func TestMsgSendCmpct(t *testing.T) {
	tests := []struct {
		name string
		msg  MsgSendCmpct
		want string
	}{
		{"low bandwidth v2", MsgSendCmpct{Announce: false, Version: 2}, "000200000000000000"},
		{"high bandwidth v1", MsgSendCmpct{Announce: true, Version: 1}, "010100000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, &tt.msg, ProtocolVersion, BaseEncoding, mustHex(t, tt.want))
			checkTruncations(t, CmdSendCmpct, mustHex(t, tt.want), ProtocolVersion, BaseEncoding, nil, false)
		})
	}
	// Any non-zero announce byte is true, as Core reads a bool.
	var m MsgSendCmpct
	if err := m.Decode(mustHex(t, "020200000000000000"), ProtocolVersion, BaseEncoding); err != nil || !m.Announce || m.Version != 2 {
		t.Fatalf("announce byte 2: %+v, %v", m, err)
	}
	checkBad(t, CmdSendCmpct, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"no version", ProtocolVersion, []byte{1}, ErrShortPayload},
		{"long", ProtocolVersion, make([]byte, 10), ErrTrailingBytes},
	})
}
