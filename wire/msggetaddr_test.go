package wire

import "testing"

func TestMsgGetAddr(t *testing.T) {
	testEmptyMessage(t, &MsgGetAddr{})
	if got := MakeEmptyMessage("getaddr"); got.Command() != CmdGetAddr {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "getaddr", got)
	}
}
