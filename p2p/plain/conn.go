package plain

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Errors of the plain transport that are not envelope errors.
var (
	// ErrConfig means New was given an unusable Config.
	ErrConfig = errors.New("plain: bad config")
	// ErrUnknownCode means WriteMsg was given a code outside the command table.
	ErrUnknownCode = errors.New("plain: message code not in the command table")
	// ErrClosed is returned by reads and writes after Close.
	ErrClosed = errors.New("plain: connection closed")
)

// Config configures a Conn. Net and Commands are required; the other fields
// have defaults.
type Config struct {
	// Net is the magic every envelope must carry, in both directions.
	Net wire.BitcoinNet
	// Commands is the command table: code i travels as Commands[i]. Each
	// entry must be a valid envelope command (printable ASCII, at most 12
	// bytes) and appear once.
	Commands []string
	// MaxPayload returns the largest payload allowed for a code, checked
	// against the header before the payload is read, and on write. Nil
	// means MaxMessageSize for every code.
	MaxPayload func(code uint64) uint32
	// MaxMessageSize caps every payload, of known and unknown commands. Zero,
	// or more than wire.MaxProtocolMessageLength, means
	// wire.MaxProtocolMessageLength.
	MaxMessageSize uint32
	// Now stamps Msg.ReceivedAt. Nil means time.Now.
	Now func() time.Time
	// Observer, if not nil, is told of each well-formed message skipped
	// because its command is not in the table (Dropped "unknown command"),
	// as Stats counts them.
	Observer p2p.Observer
}

// queueUnknown is the queue name of skipped messages in Config.Observer's
// Dropped.
const queueUnknown = "unknown command"

// Stats counts what a Conn read but did not deliver.
type Stats struct {
	// UnknownMessages and UnknownBytes count well-formed messages whose
	// command is not in the table (payload bytes, plus 24 per header).
	UnknownMessages uint64
	UnknownBytes    uint64
}

// Conn is a p2p.Conn speaking the Bitcoin envelope over a net.Conn.
type Conn struct {
	conn       net.Conn
	net        wire.BitcoinNet
	commands   []string
	codes      map[string]uint64
	maxPayload func(uint64) uint32
	maxSize    uint32
	now        func() time.Time
	obs        p2p.Observer // nil: none

	// Read side: touched only by the goroutine in ReadMsg.
	r    *bufio.Reader
	rerr error // sticky: the stream is lost
	rhdr [wire.MessageHeaderSize]byte
	skip []byte // scratch for unknown and malformed payloads

	// Write side: touched only by the goroutine in WriteMsg.
	werr error // sticky: a write may have been partial
	whdr [wire.MessageHeaderSize]byte

	unknownMsgs  atomic.Uint64
	unknownBytes atomic.Uint64

	closeOnce sync.Once
	closed    atomic.Bool
}

var _ p2p.Conn = (*Conn)(nil)

// readBufferSize is the bufio buffer in front of the socket: headers and small
// payloads come out of it without a system call each; large payloads are
// read straight into their own buffer.
const readBufferSize = 4096

// New wraps c. The Conn owns c from now on: Close closes it.
func New(c net.Conn, cfg Config) (*Conn, error) {
	if len(cfg.Commands) == 0 {
		return nil, fmt.Errorf("%w: empty command table", ErrConfig)
	}
	codes := make(map[string]uint64, len(cfg.Commands))
	for i, cmd := range cfg.Commands {
		if !validCommand(cmd) {
			return nil, fmt.Errorf("%w: command %d %q is not a valid envelope command", ErrConfig, i, cmd)
		}
		if _, dup := codes[cmd]; dup {
			return nil, fmt.Errorf("%w: command %q appears twice", ErrConfig, cmd)
		}
		codes[cmd] = uint64(i)
	}
	maxSize := cfg.MaxMessageSize
	if maxSize == 0 || maxSize > wire.MaxProtocolMessageLength {
		maxSize = wire.MaxProtocolMessageLength
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Conn{
		conn:       c,
		net:        cfg.Net,
		commands:   append([]string(nil), cfg.Commands...),
		codes:      codes,
		maxPayload: cfg.MaxPayload,
		maxSize:    maxSize,
		now:        now,
		obs:        cfg.Observer,
		r:          bufio.NewReaderSize(c, readBufferSize),
	}, nil
}

func validCommand(cmd string) bool {
	if cmd == "" || len(cmd) > wire.CommandSize {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// Stats returns counters of skipped messages. It is safe to call from any
// goroutine.
func (c *Conn) Stats() Stats {
	return Stats{UnknownMessages: c.unknownMsgs.Load(), UnknownBytes: c.unknownBytes.Load()}
}

// Command returns the envelope command of a code, or "" if the code is not
// in the table.
func (c *Conn) Command(code uint64) string {
	if code >= uint64(len(c.commands)) {
		return ""
	}
	return c.commands[code]
}

// ReadMsg reads the next message whose command is in the table, skipping
// (and counting) well-formed messages of other commands.
func (c *Conn) ReadMsg() (p2p.Msg, error) {
	for {
		if c.rerr != nil {
			return p2p.Msg{}, c.rerr
		}
		msg, ok, err := c.readOne()
		if err != nil || ok {
			return msg, err
		}
	}
}

// readOne reads one envelope. ok is false when it was skipped.
func (c *Conn) readOne() (msg p2p.Msg, ok bool, err error) {
	n, err := io.ReadFull(c.r, c.rhdr[:])
	if err != nil {
		if n > 0 {
			// Part of a header is gone: the stream cannot be resynchronised.
			return msg, false, c.lose(fmt.Errorf("plain: reading header: %w", noEOF(err)))
		}
		// Nothing was consumed: a timeout leaves the stream intact.
		return msg, false, c.ioErr(fmt.Errorf("plain: reading header: %w", err))
	}
	h := c.rhdr[:]
	length := binary.LittleEndian.Uint32(h[16:20])
	// Capped before anything else: a peer can claim any length.
	if length > c.maxSize {
		return msg, false, c.lose(fmt.Errorf("%w: %w", p2p.ErrMsgTooLarge, &wire.MessageError{
			Command: printableCommand(h[4:16]),
			Err:     fmt.Errorf("%w: %d > %d bytes", wire.ErrMessageTooLong, length, c.maxSize),
		}))
	}
	if got := wire.BitcoinNet(binary.LittleEndian.Uint32(h[0:4])); got != c.net {
		return msg, false, c.lose(&wire.MessageError{
			Err: fmt.Errorf("%w: got %s, want %s", wire.ErrWrongNetwork, got.Hex(), c.net.Hex()),
		})
	}
	mh, err := wire.ParseMessageHeader(h)
	if err != nil {
		// A malformed command: consume the payload so the caller may read
		// on, as Core does when it drops such a message.
		if derr := c.discard(length, nil); derr != nil {
			return msg, false, derr
		}
		return msg, false, err
	}
	code, known := c.codes[mh.Command]
	if !known {
		sum := sha256.New()
		if err := c.discard(length, sum); err != nil {
			return msg, false, err
		}
		if got := sha256.Sum256(sum.Sum(nil)); [4]byte(got[:4]) != mh.Checksum {
			return msg, false, &wire.MessageError{Command: mh.Command, Skipped: true,
				Err: fmt.Errorf("%w: header %x, payload %x", wire.ErrBadChecksum, mh.Checksum, got[:4])}
		}
		c.unknownMsgs.Add(1)
		c.unknownBytes.Add(uint64(length) + wire.MessageHeaderSize)
		if c.obs != nil {
			c.obs.Dropped(queueUnknown)
		}
		return msg, false, nil
	}
	if c.maxPayload != nil {
		if max := c.maxPayload(code); length > max {
			return msg, false, c.lose(fmt.Errorf("%w: %w", p2p.ErrMsgTooLarge, &wire.MessageError{
				Command: mh.Command,
				Err:     fmt.Errorf("%w: %d > %d bytes", wire.ErrPayloadTooLong, length, max),
			}))
		}
	}
	payload, err := c.readPayload(int(length))
	if err != nil {
		return msg, false, c.lose(fmt.Errorf("plain: reading %q payload: %w", mh.Command, err))
	}
	if sum := wire.Checksum(payload); sum != mh.Checksum {
		return msg, false, &wire.MessageError{Command: mh.Command, Skipped: true,
			Err: fmt.Errorf("%w: header %x, payload %x", wire.ErrBadChecksum, mh.Checksum, sum)}
	}
	return p2p.Msg{Code: code, Payload: payload, ReceivedAt: c.now()}, true, nil
}

// lose records err as the read side's final error.
func (c *Conn) lose(err error) error {
	c.rerr = c.ioErr(err)
	return c.rerr
}

// ioErr reports reads after Close as ErrClosed, whatever the socket said.
func (c *Conn) ioErr(err error) error {
	if c.closed.Load() {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// printableCommand returns the command for an error message, or "" when it is
// malformed.
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

// payloadChunk is how much of a payload is allocated before its bytes have
// arrived; beyond it the buffer doubles as data comes in, so a peer that
// claims 4 MB and sends nothing costs 64 KiB.
const payloadChunk = 64 << 10

func (c *Conn) readPayload(n int) ([]byte, error) {
	b := make([]byte, 0, min(n, payloadChunk))
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*cap(b), n))
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(c.r, b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err != nil {
			return nil, noEOF(err)
		}
	}
	return b, nil
}

// discard reads n payload bytes through a fixed scratch buffer, feeding them
// to h when it is not nil. A failure loses the stream.
func (c *Conn) discard(n uint32, h io.Writer) error {
	if c.skip == nil {
		c.skip = make([]byte, 16<<10)
	}
	for n > 0 {
		k := min(int(n), len(c.skip))
		if _, err := io.ReadFull(c.r, c.skip[:k]); err != nil {
			return c.lose(fmt.Errorf("plain: skipping payload: %w", noEOF(err)))
		}
		if h != nil {
			h.Write(c.skip[:k])
		}
		n -= uint32(k)
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

// WriteMsg frames msg and writes it. A message over the caps is refused with
// p2p.ErrMsgTooLarge before anything is written, and the Conn stays usable;
// after a failed write it does not.
func (c *Conn) WriteMsg(msg p2p.Msg) error {
	if c.werr != nil {
		return c.werr
	}
	if msg.Code >= uint64(len(c.commands)) {
		return fmt.Errorf("%w: %d (table has %d)", ErrUnknownCode, msg.Code, len(c.commands))
	}
	cmd := c.commands[msg.Code]
	max := c.maxSize
	if c.maxPayload != nil {
		max = min(max, c.maxPayload(msg.Code))
	}
	if uint64(len(msg.Payload)) > uint64(max) {
		return fmt.Errorf("%w: %q payload %d > %d bytes", p2p.ErrMsgTooLarge, cmd, len(msg.Payload), max)
	}
	h := c.whdr[:]
	binary.LittleEndian.PutUint32(h[0:4], uint32(c.net))
	clear(h[4:16])
	copy(h[4:16], cmd)
	binary.LittleEndian.PutUint32(h[16:20], uint32(len(msg.Payload)))
	sum := wire.Checksum(msg.Payload)
	copy(h[20:24], sum[:])
	bufs := net.Buffers{h}
	if len(msg.Payload) > 0 {
		// No empty write: over net.Pipe it would wake the reader with
		// nothing, and bufio gives up after 100 empty reads.
		bufs = append(bufs, msg.Payload)
	}
	if _, err := bufs.WriteTo(c.conn); err != nil {
		err = fmt.Errorf("plain: writing %q: %w", cmd, err)
		if c.closed.Load() {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		c.werr = err
		return err
	}
	return nil
}

// Close closes the connection. The plain envelope has no way to tell the
// peer why, so reason is not sent. Later calls return nil.
func (c *Conn) Close(reason error) error {
	err := error(nil)
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		err = c.conn.Close()
	})
	return err
}

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// SetReadDeadline sets the deadline of ReadMsg. A deadline that passes before
// any byte of a header arrived leaves the Conn usable; one that cuts a
// message leaves it failed.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of WriteMsg. A write cut by it leaves the
// Conn failed: part of the message may be on the wire.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }
