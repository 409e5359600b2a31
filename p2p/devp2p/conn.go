package devp2p

import (
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

const (
	// DefaultMaxMessageSize is the largest payload accepted by default: what
	// one RLPx frame can carry next to the longest message code.
	DefaultMaxMessageSize = rlpx.MaxFrameSize - maxCodeLen

	// maxCodeLen is the longest RLP encoding of a message code.
	maxCodeLen = 9

	// DefaultDisconnectTimeout bounds the write of the Disconnect sent by
	// Close, as go-ethereum's discWriteTimeout.
	DefaultDisconnectTimeout = 1 * time.Second
)

// ErrClosed is returned by reads and writes after Close.
var ErrClosed = errors.New("devp2p: connection closed")

// DisconnectError is the read error after the peer sent Disconnect. It
// unwraps to the reason, so errors.As(err, &reason) and p2p.DiscReasonOf
// find it.
type DisconnectError struct {
	Reason p2p.DiscReason
}

func (e *DisconnectError) Error() string { return "devp2p: peer disconnected: " + e.Reason.String() }

// Unwrap returns the reason.
func (e *DisconnectError) Unwrap() error { return e.Reason }

// RemoteReason returns the reason the peer gave; it marks the error as a
// disconnect the peer asked for (see p2p/server's transport contract).
func (e *DisconnectError) RemoteReason() p2p.DiscReason { return e.Reason }

// Config tunes a Conn. The zero value means the defaults.
type Config struct {
	// MaxMessageSize caps a payload, uncompressed, in both directions; it
	// is checked before a message is allocated or written. Zero, or more
	// than DefaultMaxMessageSize, means DefaultMaxMessageSize.
	MaxMessageSize int
	// DisconnectTimeout bounds Close's Disconnect write. Zero means
	// DefaultDisconnectTimeout.
	DisconnectTimeout time.Duration
	// Now stamps Msg.ReceivedAt and sets the idle and disconnect deadlines.
	// Nil means time.Now.
	Now func() time.Time
}

func (cfg *Config) withDefaults() Config {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.MaxMessageSize <= 0 || c.MaxMessageSize > DefaultMaxMessageSize {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.DisconnectTimeout <= 0 {
		c.DisconnectTimeout = DefaultDisconnectTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// rlpxConfig returns the RLPx settings that go with cfg: the frame cap
// leaves room for the message code, and snappy's decoded size is capped the
// same way.
func (cfg Config) rlpxConfig(handshakeTimeout time.Duration) *rlpx.Config {
	return &rlpx.Config{HandshakeTimeout: handshakeTimeout, MaxMessageSize: cfg.MaxMessageSize + maxCodeLen}
}

// Conn is a devp2p session over RLPx, as a p2p.Conn: message codes seen
// through ReadMsg and WriteMsg start at 0 and travel as BaseLength+code;
// the base protocol stays inside. A Disconnect from the peer ends the read
// side with a *DisconnectError; a Ping is reported on PingReceived for the
// owner to answer with SendPong; a Pong, a repeated Hello and the reserved
// codes are skipped. Close sends Disconnect first.
//
// One goroutine may read while others write: writes (WriteMsg, SendPing,
// SendPong and Close's Disconnect) are serialised by a lock, so a frame is
// never interleaved with another. Payloads returned by ReadMsg are the
// caller's.
type Conn struct {
	rc         *rlpx.Conn
	maxPayload int
	discWait   time.Duration
	now        func() time.Time

	// Read side: owned by the goroutine in ReadMsg.
	rerr error // sticky: the peer sent Disconnect

	idle       atomic.Int64 // SetIdleTimeout, in nanoseconds
	remoteDisc atomic.Bool  // the peer sent Disconnect: Close sends none back
	closed     atomic.Bool
	pings      chan struct{} // cap 1: pings waiting for a Pong, coalesced

	wmu  sync.Mutex // guards werr and the rlpx writer: one frame at a time
	werr error      // sticky: a frame may have been partly written

	dmu     sync.Mutex // guards closing and changes of the write deadline
	closing bool

	closeOnce sync.Once
	closeErr  error
}

var _ p2p.Conn = (*Conn)(nil)

// NewConn wraps an RLPx connection whose encryption handshake is done. The
// Hello exchange is the caller's (Setup does both); NewConn alone gives a
// Conn for tests and tools that skip it.
func NewConn(rc *rlpx.Conn, cfg *Config) *Conn {
	c := cfg.withDefaults()
	return &Conn{rc: rc, maxPayload: c.MaxMessageSize, discWait: c.DisconnectTimeout, now: c.Now, pings: make(chan struct{}, 1)}
}

// MaxMessageSize returns the payload cap.
func (c *Conn) MaxMessageSize() int { return c.maxPayload }

// ReadMsg returns the next capability message, handling base protocol
// messages on the way.
func (c *Conn) ReadMsg() (p2p.Msg, error) {
	for {
		if c.rerr != nil {
			return p2p.Msg{}, c.rerr
		}
		if idle := c.idle.Load(); idle > 0 {
			// Any frame, a Ping included, re-arms the idle deadline.
			if err := c.rc.SetReadDeadline(c.now().Add(time.Duration(idle))); err != nil {
				return p2p.Msg{}, c.ioErr(err)
			}
		}
		code, data, _, err := c.rc.ReadMsg()
		if err != nil {
			if errors.Is(err, rlpx.ErrFrameTooLarge) || errors.Is(err, rlpx.ErrMessageTooLarge) {
				err = fmt.Errorf("%w: %w", p2p.ErrMsgTooLarge, err)
			}
			return p2p.Msg{}, c.ioErr(err)
		}
		switch {
		case code >= BaseLength:
			// rlpx capped the frame at maxPayload plus the code; the exact
			// payload cap is checked here. The frame was read whole, so
			// the stream stays usable.
			if len(data) > c.maxPayload {
				return p2p.Msg{}, fmt.Errorf("%w: code %d, %d bytes, limit %d", p2p.ErrMsgTooLarge, code, len(data), c.maxPayload)
			}
			payload := make([]byte, len(data)) // rlpx reuses data on the next read
			copy(payload, data)
			return p2p.Msg{Code: code - BaseLength, Payload: payload, ReceivedAt: c.now()}, nil
		case code == DisconnectMsg:
			reason, derr := DecodeDisconnect(data)
			if derr != nil {
				reason = p2p.DiscProtocolError
			}
			c.remoteDisc.Store(true)
			c.rerr = &DisconnectError{Reason: reason}
		case code == PingMsg:
			select {
			case c.pings <- struct{}{}:
			default: // a Pong is already due; one answers both
			}
		default:
			// Pong (liveness is the idle deadline's job), a repeated Hello,
			// and codes 4-15, which the spec reserves: skipped, as
			// go-ethereum does.
		}
	}
}

// ioErr reports errors after Close as ErrClosed, whatever the socket said.
func (c *Conn) ioErr(err error) error {
	if c.closed.Load() {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return err
}

// WriteMsg sends msg as code BaseLength+msg.Code. A payload over the cap
// (or, with snappy, one that compresses past the frame limit) is refused
// with p2p.ErrMsgTooLarge before anything is written, and the Conn stays
// usable; after any other error it does not.
func (c *Conn) WriteMsg(msg p2p.Msg) error {
	if msg.Code > math.MaxUint64-BaseLength {
		return fmt.Errorf("devp2p: message code %d out of range", msg.Code)
	}
	if len(msg.Payload) > c.maxPayload {
		return fmt.Errorf("%w: %d bytes, limit %d", p2p.ErrMsgTooLarge, len(msg.Payload), c.maxPayload)
	}
	return c.write(msg.Code+BaseLength, msg.Payload)
}

// emptyList is the payload of Ping and Pong.
var emptyList = []byte{0xc0}

// SendPing sends a base protocol Ping.
func (c *Conn) SendPing() error { return c.write(PingMsg, emptyList) }

// SendPong sends a base protocol Pong.
func (c *Conn) SendPong() error { return c.write(PongMsg, emptyList) }

// PingReceived delivers a value when the peer sent a Ping that has not been
// answered yet. Several Pings before the answer are delivered once.
func (c *Conn) PingReceived() <-chan struct{} { return c.pings }

// SetIdleTimeout makes every frame read, of any code, start within d of the
// previous one: ReadMsg re-arms the socket's read deadline before each
// frame, so the peer's Pings keep a quiet connection open while a silent
// peer times out. It overrides SetReadDeadline; zero turns it off (call
// SetReadDeadline afterwards to clear the last deadline).
func (c *Conn) SetIdleTimeout(d time.Duration) { c.idle.Store(int64(max(d, 0))) }

func (c *Conn) write(code uint64, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	if c.werr != nil {
		return c.werr
	}
	if _, err := c.rc.WriteMsg(code, data); err != nil {
		if errors.Is(err, rlpx.ErrFrameTooLarge) || errors.Is(err, rlpx.ErrMessageTooLarge) {
			// Refused before anything was encrypted or written.
			return fmt.Errorf("%w: %w", p2p.ErrMsgTooLarge, err)
		}
		c.werr = c.ioErr(err)
		return c.werr
	}
	return nil
}

// Close sends Disconnect with reason, best effort within
// Config.DisconnectTimeout, then closes the connection. Nothing is sent when reason
// holds no p2p.DiscReason, when it is p2p.DiscNetworkError (the socket is
// the problem), when the peer disconnected first, or after a failed write.
// A writer blocked on a peer that does not read is cut by the same
// deadline. Later calls return the first call's result.
func (c *Conn) Close(reason error) error {
	c.closeOnce.Do(func() {
		var r p2p.DiscReason
		send := errors.As(reason, &r) && r != p2p.DiscNetworkError && !c.remoteDisc.Load()
		c.dmu.Lock()
		c.closing = true
		c.rc.SetWriteDeadline(c.now().Add(c.discWait))
		c.dmu.Unlock()
		c.wmu.Lock()
		if send && c.werr == nil {
			c.rc.WriteMsg(DisconnectMsg, AppendDisconnect(nil, r))
		}
		c.closed.Store(true)
		c.wmu.Unlock()
		c.closeErr = c.rc.Close()
	})
	return c.closeErr
}

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.rc.RemoteAddr() }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.rc.LocalAddr() }

// SetReadDeadline sets the deadline of ReadMsg. A deadline that passes
// before a frame starts leaves the Conn usable; one that cuts a frame does
// not (the cipher streams cannot resynchronise).
func (c *Conn) SetReadDeadline(t time.Time) error { return c.rc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of writes. Once Close has begun it is
// ignored, so that a late writer cannot extend Close's deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if c.closing {
		return nil
	}
	return c.rc.SetWriteDeadline(t)
}

// SetSnappy turns snappy compression on or off in both directions; Setup
// turns it on after Hello when the peer's version is SnappyVersion or more.
func (c *Conn) SetSnappy(on bool) { c.rc.SetSnappy(on) }
