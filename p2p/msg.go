package p2p

import (
	"errors"
	"fmt"
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
