package tlsconn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Commands the transport reserves: protocols may list them in their command
// tables (so that the chain protocol keeps Bitcoin's numbering) but never
// receive them and cannot send them.
const (
	// CmdCaps carries the protocols a node runs; each side sends it right
	// after its verack.
	CmdCaps = "caps"
	// CmdDisconnect carries the reason a node closes the connection, sent
	// best effort before it closes.
	CmdDisconnect = "disconnect"
)

// reserved are the envelope commands the transport handles itself.
var reserved = []string{wire.CmdVersion, wire.CmdVerAck, wire.CmdPing, wire.CmdPong, CmdCaps, CmdDisconnect}

func isReserved(cmd string) bool { return slices.Contains(reserved, cmd) }

// Limits of the caps message. A node runs a handful of protocols; the caps
// are bounded so that the whole message fits in 4 KiB.
const (
	MaxCaps       = 32
	MaxCapNameLen = 32
	// maxCapsPayload: flags 4, count 1, then each cap: name length 1, name,
	// version 4.
	maxCapsPayload = 4 + 1 + MaxCaps*(1+MaxCapNameLen+4)
	// maxDisconnectPayload: the reason byte.
	maxDisconnectPayload = 1
)

// Caps flags.
const (
	// capsNoChecksum: the sender accepts envelopes whose checksum field is
	// zero and not verified. When both sides set it, neither computes nor
	// checks checksums after the handshake (see the package documentation).
	capsNoChecksum uint32 = 1 << 0
)

// ErrBadCaps: a caps message could not be decoded. It wraps ErrProtocol.
var ErrBadCaps = fmt.Errorf("%w: bad caps message", ErrProtocol)

// Cap is one protocol a node runs: its name and version. It is devp2p's
// type (and so p2p/server's), so that sessions need no conversion.
type Cap = devp2p.Cap

// capsMsg is the payload of the caps message:
//
//	flags   uint32, little-endian (bit 0: no checksums)
//	count   compact size, at most MaxCaps
//	count × name (compact size length 1..MaxCapNameLen, printable ASCII),
//	        version (uint32, little-endian)
//
// Caps are unique by name and version; their order carries no meaning.
type capsMsg struct {
	Flags uint32
	Caps  []Cap
}

func validCapName(s string) bool {
	if s == "" || len(s) > MaxCapNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// appendCaps encodes m after b.
func appendCaps(b []byte, m capsMsg) ([]byte, error) {
	if len(m.Caps) > MaxCaps {
		return b, fmt.Errorf("%w: %d caps, at most %d", ErrBadCaps, len(m.Caps), MaxCaps)
	}
	b = binary.LittleEndian.AppendUint32(b, m.Flags)
	b = wire.AppendVarInt(b, uint64(len(m.Caps)))
	for _, c := range m.Caps {
		if !validCapName(c.Name) {
			return b, fmt.Errorf("%w: cap name %q", ErrBadCaps, c.Name)
		}
		b = wire.AppendVarBytes(b, []byte(c.Name))
		if c.Version > math.MaxUint32 {
			return b, fmt.Errorf("%w: cap %v: version above 2^32-1", ErrBadCaps, c)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(c.Version))
	}
	return b, nil
}

// decodeCaps decodes a caps payload. Counts and lengths are checked before
// anything is allocated for them.
func decodeCaps(p []byte) (capsMsg, error) {
	var m capsMsg
	if len(p) > maxCapsPayload {
		return m, fmt.Errorf("%w: %d bytes, at most %d", ErrBadCaps, len(p), maxCapsPayload)
	}
	if len(p) < 4 {
		return m, fmt.Errorf("%w: short flags", ErrBadCaps)
	}
	m.Flags = binary.LittleEndian.Uint32(p)
	p = p[4:]
	n, k, err := wire.ReadVarInt(p)
	if err != nil {
		return m, fmt.Errorf("%w: count: %w", ErrBadCaps, err)
	}
	if n > MaxCaps {
		return m, fmt.Errorf("%w: %d caps, at most %d", ErrBadCaps, n, MaxCaps)
	}
	p = p[k:]
	m.Caps = make([]Cap, 0, n)
	for i := range int(n) {
		l, k, err := wire.ReadVarInt(p)
		if err != nil {
			return m, fmt.Errorf("%w: cap %d name length: %w", ErrBadCaps, i, err)
		}
		p = p[k:]
		if l == 0 || l > MaxCapNameLen {
			return m, fmt.Errorf("%w: cap %d name of %d bytes", ErrBadCaps, i, l)
		}
		if uint64(len(p)) < l+4 {
			return m, fmt.Errorf("%w: cap %d truncated", ErrBadCaps, i)
		}
		c := Cap{Name: string(p[:l]), Version: uint(binary.LittleEndian.Uint32(p[l:]))}
		p = p[l+4:]
		if !validCapName(c.Name) {
			return m, fmt.Errorf("%w: cap %d name %q", ErrBadCaps, i, c.Name)
		}
		if slices.Contains(m.Caps, c) {
			return m, fmt.Errorf("%w: cap %v twice", ErrBadCaps, c)
		}
		m.Caps = append(m.Caps, c)
	}
	if len(p) != 0 {
		return m, fmt.Errorf("%w: %d trailing bytes", ErrBadCaps, len(p))
	}
	return m, nil
}

// errBadDisconnect: a disconnect message is not exactly one byte.
var errBadDisconnect = errors.New("tlsconn: disconnect payload must be one byte")
