package wire

import "testing"

func TestMsgSendAddrV2(t *testing.T) {
	testEmptyMessage(t, &MsgSendAddrV2{})
	if got := MakeEmptyMessage("sendaddrv2"); got.Command() != CmdSendAddrV2 {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "sendaddrv2", got)
	}
}
