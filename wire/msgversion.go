package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxUserAgentLen is the longest user agent accepted in version (Bitcoin
// Core's MAX_SUBVERSION_LENGTH; btcd's MaxUserAgentLen).
const MaxUserAgentLen = 256

// maxVersionPayload is every field present with the longest user agent:
// version 4, services 8, timestamp 8, two addresses 2×26, nonce 8,
// user agent 3+256, start height 4, relay 1.
const maxVersionPayload = 4 + 8 + 8 + 2*netAddressSize + 8 + 3 + MaxUserAgentLen + 4 + 1

// MsgVersion is the "version" message, the first message each side sends.
//
// Decoding follows Bitcoin Core (ProcessMessage, VERSION): the version,
// services, timestamp and receiver address are required; the sender address
// with the nonce, the user agent, the start height and the relay flag are
// each read only if bytes remain, whatever the version field says, so
// messages from old clients (and relay-less ones before BIP37) decode. An
// absent relay flag means true, as in Core. Bytes after the relay flag are
// rejected like trailing bytes everywhere (btcd does the same; Core ignores
// them).
type MsgVersion struct {
	ProtocolVersion int32       `json:"protocol_version"`
	Services        ServiceFlag `json:"services"`
	Timestamp       int64       `json:"timestamp"` // Unix seconds
	// AddrRecv and AddrFrom carry no timestamp on the wire.
	AddrRecv    NetAddress `json:"addr_recv"`
	AddrFrom    NetAddress `json:"addr_from"`
	Nonce       uint64     `json:"nonce"`
	UserAgent   string     `json:"user_agent"`
	StartHeight int32      `json:"start_height"`
	Relay       bool       `json:"relay"`
}

// Command implements Message.
func (*MsgVersion) Command() string { return CmdVersion }

// MaxPayloadLength implements Message.
func (*MsgVersion) MaxPayloadLength(uint32) uint32 { return maxVersionPayload }

// Encode implements Message. Every field is written; the relay flag only when
// pver >= BIP0037Version (BIP37), as btcd does.
func (m *MsgVersion) Encode(b []byte, pver uint32, _ Encoding) ([]byte, error) {
	if len(m.UserAgent) > MaxUserAgentLen {
		return b, fmt.Errorf("%w: user agent %d > %d bytes", ErrTooLong, len(m.UserAgent), MaxUserAgentLen)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(m.ProtocolVersion))
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Services))
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Timestamp))
	b = m.AddrRecv.append(b, false)
	b = m.AddrFrom.append(b, false)
	b = binary.LittleEndian.AppendUint64(b, m.Nonce)
	b = AppendVarInt(b, uint64(len(m.UserAgent)))
	b = append(b, m.UserAgent...)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.StartHeight))
	if pver >= BIP0037Version {
		if m.Relay {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return b, nil
}

// Decode implements Message. pver is not used: the optional fields are
// present when bytes remain.
func (m *MsgVersion) Decode(p []byte, _ uint32, _ Encoding) error {
	*m = MsgVersion{Relay: true}
	r := reader{buf: p}
	m.ProtocolVersion = int32(r.u32("version"))
	m.Services = ServiceFlag(r.u64("services"))
	m.Timestamp = int64(r.u64("timestamp"))
	r.netAddress(&m.AddrRecv, false)
	if r.err == nil && r.remaining() > 0 {
		r.netAddress(&m.AddrFrom, false)
		m.Nonce = r.u64("nonce")
	}
	if r.err == nil && r.remaining() > 0 {
		m.UserAgent = string(r.varBytes(MaxUserAgentLen, "user agent"))
	}
	if r.err == nil && r.remaining() > 0 {
		m.StartHeight = int32(r.u32("start height"))
	}
	if r.err == nil && r.remaining() > 0 {
		m.Relay = r.u8("relay") != 0
	}
	r.end(CmdVersion)
	return r.err
}
