package wire

import "testing"

func TestMsgVerAck(t *testing.T) {
	testEmptyMessage(t, &MsgVerAck{})
	if got := MakeEmptyMessage("verack"); got.Command() != CmdVerAck {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "verack", got)
	}
}
