package wire

// MsgWTxIDRelay is the "wtxidrelay" message. Sent before verack, it asks the
// peer to announce transactions by wtxid (BIP339, from WTxIDRelayVersion). Its
// payload is empty.
type MsgWTxIDRelay struct{}

// Command implements Message.
func (*MsgWTxIDRelay) Command() string { return CmdWTxIDRelay }

// MaxPayloadLength implements Message.
func (*MsgWTxIDRelay) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgWTxIDRelay) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgWTxIDRelay) Decode(p []byte, _ uint32, _ Encoding) error {
	return decodeEmpty(p, CmdWTxIDRelay)
}
