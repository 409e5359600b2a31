package wire

// MsgSendAddrV2 is the "sendaddrv2" message. Sent before verack, it asks the
// peer to gossip addresses with addrv2 (BIP155). Its payload is empty.
type MsgSendAddrV2 struct{}

// Command implements Message.
func (*MsgSendAddrV2) Command() string { return CmdSendAddrV2 }

// MaxPayloadLength implements Message.
func (*MsgSendAddrV2) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgSendAddrV2) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgSendAddrV2) Decode(p []byte, _ uint32, _ Encoding) error {
	return decodeEmpty(p, CmdSendAddrV2)
}
