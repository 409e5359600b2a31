package wire

// MsgInv is the "inv" message: it announces transactions and blocks the sender
// has. It holds at most MaxInvPerMsg entries.
type MsgInv struct {
	InvList []InvVect `json:"inventory"`
}

// Command implements Message.
func (*MsgInv) Command() string { return CmdInv }

// MaxPayloadLength implements Message.
func (*MsgInv) MaxPayloadLength(uint32) uint32 { return maxInvPayload() }

// Encode implements Message.
func (m *MsgInv) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return appendInvList(b, m.InvList)
}

// Decode implements Message. It reuses the capacity of m.InvList.
func (m *MsgInv) Decode(p []byte, _ uint32, _ Encoding) error {
	var err error
	m.InvList, err = decodeInvList(p, m.InvList, CmdInv)
	return err
}
