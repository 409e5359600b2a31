package wire

import "testing"

func TestMsgSendHeaders(t *testing.T) {
	testEmptyMessage(t, &MsgSendHeaders{})
	if got := MakeEmptyMessage("sendheaders"); got.Command() != CmdSendHeaders {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "sendheaders", got)
	}
}
