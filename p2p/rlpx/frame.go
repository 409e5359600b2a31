package rlpx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/klauspost/compress/snappy"
)

// The frame codec. Each direction has its own AES-256-CTR stream (key
// aes-secret, zero IV) and its own MAC state (a running Keccak-256 sponge plus
// AES-256 with key mac-secret). A frame is
//
//	header-ciphertext(16) || header-mac(16) || frame-ciphertext || frame-mac(16)
//
// where the header is the 3-byte big-endian frame size, the header data
// RLP [0, 0] (c2 80 80) and zero padding, and the frame is RLP(msg-code) ||
// payload zero-padded to a multiple of 16 bytes.

const (
	headerLen     = 16
	macLen        = 16
	maxUint24     = 1<<24 - 1
	frameOverhead = headerLen + 2*macLen // besides the padded frame body
)

// zeroHeader is the header data every implementation sends: RLP [0, 0]
// (capability-id and context-id, both unused). Receivers ignore it.
var zeroHeader = [3]byte{0xc2, 0x80, 0x80}

// secrets are what the handshake produces for the frame codec.
type secrets struct {
	aes, mac   [32]byte
	egressMAC  keccakState // initialised with (mac ^ remote nonce) || sent handshake packet
	ingressMAC keccakState // initialised with (mac ^ local nonce) || received handshake packet
}

// frameMAC is one direction's MAC state.
type frameMAC struct {
	block cipher.Block // AES-256 with mac-secret
	hash  keccakState
	aes   [16]byte
	sum   [32]byte
}

func newFrameMAC(macSecret []byte, hash keccakState) frameMAC {
	block, err := aes.NewCipher(macSecret)
	if err != nil {
		// Unreachable: mac-secret is always 32 bytes.
		panic(err)
	}
	return frameMAC{block: block, hash: hash}
}

// compute folds seed into the state: keccak.update(aes(mac-secret,
// keccak.digest[:16]) ^ seed), and returns keccak.digest[:16]. The digest
// must already be in m.sum.
func (m *frameMAC) compute(seed []byte) []byte {
	m.block.Encrypt(m.aes[:], m.sum[:16])
	subtle.XORBytes(m.aes[:], m.aes[:], seed[:16])
	m.hash.write(m.aes[:])
	m.hash.sum(&m.sum)
	return m.sum[:macLen]
}

// header returns the MAC of an encrypted frame header.
func (m *frameMAC) header(headerCiphertext []byte) []byte {
	m.hash.sum(&m.sum)
	return m.compute(headerCiphertext)
}

// frame returns the MAC of an encrypted (padded) frame body.
func (m *frameMAC) frame(frameCiphertext []byte) []byte {
	m.hash.write(frameCiphertext)
	m.hash.sum(&m.sum)
	var seed [16]byte
	copy(seed[:], m.sum[:16])
	return m.compute(seed[:])
}

func newStream(aesSecret []byte) cipher.Stream {
	block, err := aes.NewCipher(aesSecret)
	if err != nil {
		panic(err) // unreachable: aes-secret is always 32 bytes
	}
	// The IV is zero in both directions and both directions use the same key;
	// the spec lists this as a known weakness, and every implementation does it.
	return cipher.NewCTR(block, make([]byte, aes.BlockSize))
}

// padLen returns n rounded up to a multiple of 16.
func padLen(n int) int { return (n + 15) &^ 15 }

// frameWriter encrypts and authenticates outgoing frames. Not safe for
// concurrent use.
type frameWriter struct {
	enc    cipher.Stream
	mac    frameMAC
	snappy bool
	buf    []byte // whole frame, reused
	zbuf   []byte // snappy output, reused
	broken error
}

func newFrameWriter(s *secrets) *frameWriter {
	return &frameWriter{enc: newStream(s.aes[:]), mac: newFrameMAC(s.mac[:], s.egressMAC)}
}

// appendCode appends the RLP encoding of a message code.
func appendCode(b []byte, code uint64) []byte {
	switch {
	case code == 0:
		return append(b, 0x80)
	case code < 0x80:
		return append(b, byte(code))
	}
	n := 0
	for v := code; v > 0; v >>= 8 {
		n++
	}
	b = append(b, 0x80+byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(code>>(8*i)))
	}
	return b
}

// encode builds the frame for (code, data) in w.buf and returns the payload
// size as it goes on the wire (after compression).
func (w *frameWriter) encode(code uint64, data []byte) (int, error) {
	if len(data) > maxUint24 {
		return 0, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(data))
	}
	if w.snappy {
		if n := snappy.MaxEncodedLen(len(data)); cap(w.zbuf) < n {
			w.zbuf = make([]byte, n)
		}
		data = snappy.Encode(w.zbuf[:cap(w.zbuf)], data)
	}
	var codeBuf [9]byte
	codeRLP := appendCode(codeBuf[:0], code)
	fsize := len(codeRLP) + len(data)
	if fsize > maxUint24 {
		return 0, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, fsize)
	}
	rsize := padLen(fsize)
	total := frameOverhead + rsize
	if cap(w.buf) < total {
		w.buf = make([]byte, total)
	}
	buf := w.buf[:total]

	// Header: size, header data, zero padding; encrypted, then its MAC.
	head := buf[:headerLen]
	head[0], head[1], head[2] = byte(fsize>>16), byte(fsize>>8), byte(fsize)
	copy(head[3:], zeroHeader[:])
	clear(head[3+len(zeroHeader):])
	w.enc.XORKeyStream(head, head)
	copy(buf[headerLen:], w.mac.header(head))

	// Body: encrypted straight from data (no plaintext copy), then the padding.
	body := buf[headerLen+macLen : headerLen+macLen+rsize]
	n := copy(body, codeRLP)
	w.enc.XORKeyStream(body[:n], body[:n])
	w.enc.XORKeyStream(body[n:n+len(data)], data)
	pad := body[fsize:]
	clear(pad)
	w.enc.XORKeyStream(pad, pad)
	copy(buf[headerLen+macLen+rsize:], w.mac.frame(body))
	w.buf = buf
	return len(data), nil
}

// frameReader checks and decrypts incoming frames. Not safe for concurrent
// use.
type frameReader struct {
	dec     cipher.Stream
	mac     frameMAC
	snappy  bool
	maxSize int // largest accepted frame content, and decoded snappy payload
	head    [headerLen + macLen]byte
	buf     []byte // frame body + MAC, reused
	zbuf    []byte // snappy output, reused
	broken  error
}

func newFrameReader(s *secrets, maxSize int) *frameReader {
	return &frameReader{dec: newStream(s.aes[:]), mac: newFrameMAC(s.mac[:], s.ingressMAC), maxSize: maxSize}
}

// read reads one frame from r. The returned data is valid until the next call.
// wireSize is the payload size on the wire (before snappy decoding).
//
// Every error leaves the reader unusable: the cipher and MAC streams are out
// of step with the peer's (except a header read that failed before its first
// byte, e.g. an idle timeout).
func (fr *frameReader) read(r io.Reader) (code uint64, data []byte, wireSize int, err error) {
	if fr.broken != nil {
		return 0, nil, 0, fr.broken
	}
	code, data, wireSize, err = fr.readFrame(r)
	if idle, ok := err.(idleError); ok {
		return 0, nil, 0, idle.err
	}
	if err != nil {
		fr.broken = fmt.Errorf("%w: %w", ErrConnBroken, err)
	}
	return code, data, wireSize, err
}

// idleError is a read error that happened before any byte of a frame arrived.
type idleError struct{ err error }

func (e idleError) Error() string { return e.err.Error() }

func (fr *frameReader) readFrame(r io.Reader) (uint64, []byte, int, error) {
	if n, err := io.ReadFull(r, fr.head[:]); err != nil {
		if n == 0 {
			return 0, nil, 0, idleError{err}
		}
		return 0, nil, 0, fmt.Errorf("rlpx: reading frame header: %w", err)
	}
	// The size is only trusted once the header MAC checks out.
	head := fr.head[:headerLen]
	if subtle.ConstantTimeCompare(fr.mac.header(head), fr.head[headerLen:]) != 1 {
		return 0, nil, 0, fmt.Errorf("%w: header", ErrBadMAC)
	}
	fr.dec.XORKeyStream(head, head)
	fsize := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
	if fsize == 0 {
		return 0, nil, 0, fmt.Errorf("%w: empty frame", ErrBadFrame)
	}
	// Capped before allocating: an authenticated peer can still claim 16 MiB.
	if fsize > fr.maxSize {
		return 0, nil, 0, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, fsize, fr.maxSize)
	}
	rsize := padLen(fsize)
	if cap(fr.buf) < rsize+macLen {
		fr.buf = make([]byte, rsize+macLen)
	}
	buf := fr.buf[:rsize+macLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, 0, fmt.Errorf("rlpx: reading frame body: %w", noEOF(err))
	}
	body := buf[:rsize]
	if subtle.ConstantTimeCompare(fr.mac.frame(body), buf[rsize:]) != 1 {
		return 0, nil, 0, fmt.Errorf("%w: frame", ErrBadMAC)
	}
	fr.dec.XORKeyStream(body, body)
	code, data, err := splitCode(body[:fsize])
	if err != nil {
		return 0, nil, 0, err
	}
	wireSize := len(data)
	if fr.snappy {
		n, err := snappy.DecodedLen(data)
		if err != nil {
			return 0, nil, 0, fmt.Errorf("%w: snappy: %w", ErrBadFrame, err)
		}
		// Checked before decoding: the claimed length is free to forge.
		if n > fr.maxSize || n > maxUint24 {
			return 0, nil, 0, fmt.Errorf("%w: snappy payload claims %d bytes, limit %d", ErrMessageTooLarge, n, min(fr.maxSize, maxUint24))
		}
		if cap(fr.zbuf) < n {
			fr.zbuf = make([]byte, n)
		}
		// DecodeStrict is the standard snappy block format as go-ethereum's
		// golang/snappy reads it (no s2 extensions).
		data, err = snappy.DecodeStrict(fr.zbuf[:cap(fr.zbuf)], data)
		if err != nil {
			return 0, nil, 0, fmt.Errorf("%w: snappy: %w", ErrBadFrame, err)
		}
	}
	return code, data, wireSize, nil
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: once part of a frame has been
// read, a clean end of stream is a truncation.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// splitCode splits frame content into the RLP-encoded message code and the
// payload. Like go-ethereum it insists on the canonical encoding of the code.
func splitCode(b []byte) (uint64, []byte, error) {
	switch p := b[0]; {
	case p == 0x00:
		return 0, nil, fmt.Errorf("%w: non-canonical message code 0x00", ErrBadFrame)
	case p < 0x80:
		return uint64(p), b[1:], nil
	case p == 0x80:
		return 0, b[1:], nil
	case p <= 0x88:
		n := int(p - 0x80)
		if len(b) < 1+n {
			return 0, nil, fmt.Errorf("%w: truncated message code", ErrBadFrame)
		}
		if b[1] == 0 || (n == 1 && b[1] < 0x80) {
			return 0, nil, fmt.Errorf("%w: non-canonical message code", ErrBadFrame)
		}
		var code uint64
		for _, c := range b[1 : 1+n] {
			code = code<<8 | uint64(c)
		}
		return code, b[1+n:], nil
	default:
		return 0, nil, fmt.Errorf("%w: message code prefix 0x%02x is not a uint64", ErrBadFrame, p)
	}
}
