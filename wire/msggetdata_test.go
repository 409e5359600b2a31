package wire

import "testing"

func TestMsgGetData(t *testing.T) { testInvMessage(t, CmdGetData) }
