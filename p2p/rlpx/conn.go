package rlpx

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

const (
	// DefaultHandshakeTimeout bounds the whole encryption handshake, as in
	// go-ethereum.
	DefaultHandshakeTimeout = 5 * time.Second

	// MaxFrameSize is the largest frame the 3-byte size field can express.
	MaxFrameSize = maxUint24

	// readBufferSize is the read-ahead buffer: small frames arriving back to
	// back are read with one system call.
	readBufferSize = 16 << 10
)

// Config tunes a Conn. The zero value means the defaults.
type Config struct {
	// HandshakeTimeout bounds Handshake. Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration

	// MaxMessageSize caps, before anything is allocated, the size of an
	// incoming frame's content (message code and payload as sent) and, with
	// snappy, the decoded payload size. Zero or anything above MaxFrameSize
	// means MaxFrameSize.
	MaxMessageSize int

	// Rand is the source of keys, nonces and IVs. Nil means crypto/rand.
	Rand io.Reader
}

// Conn is an RLPx connection: the encryption handshake, then framed,
// encrypted and authenticated messages.
//
// After Handshake, one goroutine may call ReadMsg while another calls
// WriteMsg: each direction has its own cipher and MAC state. WriteMsg is not
// safe for concurrent use by several writers, and ReadMsg not by several
// readers; the p2p layer owns one writer and one reader.
type Conn struct {
	fd     net.Conn
	remote *secp256k1.PublicKey
	cfg    Config
	snappy atomic.Bool

	// Set by Handshake, then owned by the reader and the writer respectively.
	br *bufio.Reader
	rd *frameReader
	wr *frameWriter
}

// NewConn wraps fd. remote is the recipient's static public key when this
// side dials (initiates), and nil for an inbound connection.
func NewConn(fd net.Conn, remote *secp256k1.PublicKey) *Conn {
	return NewConnWithConfig(fd, remote, nil)
}

// NewConnWithConfig is NewConn with settings; cfg may be nil.
func NewConnWithConfig(fd net.Conn, remote *secp256k1.PublicKey, cfg *Config) *Conn {
	c := &Conn{fd: fd, remote: remote}
	if cfg != nil {
		c.cfg = *cfg
	}
	if c.cfg.HandshakeTimeout <= 0 {
		c.cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.cfg.MaxMessageSize <= 0 || c.cfg.MaxMessageSize > MaxFrameSize {
		c.cfg.MaxMessageSize = MaxFrameSize
	}
	if c.cfg.Rand == nil {
		c.cfg.Rand = rand.Reader
	}
	return c
}

// Handshake runs the encryption handshake with the static private key prv
// and returns the peer's static public key. It sets a deadline of
// Config.HandshakeTimeout on the connection and clears it when done. It must
// finish before ReadMsg or WriteMsg are called. On error the caller should
// close the connection.
func (c *Conn) Handshake(prv *secp256k1.PrivateKey) (*secp256k1.PublicKey, error) {
	if err := c.fd.SetDeadline(time.Now().Add(c.cfg.HandshakeTimeout)); err != nil {
		return nil, fmt.Errorf("rlpx: handshake deadline: %w", err)
	}
	var (
		s   *secrets
		err error
	)
	if c.remote != nil {
		s, err = c.initiatorHandshake(prv)
	} else {
		s, err = c.recipientHandshake(prv)
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("%w: %w", ErrHandshakeTimeout, err)
		}
		return nil, err
	}
	if err := c.fd.SetDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("rlpx: clearing handshake deadline: %w", err)
	}
	c.br = bufio.NewReaderSize(c.fd, readBufferSize)
	c.rd = newFrameReader(s, c.cfg.MaxMessageSize)
	c.wr = newFrameWriter(s)
	return c.remote, nil
}

func (c *Conn) initiatorHandshake(prv *secp256k1.PrivateKey) (*secrets, error) {
	h := &handshakeState{initiator: true, remote: c.remote}
	auth, err := h.makeAuth(c.cfg.Rand, prv)
	if err != nil {
		return nil, err
	}
	if _, err := c.fd.Write(auth); err != nil {
		return nil, fmt.Errorf("rlpx: writing auth: %w", err)
	}
	ack, err := readPacket(c.fd)
	if err != nil {
		return nil, fmt.Errorf("%w: reading: %w", ErrBadAck, err)
	}
	msg, err := readAck(prv, ack)
	if err != nil {
		return nil, err
	}
	if err := h.handleAck(msg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAck, err)
	}
	return h.secrets(auth, ack), nil
}

func (c *Conn) recipientHandshake(prv *secp256k1.PrivateKey) (*secrets, error) {
	h := new(handshakeState)
	auth, err := readPacket(c.fd)
	if err != nil {
		return nil, fmt.Errorf("%w: reading: %w", ErrBadAuth, err)
	}
	msg, err := readAuth(prv, auth)
	if err != nil {
		return nil, err
	}
	ack, err := h.respond(c.cfg.Rand, prv, msg)
	if err != nil {
		return nil, err
	}
	if _, err := c.fd.Write(ack); err != nil {
		return nil, fmt.Errorf("rlpx: writing ack: %w", err)
	}
	c.remote = h.remote
	return h.secrets(auth, ack), nil
}

// SetSnappy turns snappy compression of message payloads on or off in both
// directions. The p2p layer turns it on after the Hello exchange when the
// peer's base protocol version is 5 or more.
func (c *Conn) SetSnappy(on bool) { c.snappy.Store(on) }

// ReadMsg reads one message. data is valid only until the next ReadMsg;
// wireSize is the payload size as received, before snappy decoding. After an
// error other than a timeout with no frame started, the connection cannot be
// read again.
func (c *Conn) ReadMsg() (code uint64, data []byte, wireSize int, err error) {
	if c.rd == nil {
		return 0, nil, 0, ErrNoHandshake
	}
	c.rd.snappy = c.snappy.Load()
	return c.rd.read(c.br)
}

// WriteMsg writes one message and returns the payload size as sent, after
// snappy compression (the frame overhead and the message code excluded). It
// must not be called by several goroutines at once. After an error the
// connection cannot be written again.
func (c *Conn) WriteMsg(code uint64, data []byte) (uint32, error) {
	w := c.wr
	if w == nil {
		return 0, ErrNoHandshake
	}
	if w.broken != nil {
		return 0, w.broken
	}
	w.snappy = c.snappy.Load()
	size, err := w.encode(code, data)
	if err != nil {
		// Nothing was encrypted yet: the size checks come first.
		return 0, err
	}
	if _, err := c.fd.Write(w.buf); err != nil {
		w.broken = fmt.Errorf("%w: %w", ErrConnBroken, err)
		return 0, fmt.Errorf("rlpx: writing frame: %w", err)
	}
	return uint32(size), nil
}

// SetReadDeadline sets the deadline for ReadMsg.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.fd.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline for WriteMsg.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.fd.SetWriteDeadline(t) }

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error { return c.fd.SetDeadline(t) }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.fd.RemoteAddr() }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.fd.LocalAddr() }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.fd.Close() }
