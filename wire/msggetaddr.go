package wire

// MsgGetAddr is the "getaddr" message. It asks the peer for addresses it
// knows. Its payload is empty.
type MsgGetAddr struct{}

// Command implements Message.
func (*MsgGetAddr) Command() string { return CmdGetAddr }

// MaxPayloadLength implements Message.
func (*MsgGetAddr) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgGetAddr) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgGetAddr) Decode(p []byte, _ uint32, _ Encoding) error { return decodeEmpty(p, CmdGetAddr) }
