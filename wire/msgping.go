package wire

import "encoding/binary"

// MsgPing is the "ping" message. From BIP31 (pver > BIP0031Version) it
// carries a nonce that the pong must echo; before that its payload is empty.
type MsgPing struct {
	Nonce uint64 `json:"nonce"`
}

// Command implements Message.
func (*MsgPing) Command() string { return CmdPing }

// MaxPayloadLength implements Message.
func (*MsgPing) MaxPayloadLength(pver uint32) uint32 {
	if pver > BIP0031Version {
		return 8
	}
	return 0
}

// Encode implements Message. Before BIP31 the nonce is not sent.
func (m *MsgPing) Encode(b []byte, pver uint32, _ Encoding) ([]byte, error) {
	if pver > BIP0031Version {
		b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	}
	return b, nil
}

// Decode implements Message.
func (m *MsgPing) Decode(p []byte, pver uint32, _ Encoding) error {
	r := reader{buf: p}
	m.Nonce = 0
	if pver > BIP0031Version {
		m.Nonce = r.u64("ping nonce")
	}
	r.end(CmdPing)
	return r.err
}
