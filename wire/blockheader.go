package wire

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// BlockHeaderSize is the serialized size of a block header.
const BlockHeaderSize = 80

// BlockHeader is Bitcoin's 80-byte block header.
type BlockHeader struct {
	Version    int32
	PrevBlock  Hash
	MerkleRoot Hash
	Timestamp  uint32 // seconds since the Unix epoch
	Bits       uint32 // compact target
	Nonce      uint32
}

// Time returns the header timestamp as a time.Time.
func (h *BlockHeader) Time() time.Time { return time.Unix(int64(h.Timestamp), 0) }

// Put writes the 80-byte serialization of h into b, which must be at least
// BlockHeaderSize long.
func (h *BlockHeader) Put(b []byte) {
	_ = b[BlockHeaderSize-1]
	binary.LittleEndian.PutUint32(b[0:4], uint32(h.Version))
	copy(b[4:36], h.PrevBlock[:])
	copy(b[36:68], h.MerkleRoot[:])
	binary.LittleEndian.PutUint32(b[68:72], h.Timestamp)
	binary.LittleEndian.PutUint32(b[72:76], h.Bits)
	binary.LittleEndian.PutUint32(b[76:80], h.Nonce)
}

// Append appends the 80-byte serialization of h to b.
func (h *BlockHeader) Append(b []byte) []byte {
	var buf [BlockHeaderSize]byte
	h.Put(buf[:])
	return append(b, buf[:]...)
}

// Bytes returns the 80-byte serialization of h.
func (h *BlockHeader) Bytes() [BlockHeaderSize]byte {
	var buf [BlockHeaderSize]byte
	h.Put(buf[:])
	return buf
}

// DecodeBlockHeader decodes exactly one 80-byte header from the front of b.
func (h *BlockHeader) DecodeBlockHeader(b []byte) error {
	if len(b) < BlockHeaderSize {
		return fmt.Errorf("%w: block header needs %d bytes, %d left", ErrShortPayload, BlockHeaderSize, len(b))
	}
	h.Version = int32(binary.LittleEndian.Uint32(b[0:4]))
	copy(h.PrevBlock[:], b[4:36])
	copy(h.MerkleRoot[:], b[36:68])
	h.Timestamp = binary.LittleEndian.Uint32(b[68:72])
	h.Bits = binary.LittleEndian.Uint32(b[72:76])
	h.Nonce = binary.LittleEndian.Uint32(b[76:80])
	return nil
}

// BlockHash returns the double-SHA256 of the serialized header.
func (h *BlockHeader) BlockHash() Hash {
	buf := h.Bytes()
	return HeaderHash(&buf)
}

// HeaderHash returns the double-SHA256 of an 80-byte serialized header.
func HeaderHash(b *[BlockHeaderSize]byte) Hash {
	first := sha256.Sum256(b[:])
	return sha256.Sum256(first[:])
}

func (r *reader) blockHeader(h *BlockHeader) {
	b := r.next(BlockHeaderSize, "block header")
	if b != nil {
		_ = h.DecodeBlockHeader(b)
	}
}
