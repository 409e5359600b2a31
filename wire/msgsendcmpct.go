package wire

import "encoding/binary"

// MsgSendCmpct is the "sendcmpct" message (BIP152, from SendCmpctVersion):
// whether the peer wants new blocks pushed as compact blocks (high-bandwidth
// mode), and the compact block version it speaks (1, or 2 with witnesses).
type MsgSendCmpct struct {
	Announce bool   `json:"announce"`
	Version  uint64 `json:"version"`
}

// Command implements Message.
func (*MsgSendCmpct) Command() string { return CmdSendCmpct }

// MaxPayloadLength implements Message.
func (*MsgSendCmpct) MaxPayloadLength(uint32) uint32 { return 9 }

// Encode implements Message.
func (m *MsgSendCmpct) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	var a byte
	if m.Announce {
		a = 1
	}
	return binary.LittleEndian.AppendUint64(append(b, a), m.Version), nil
}

// Decode implements Message. As in Core, any non-zero announce byte is true.
func (m *MsgSendCmpct) Decode(p []byte, _ uint32, _ Encoding) error {
	r := reader{buf: p}
	m.Announce = r.u8("sendcmpct announce") != 0
	m.Version = r.u64("sendcmpct version")
	r.end(CmdSendCmpct)
	return r.err
}
