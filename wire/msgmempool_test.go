package wire

import "testing"

func TestMsgMemPool(t *testing.T) {
	testEmptyMessage(t, &MsgMemPool{})
	if got := MakeEmptyMessage("mempool"); got.Command() != CmdMemPool {
		t.Fatalf("MakeEmptyMessage(%q) = %T", "mempool", got)
	}
}
