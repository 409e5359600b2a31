package wire

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMsgUnknown(t *testing.T) {
	for _, cmd := range []string{"sendtxrcncl", "cmpctblock", "filterload", "", "x", "abcdefghijkl"} {
		m := MakeEmptyMessage(cmd)
		u, ok := m.(*MsgUnknown)
		if !ok || u.Command() != cmd {
			t.Fatalf("MakeEmptyMessage(%q) = %T", cmd, m)
		}
		payload := []byte{1, 2, 3}
		if cmd == "" {
			payload = nil
		}
		roundTrip(t, &MsgUnknown{Cmd: cmd, Payload: payload}, ProtocolVersion, BaseEncoding, payload)
		env, err := AppendMessage(nil, &MsgUnknown{Cmd: cmd, Payload: payload}, ProtocolVersion, MainNet, BaseEncoding)
		if err != nil {
			t.Fatal(err)
		}
		got, raw, err := ReadMessage(bytes.NewReader(env), ProtocolVersion, MainNet, BaseEncoding)
		if err != nil || got.Command() != cmd || !bytes.Equal(got.(*MsgUnknown).Payload, payload) || !bytes.Equal(raw, payload) {
			t.Fatalf("%q: %+v %v", cmd, got, err)
		}
	}
	if (&MsgUnknown{}).MaxPayloadLength(ProtocolVersion) != MaxProtocolMessageLength {
		t.Fatal("MsgUnknown cap")
	}
	j, err := json.Marshal(&MsgUnknown{Cmd: "sendtxrcncl", Payload: []byte{0xab}})
	if err != nil || string(j) != `{"command":"sendtxrcncl","payload_hex":"ab"}` {
		t.Fatalf("%s %v", j, err)
	}
}
