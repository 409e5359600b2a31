package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxBlockHeadersPerMsg is the most headers in one headers message (Core's
// MAX_HEADERS_RESULTS, btcd's MaxBlockHeadersPerMsg).
const MaxBlockHeadersPerMsg = 2000

// headerEntrySize is a header followed by its (zero) transaction count.
const headerEntrySize = BlockHeaderSize + 1

// MsgHeaders is the "headers" message. On the wire each header is followed
// by a transaction count, which must be 0: btcd rejects any other value, and
// so does this package (Core reads and ignores it).
type MsgHeaders struct {
	Headers []BlockHeader `json:"headers"`
}

// Command implements Message.
func (*MsgHeaders) Command() string { return CmdHeaders }

// MaxPayloadLength implements Message.
func (*MsgHeaders) MaxPayloadLength(uint32) uint32 {
	return uint32(VarIntSize(MaxBlockHeadersPerMsg) + MaxBlockHeadersPerMsg*headerEntrySize)
}

// Encode implements Message.
func (m *MsgHeaders) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	if len(m.Headers) > MaxBlockHeadersPerMsg {
		return b, fmt.Errorf("%w: %d headers > %d", ErrTooMany, len(m.Headers), MaxBlockHeadersPerMsg)
	}
	b = AppendVarInt(b, uint64(len(m.Headers)))
	b = append(b, make([]byte, len(m.Headers)*headerEntrySize)...)
	out := b[len(b)-len(m.Headers)*headerEntrySize:]
	for i := range m.Headers {
		m.Headers[i].Put(out[i*headerEntrySize:])
		// out[i*headerEntrySize+80] is the zero tx count.
	}
	return b, nil
}

// Decode implements Message. It reuses the capacity of m.Headers, so a
// caller decoding many messages into one MsgHeaders allocates once.
func (m *MsgHeaders) Decode(p []byte, _ uint32, _ Encoding) error {
	r := reader{buf: p}
	n := r.count(MaxBlockHeadersPerMsg, headerEntrySize, "header count")
	if r.err != nil {
		m.Headers = m.Headers[:0]
		return r.err
	}
	hs := m.Headers[:0]
	if cap(hs) < n {
		hs = make([]BlockHeader, n)
	} else {
		hs = hs[:n]
	}
	m.Headers = hs
	// The count check above guarantees n*81 bytes; decode them directly.
	b := p[r.pos:]
	for i := range hs {
		e := b[:headerEntrySize:headerEntrySize]
		h := &hs[i]
		h.Version = int32(binary.LittleEndian.Uint32(e[0:4]))
		h.PrevBlock = Hash(e[4:36])
		h.MerkleRoot = Hash(e[36:68])
		h.Timestamp = binary.LittleEndian.Uint32(e[68:72])
		h.Bits = binary.LittleEndian.Uint32(e[72:76])
		h.Nonce = binary.LittleEndian.Uint32(e[76:80])
		if e[80] != 0 {
			m.Headers = hs[:i]
			return txCountError(b[80:], i)
		}
		b = b[headerEntrySize:]
	}
	if len(b) != 0 {
		m.Headers = hs[:0]
		return fmt.Errorf("%w: %d bytes after %s", ErrTrailingBytes, len(b), CmdHeaders)
	}
	return nil
}

// txCountError explains a header entry whose transaction count is not the
// single byte 0.
func txCountError(b []byte, i int) error {
	v, _, err := ReadVarInt(b)
	if err != nil {
		return fmt.Errorf("header %d transaction count: %w", i, err)
	}
	return fmt.Errorf("%w: header %d has transaction count %d, want 0", ErrMalformed, i, v)
}
