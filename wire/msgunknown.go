package wire

import (
	"encoding/hex"
	"encoding/json"
)

// MsgUnknown is a message whose command this package does not decode (for
// example sendtxrcncl, cmpctblock or filterload). ReadMessage returns it
// without error so a peer can ignore it, as Core and btcd do with commands
// they do not know. Its payload is capped only by MaxProtocolMessageLength.
type MsgUnknown struct {
	Cmd     string
	Payload []byte // aliases the payload read
}

// Command implements Message.
func (m *MsgUnknown) Command() string { return m.Cmd }

// MaxPayloadLength implements Message.
func (*MsgUnknown) MaxPayloadLength(uint32) uint32 { return MaxProtocolMessageLength }

// Encode implements Message: the payload, verbatim.
func (m *MsgUnknown) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return append(b, m.Payload...), nil
}

// Decode implements Message. It keeps p.
func (m *MsgUnknown) Decode(p []byte, _ uint32, _ Encoding) error {
	m.Payload = p
	return nil
}

// MarshalJSON prints the payload in hex.
func (m *MsgUnknown) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Command string `json:"command"`
		Payload string `json:"payload_hex"`
	}{m.Cmd, hex.EncodeToString(m.Payload)})
}
