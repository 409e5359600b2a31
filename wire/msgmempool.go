package wire

// MsgMemPool is the "mempool" message. It asks for an inv of the peer's
// mempool (BIP35, from BIP0035Version). Its payload is empty.
type MsgMemPool struct{}

// Command implements Message.
func (*MsgMemPool) Command() string { return CmdMemPool }

// MaxPayloadLength implements Message.
func (*MsgMemPool) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgMemPool) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgMemPool) Decode(p []byte, _ uint32, _ Encoding) error { return decodeEmpty(p, CmdMemPool) }
