package wire

import (
	"encoding/binary"
	"fmt"
)

// MaxBlockLocatorsPerMsg is the most locator hashes accepted in getheaders
// and getblocks. It is Bitcoin Core's MAX_LOCATOR_SZ (101), which Core
// enforces by disconnecting; btcd allows 500. A locator built with
// exponential steps back from the tip needs about 10+log2(height) entries,
// far below either.
const MaxBlockLocatorsPerMsg = 101

// maxLocatorPayload is version 4, count 1, hashes and the stop hash.
const maxLocatorPayload = 4 + 1 + MaxBlockLocatorsPerMsg*HashSize + HashSize

// MsgGetHeaders is the "getheaders" message: send up to 2,000 headers after
// the first locator hash found on the main chain, stopping at HashStop (zero
// for as many as allowed).
type MsgGetHeaders struct {
	ProtocolVersion    uint32 `json:"protocol_version"`
	BlockLocatorHashes []Hash `json:"locator_hashes"`
	HashStop           Hash   `json:"hash_stop"`
}

// Command implements Message.
func (*MsgGetHeaders) Command() string { return CmdGetHeaders }

// MaxPayloadLength implements Message.
func (*MsgGetHeaders) MaxPayloadLength(uint32) uint32 { return maxLocatorPayload }

// Encode implements Message.
func (m *MsgGetHeaders) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return appendLocator(b, m.ProtocolVersion, m.BlockLocatorHashes, &m.HashStop)
}

// Decode implements Message.
func (m *MsgGetHeaders) Decode(p []byte, _ uint32, _ Encoding) error {
	var err error
	m.ProtocolVersion, m.BlockLocatorHashes, m.HashStop, err = decodeLocator(p, CmdGetHeaders)
	return err
}

func appendLocator(b []byte, version uint32, hashes []Hash, stop *Hash) ([]byte, error) {
	if len(hashes) > MaxBlockLocatorsPerMsg {
		return b, fmt.Errorf("%w: %d locator hashes > %d", ErrTooMany, len(hashes), MaxBlockLocatorsPerMsg)
	}
	b = binary.LittleEndian.AppendUint32(b, version)
	b = AppendVarInt(b, uint64(len(hashes)))
	for i := range hashes {
		b = append(b, hashes[i][:]...)
	}
	return append(b, stop[:]...), nil
}

func decodeLocator(p []byte, cmd string) (version uint32, hashes []Hash, stop Hash, err error) {
	r := reader{buf: p}
	version = r.u32("locator version")
	n := r.count(MaxBlockLocatorsPerMsg, HashSize, "locator hash count")
	if r.err == nil {
		hashes = make([]Hash, n)
		for i := range hashes {
			hashes[i] = r.hash("locator hash")
		}
	}
	stop = r.hash("hash stop")
	r.end(cmd)
	return version, hashes, stop, r.err
}
