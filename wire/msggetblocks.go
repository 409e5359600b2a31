package wire

// MsgGetBlocks is the "getblocks" message: like getheaders, but the reply is
// an inv of up to 500 block hashes.
type MsgGetBlocks struct {
	ProtocolVersion    uint32 `json:"protocol_version"`
	BlockLocatorHashes []Hash `json:"locator_hashes"`
	HashStop           Hash   `json:"hash_stop"`
}

// Command implements Message.
func (*MsgGetBlocks) Command() string { return CmdGetBlocks }

// MaxPayloadLength implements Message.
func (*MsgGetBlocks) MaxPayloadLength(uint32) uint32 { return maxLocatorPayload }

// Encode implements Message.
func (m *MsgGetBlocks) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return appendLocator(b, m.ProtocolVersion, m.BlockLocatorHashes, &m.HashStop)
}

// Decode implements Message.
func (m *MsgGetBlocks) Decode(p []byte, _ uint32, _ Encoding) error {
	var err error
	m.ProtocolVersion, m.BlockLocatorHashes, m.HashStop, err = decodeLocator(p, CmdGetBlocks)
	return err
}
