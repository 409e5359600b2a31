package wire

import "testing"

func TestMsgGetBlocks(t *testing.T) { testLocator(t, CmdGetBlocks) }
