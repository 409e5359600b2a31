package wire

// MsgSendHeaders is the "sendheaders" message. It asks the peer to announce
// new blocks with headers rather than inv (BIP130, from SendHeadersVersion).
// Its payload is empty.
type MsgSendHeaders struct{}

// Command implements Message.
func (*MsgSendHeaders) Command() string { return CmdSendHeaders }

// MaxPayloadLength implements Message.
func (*MsgSendHeaders) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgSendHeaders) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgSendHeaders) Decode(p []byte, _ uint32, _ Encoding) error {
	return decodeEmpty(p, CmdSendHeaders)
}
