package wire

import "testing"

func TestMsgWTxIDRelay(t *testing.T) {
	testEmptyMessage(t, &MsgWTxIDRelay{})
	if got := MakeEmptyMessage("wtxidrelay"); got.Command() != CmdWTxIDRelay {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "wtxidrelay", got)
	}
}
