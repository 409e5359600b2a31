package wire

import "encoding/binary"

// MsgPong is the "pong" message: the reply to a ping, echoing its nonce.
// It exists only after BIP31 (pver > BIP0031Version), so its payload is
// always the 8-byte nonce; whether a peer of an older version may send it is
// the peer logic's concern, not the codec's.
type MsgPong struct {
	Nonce uint64 `json:"nonce"`
}

// Command implements Message.
func (*MsgPong) Command() string { return CmdPong }

// MaxPayloadLength implements Message.
func (*MsgPong) MaxPayloadLength(uint32) uint32 { return 8 }

// Encode implements Message.
func (m *MsgPong) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(b, m.Nonce), nil
}

// Decode implements Message.
func (m *MsgPong) Decode(p []byte, _ uint32, _ Encoding) error {
	r := reader{buf: p}
	m.Nonce = r.u64("pong nonce")
	r.end(CmdPong)
	return r.err
}
