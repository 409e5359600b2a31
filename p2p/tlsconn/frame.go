package tlsconn

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Framing of the Bitcoin envelope over the TLS stream. The reader and the
// writer are separate so that one goroutine can read while others write.

// maxRecordPlaintext is TLS's largest record payload. A message is written
// so that its header shares the first record with the start of its payload:
// as many records as one contiguous write of the same bytes.
const maxRecordPlaintext = 16 << 10

// readBufferSize is the bufio buffer in front of the TLS stream: headers
// and small payloads come out of it; large payloads are read straight into
// their own buffer.
const readBufferSize = 4096

// payloadChunk is how much of a payload is allocated before its bytes have
// arrived; beyond it the buffer doubles as data comes in, so a peer that
// claims 4 MB and sends nothing costs 64 KiB.
const payloadChunk = 64 << 10

// The payload buffers kept when protocols release them (the status and
// topic protocols do): of the sizes where a fresh allocation costs more than
// its bytes (small ones come cheaply from the allocator's size classes), at
// most 32 per power-of-two class, so never more than ~16 MiB, and none so
// large that a rare big message would keep much memory.
const (
	releasedPerClass = 32
	releasedMinSize  = 8 << 10
	releasedMaxSize  = 256 << 10
)

// payloadBuffers is shared by every Conn of the process: a buffer one
// connection's protocol releases serves the next large message of any.
var payloadBuffers = p2p.NewBufferPool(releasedPerClass, releasedMinSize, releasedMaxSize)

// frameReader reads envelopes. It is used by one goroutine at a time: the
// handshake, then the Conn's reader.
type frameReader struct {
	r       *bufio.Reader
	net     wire.BitcoinNet
	maxSize uint32
	hdr     [wire.MessageHeaderSize]byte
	skip    []byte
}

// header is a checked envelope header.
type header struct {
	cmd    string
	length uint32
	sum    [4]byte
}

// readHeader reads and checks a header: the length cap first (a peer can
// claim any length), then the magic, then the command's form. Every error
// loses the stream, except a malformed command, whose payload is consumed.
func (f *frameReader) readHeader() (header, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return header{}, err
	}
	h := f.hdr[:]
	length := binary.LittleEndian.Uint32(h[16:20])
	if length > f.maxSize {
		return header{}, fmt.Errorf("%w: %w", p2p.ErrMsgTooLarge, &wire.MessageError{
			Command: printableCommand(h[4:16]),
			Err:     fmt.Errorf("%w: %d > %d bytes", wire.ErrMessageTooLong, length, f.maxSize),
		})
	}
	if got := wire.BitcoinNet(binary.LittleEndian.Uint32(h[0:4])); got != f.net {
		return header{}, &wire.MessageError{
			Err: fmt.Errorf("%w: got %s, want %s", wire.ErrWrongNetwork, got.Hex(), f.net.Hex()),
		}
	}
	mh, err := wire.ParseMessageHeader(h)
	if err != nil {
		return header{}, err
	}
	return header{cmd: mh.Command, length: length, sum: mh.Checksum}, nil
}

// readPayload reads a payload of n bytes, growing its buffer only as bytes
// arrive, and verifies its checksum unless check is false.
func (f *frameReader) readPayload(h header, check bool) ([]byte, error) {
	return f.readPayloadInto(nil, int(h.length), h, check)
}

// readPayloadInto is readPayload into dst when dst is not nil: a buffer of
// exactly the payload's length that a protocol handed back
// (p2p.BufferPool). Otherwise the new buffer ends with capacity size (at
// least the payload's length), so that it fits a pool's class.
func (f *frameReader) readPayloadInto(dst []byte, size int, h header, check bool) ([]byte, error) {
	n := int(h.length)
	size = max(size, n)
	var b []byte
	if len(dst) == n {
		b = dst[:0:n] // the capacity bounds the reads below to this payload
	} else {
		b = make([]byte, 0, min(size, payloadChunk))
	}
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*cap(b), size))
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(f.r, b[len(b):min(cap(b), n)])
		b = b[:len(b)+m]
		if err != nil {
			return nil, fmt.Errorf("tlsconn: reading %q payload: %w", h.cmd, noEOF(err))
		}
	}
	if check {
		if sum := wire.Checksum(b); sum != h.sum {
			return nil, &wire.MessageError{Command: h.cmd,
				Err: fmt.Errorf("%w: header %x, payload %x", wire.ErrBadChecksum, h.sum, sum)}
		}
	}
	return b, nil
}

// discard consumes a payload through a fixed scratch buffer, checking its
// checksum unless check is false.
func (f *frameReader) discard(h header, check bool) error {
	if f.skip == nil {
		f.skip = make([]byte, 16<<10)
	}
	sum := sha256.New()
	for n := h.length; n > 0; {
		k := min(int(n), len(f.skip))
		if _, err := io.ReadFull(f.r, f.skip[:k]); err != nil {
			return fmt.Errorf("tlsconn: skipping %q payload: %w", h.cmd, noEOF(err))
		}
		if check {
			sum.Write(f.skip[:k])
		}
		n -= uint32(k)
	}
	if check {
		if got := sha256.Sum256(sum.Sum(nil)); [4]byte(got[:4]) != h.sum {
			return &wire.MessageError{Command: h.cmd,
				Err: fmt.Errorf("%w: header %x, payload %x", wire.ErrBadChecksum, h.sum, got[:4])}
		}
	}
	return nil
}

// noEOF turns EOF inside a message into ErrUnexpectedEOF: only EOF before a
// header is a clean end of stream.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// printableCommand returns the command for an error message, or "" when it
// is malformed.
func printableCommand(b []byte) string {
	n := len(b)
	for i, c := range b {
		if c == 0 {
			n = i
			break
		}
		if c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return string(b[:n])
}

// appendFrame appends an envelope to dst: header, then payload. With check
// false the checksum field is zero.
func appendFrame(dst []byte, net wire.BitcoinNet, cmd string, payload []byte, check bool) []byte {
	var h [wire.MessageHeaderSize]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(net))
	copy(h[4:16], cmd)
	binary.LittleEndian.PutUint32(h[16:20], uint32(len(payload)))
	if check {
		sum := wire.Checksum(payload)
		copy(h[20:24], sum[:])
	}
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// writeFrame writes one envelope to w. The header and as much of the
// payload as fits in one TLS record are copied into buf and written
// together; the rest of the payload is written from where it is. It returns
// buf, grown if needed (never beyond maxRecordPlaintext), for the next call.
func writeFrame(w io.Writer, buf []byte, net wire.BitcoinNet, cmd string, payload []byte, check bool) ([]byte, error) {
	first := min(len(payload), maxRecordPlaintext-wire.MessageHeaderSize)
	b := appendFrame(buf[:0], net, cmd, payload[:first], false)
	binary.LittleEndian.PutUint32(b[16:20], uint32(len(payload)))
	if check {
		sum := wire.Checksum(payload)
		copy(b[20:24], sum[:])
	}
	if _, err := w.Write(b); err != nil {
		return b, err
	}
	if first < len(payload) {
		if _, err := w.Write(payload[first:]); err != nil {
			return b, err
		}
	}
	return b, nil
}
