package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Decoding errors shared by every message.
var (
	// ErrShortPayload means the payload ended before a field was complete.
	ErrShortPayload = errors.New("wire: payload too short")
	// ErrNonCanonicalVarInt means a compact size used more bytes than needed;
	// Bitcoin Core rejects those ("non-canonical ReadCompactSize()").
	ErrNonCanonicalVarInt = errors.New("wire: non-canonical compact size")
	// ErrTooMany means a count exceeds the limit for its field.
	ErrTooMany = errors.New("wire: count exceeds limit")
	// ErrTooLong means a byte string exceeds the limit for its field.
	ErrTooLong = errors.New("wire: length exceeds limit")
	// ErrTrailingBytes means bytes were left after a complete payload.
	ErrTrailingBytes = errors.New("wire: trailing bytes after payload")
	// ErrMalformed covers a field whose value is not allowed by the protocol.
	ErrMalformed = errors.New("wire: malformed message")
)

// reader decodes little-endian fields from a byte slice. The first error
// sticks: later reads return zero values, so decoders can check once.
type reader struct {
	buf []byte
	pos int
	err error
}

func (r *reader) remaining() int { return len(r.buf) - r.pos }

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// next returns the next n bytes, aliasing the buffer.
func (r *reader) next(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.fail(fmt.Errorf("%w: %s needs %d bytes, %d left", ErrShortPayload, what, n, r.remaining()))
		return nil
	}
	b := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) u8(what string) uint8 {
	b := r.next(1, what)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16(what string) uint16 {
	b := r.next(2, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *reader) u16be(what string) uint16 {
	b := r.next(2, what)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

func (r *reader) u32(what string) uint32 {
	b := r.next(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64(what string) uint64 {
	b := r.next(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (r *reader) hash(what string) (h Hash) {
	b := r.next(HashSize, what)
	if b != nil {
		copy(h[:], b)
	}
	return h
}

// varint reads a canonical compact size.
func (r *reader) varint(what string) uint64 {
	d := r.u8(what)
	if r.err != nil {
		return 0
	}
	var v, min uint64
	switch d {
	case 0xfd:
		v, min = uint64(r.u16(what)), 0xfd
	case 0xfe:
		v, min = uint64(r.u32(what)), 0x10000
	case 0xff:
		v, min = r.u64(what), 0x100000000
	default:
		return uint64(d)
	}
	if r.err == nil && v < min {
		r.fail(fmt.Errorf("%w: %s", ErrNonCanonicalVarInt, what))
		return 0
	}
	return v
}

// count reads a compact-size element count and checks it, before anything is
// allocated, against max and against the bytes left: each element takes at
// least minSize bytes, so a claimed count the payload cannot hold is refused
// without building a slice for it.
func (r *reader) count(max uint64, minSize int, what string) int {
	n := r.varint(what)
	if r.err != nil {
		return 0
	}
	if n > max {
		r.fail(fmt.Errorf("%w: %s %d > %d", ErrTooMany, what, n, max))
		return 0
	}
	if minSize > 0 && n > uint64(r.remaining()/minSize) {
		r.fail(fmt.Errorf("%w: %s %d elements cannot fit in %d bytes", ErrShortPayload, what, n, r.remaining()))
		return 0
	}
	return int(n)
}

// varBytes reads a compact-size length and that many bytes (aliased).
func (r *reader) varBytes(max uint64, what string) []byte {
	n := r.varint(what)
	if r.err != nil {
		return nil
	}
	if n > max {
		r.fail(fmt.Errorf("%w: %s %d > %d", ErrTooLong, what, n, max))
		return nil
	}
	if n > uint64(r.remaining()) {
		r.fail(fmt.Errorf("%w: %s needs %d bytes, %d left", ErrShortPayload, what, n, r.remaining()))
		return nil
	}
	return r.next(int(n), what)
}

// end fails if any byte is left over.
func (r *reader) end(what string) {
	if r.err == nil && r.remaining() != 0 {
		r.fail(fmt.Errorf("%w: %d bytes after %s", ErrTrailingBytes, r.remaining(), what))
	}
}

// AppendVarInt appends v as a canonical compact size.
func AppendVarInt(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
	}
}

// VarIntSize returns the encoded size of v as a compact size.
func VarIntSize(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// AppendVarBytes appends a compact-size length followed by p.
func AppendVarBytes(b, p []byte) []byte {
	return append(AppendVarInt(b, uint64(len(p))), p...)
}

// ReadVarInt decodes one canonical compact size from the front of b and
// returns it with the number of bytes it used.
func ReadVarInt(b []byte) (uint64, int, error) {
	r := reader{buf: b}
	v := r.varint("compact size")
	return v, r.pos, r.err
}
