package p2p

import (
	"errors"
	"fmt"
	"math/bits"
	"net"
	"time"
)

// Msg is one protocol message: a code in the protocol's own code space and the
// payload bytes, encoded by the protocol itself.
type Msg struct {
	Code    uint64
	Payload []byte
	// ReceivedAt is when the transport finished reading the message.
	ReceivedAt time.Time
	// pool, when set, takes Payload back on Release.
	pool *BufferPool
}

// Release hands the payload's buffer back to the transport that read the
// message, which may fill it with a later message. Call it at most once per
// message read, and only when nothing refers to Payload any more: a decoder
// that keeps slices of the payload (wire's block decoder does) keeps it in
// use. Messages that are never released are garbage-collected as usual;
// Release on any other message does nothing.
func (m *Msg) Release() {
	if m.pool != nil {
		m.pool.put(m.Payload)
		m.pool, m.Payload = nil, nil
	}
}

// BufferPool keeps payload buffers that protocols gave back with
// Msg.Release, for a transport's reader to fill again. A transport that reads
// large messages fast otherwise allocates (and the runtime faults in and
// zeroes) a new buffer for each. Buffers are kept by power-of-two capacity,
// a few per class, so the memory a pool holds is bounded. Safe for
// concurrent use; one pool may serve many connections.
type BufferPool struct {
	min                int
	minShift, maxShift int
	classes            []chan []byte // classes[i]: capacity >= 1<<(minShift+i)
}

// NewBufferPool keeps up to perClass buffers in each power-of-two class for
// payloads from minSize to maxSize bytes (rounded up to a power of two), so
// at most about 2*perClass*maxSize bytes. Smaller payloads come cheaply from
// the allocator; larger ones would keep much memory for a rare message.
func NewBufferPool(perClass, minSize, maxSize int) *BufferPool {
	lo, hi := bits.Len(uint(max(minSize, 1)-1)), bits.Len(uint(max(maxSize, 1)-1))
	p := &BufferPool{min: minSize, minShift: lo, maxShift: hi, classes: make([]chan []byte, max(hi-lo+1, 0))}
	for i := range p.classes {
		p.classes[i] = make(chan []byte, perClass)
	}
	return p
}

// class returns the class of a payload of n bytes, or -1 if n is out of
// the pool's range.
func (p *BufferPool) class(n int) int {
	if p == nil || n <= 0 || n < p.min {
		return -1
	}
	shift := bits.Len(uint(n - 1))
	if shift < p.minShift || shift > p.maxShift {
		return -1
	}
	return shift - p.minShift
}

// Get returns a free buffer of length n, or nil when none is free or n is
// out of the pool's range.
func (p *BufferPool) Get(n int) []byte {
	c := p.class(n)
	if c < 0 {
		return nil
	}
	select {
	case b := <-p.classes[c]:
		return b[:n]
	default:
		return nil
	}
}

// Cap is the capacity to give a new buffer for a payload of n bytes so that,
// released, it serves any later payload of its class: n rounded up to a
// power of two when the pool keeps such buffers, n otherwise.
func (p *BufferPool) Cap(n int) int {
	if c := p.class(n); c >= 0 {
		return 1 << (p.minShift + c)
	}
	return n
}

func (p *BufferPool) put(b []byte) {
	// A buffer serves payloads up to its capacity: file it under the
	// largest class it fills.
	shift := bits.Len(uint(cap(b))) - 1
	if shift < p.minShift || shift > p.maxShift {
		return
	}
	select {
	case p.classes[shift-p.minShift] <- b[:0]:
	default: // the class is full
	}
}

// Msg returns a message whose Release hands payload back to p.
func (p *BufferPool) Msg(code uint64, payload []byte, receivedAt time.Time) Msg {
	return Msg{Code: code, Payload: payload, ReceivedAt: receivedAt, pool: p}
}

// MsgReader reads messages. ReadMsg blocks until a whole message has arrived
// or the connection fails.
type MsgReader interface {
	ReadMsg() (Msg, error)
}

// MsgWriter writes messages. WriteMsg returns when the message was handed to
// the connection; implementations are not required to be safe for concurrent
// use by several writers.
type MsgWriter interface {
	WriteMsg(Msg) error
}

// MsgReadWriter is what a transport gives a protocol.
type MsgReadWriter interface {
	MsgReader
	MsgWriter
}

// Conn is an authenticated message connection produced by a transport.
type Conn interface {
	MsgReadWriter
	// Close ends the connection. Transports that can tell the peer why (RLPx
	// Disconnect) send reason first, best effort.
	Close(reason error) error
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// ErrMsgTooLarge is returned when a message exceeds the size a transport or
// protocol allows; it is checked before the message is allocated.
var ErrMsgTooLarge = errors.New("p2p: message too large")

// DiscReason is a devp2p disconnect reason. Every transport uses these codes
// so logs and metrics read the same whatever carried the connection.
type DiscReason uint8

// Disconnect reasons, numbered as devp2p numbers them.
const (
	DiscRequested DiscReason = iota
	DiscNetworkError
	DiscProtocolError
	DiscUselessPeer
	DiscTooManyPeers
	DiscAlreadyConnected
	DiscIncompatibleVersion
	DiscInvalidIdentity
	DiscQuitting
	DiscUnexpectedIdentity
	DiscSelf
	DiscReadTimeout
	DiscSubprotocolError DiscReason = 0x10
)

var discReasonText = map[DiscReason]string{
	DiscRequested:           "disconnect requested",
	DiscNetworkError:        "network error",
	DiscProtocolError:       "breach of protocol",
	DiscUselessPeer:         "useless peer",
	DiscTooManyPeers:        "too many peers",
	DiscAlreadyConnected:    "already connected",
	DiscIncompatibleVersion: "incompatible p2p protocol version",
	DiscInvalidIdentity:     "invalid node identity",
	DiscQuitting:            "client quitting",
	DiscUnexpectedIdentity:  "unexpected identity",
	DiscSelf:                "connected to self",
	DiscReadTimeout:         "read timeout",
	DiscSubprotocolError:    "subprotocol error",
}

func (d DiscReason) String() string {
	if s, ok := discReasonText[d]; ok {
		return s
	}
	return fmt.Sprintf("unknown disconnect reason %d", uint8(d))
}

// Error implements error, so a DiscReason can be returned and tested with
// errors.Is.
func (d DiscReason) Error() string { return d.String() }

// DiscReasonOf returns the DiscReason in err's chain, or DiscSubprotocolError
// when there is none.
func DiscReasonOf(err error) DiscReason {
	var d DiscReason
	if errors.As(err, &d) {
		return d
	}
	return DiscSubprotocolError
}
