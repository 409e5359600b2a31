package wire

// MsgGetData is the "getdata" message: it requests the objects its entries
// name. It holds at most MaxInvPerMsg entries.
type MsgGetData struct {
	InvList []InvVect `json:"inventory"`
}

// Command implements Message.
func (*MsgGetData) Command() string { return CmdGetData }

// MaxPayloadLength implements Message.
func (*MsgGetData) MaxPayloadLength(uint32) uint32 { return maxInvPayload() }

// Encode implements Message.
func (m *MsgGetData) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return appendInvList(b, m.InvList)
}

// Decode implements Message. It reuses the capacity of m.InvList.
func (m *MsgGetData) Decode(p []byte, _ uint32, _ Encoding) error {
	var err error
	m.InvList, err = decodeInvList(p, m.InvList, CmdGetData)
	return err
}
