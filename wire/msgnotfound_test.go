package wire

import "testing"

func TestMsgNotFound(t *testing.T) { testInvMessage(t, CmdNotFound) }
