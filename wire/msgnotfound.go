package wire

// MsgNotFound is the "notfound" message: it answers a getdata for objects the
// sender does not have. It holds at most MaxInvPerMsg entries.
type MsgNotFound struct {
	InvList []InvVect `json:"inventory"`
}

// Command implements Message.
func (*MsgNotFound) Command() string { return CmdNotFound }

// MaxPayloadLength implements Message.
func (*MsgNotFound) MaxPayloadLength(uint32) uint32 { return maxInvPayload() }

// Encode implements Message.
func (m *MsgNotFound) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return appendInvList(b, m.InvList)
}

// Decode implements Message. It reuses the capacity of m.InvList.
func (m *MsgNotFound) Decode(p []byte, _ uint32, _ Encoding) error {
	var err error
	m.InvList, err = decodeInvList(p, m.InvList, CmdNotFound)
	return err
}
