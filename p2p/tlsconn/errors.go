package tlsconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/wire"
)

// Errors of the transport. Certificate refusals are certs' sentinels
// (certs.ErrUnknownCA, certs.ErrRevoked, ...), returned unchanged inside the
// handshake error; admission refusals are dial's (dial.ErrAlreadyConnected,
// dial.ErrTooManyPeers, ...).
var (
	// ErrConfig means a constructor was given an unusable Config.
	ErrConfig = errors.New("tlsconn: bad config")
	// ErrHandshakeTimeout: TLS, version/verack and caps did not finish
	// within Config.HandshakeTimeout.
	ErrHandshakeTimeout = errors.New("tlsconn: handshake timeout")
	// ErrSelf: the peer is this node (same node ID, or our own version
	// nonce came back). It wraps dial.ErrSelf, so the dial scheduler stops
	// dialling that address.
	ErrSelf = fmt.Errorf("tlsconn: connected to self: %w", dial.ErrSelf)
	// ErrIncompatibleVersion: the peer's version message announces a
	// protocol version below Config.MinProtocolVersion.
	ErrIncompatibleVersion = errors.New("tlsconn: incompatible protocol version")
	// ErrProtocol: a handshake message was malformed or out of order.
	ErrProtocol = errors.New("tlsconn: handshake protocol violation")
	// ErrNoSharedProtocol: the peer runs none of our protocols.
	ErrNoSharedProtocol = errors.New("tlsconn: no shared protocol")
	// ErrRemoteRefused: the peer refused us: a TLS alert (it did not accept
	// our certificate; TLS does not say why) or a disconnect message during
	// the handshake.
	ErrRemoteRefused = errors.New("tlsconn: refused by the peer")
	// ErrRemoteDisconnect: the peer closed the connection with a disconnect
	// message. The error is a *DisconnectError, which also wraps the
	// peer's p2p.DiscReason.
	ErrRemoteDisconnect = errors.New("tlsconn: peer disconnected")
	// ErrHeartbeatTimeout: nothing arrived from the peer for
	// PingInterval+PongTimeout while we were reading: the link is dead.
	ErrHeartbeatTimeout = errors.New("tlsconn: heartbeat timeout")
	// ErrClosed is returned by reads and writes after Close.
	ErrClosed = errors.New("tlsconn: connection closed")
	// ErrUnknownCode means WriteMsg was given a code outside the command
	// table, or a code whose command the transport reserves.
	ErrUnknownCode = errors.New("tlsconn: message code not in the command table")
)

// DisconnectError is the read error after the peer's disconnect message.
// errors.Is matches it with ErrRemoteDisconnect and with its Reason.
type DisconnectError struct {
	Reason p2p.DiscReason
}

func (e *DisconnectError) Error() string {
	return "tlsconn: peer disconnected: " + e.Reason.String()
}

// Unwrap returns ErrRemoteDisconnect and the reason.
func (e *DisconnectError) Unwrap() []error { return []error{ErrRemoteDisconnect, e.Reason} }

// RemoteReason returns the peer's reason; p2p/server tells remote
// disconnects from local ones with it.
func (e *DisconnectError) RemoteReason() p2p.DiscReason { return e.Reason }

// Reason labels why a connection was refused, for logs and metrics. The
// certificate reasons carry the labels of certs.Reason.
type Reason uint8

// Reasons, in the order Stats lists them.
const (
	ReasonOther Reason = iota
	ReasonNoCertificate
	ReasonUnknownCA
	ReasonExpired
	ReasonRevoked
	ReasonBadKeyUsage
	ReasonUnexpectedID
	ReasonUnsupportedKey
	ReasonInvalidCertificate
	ReasonOldTLSVersion
	ReasonRemoteRefused
	ReasonTLS
	ReasonHandshakeTimeout
	ReasonNetwork
	ReasonWrongNetwork
	ReasonSelf
	ReasonIncompatibleVersion
	ReasonProtocol
	ReasonNoSharedProtocol
	ReasonAlreadyConnected
	ReasonTooManyPeers
	ReasonNotAllowed
	numReasons
)

var reasonText = [numReasons]string{
	ReasonOther:               "other",
	ReasonNoCertificate:       certs.ErrNoCertificate.Error(),
	ReasonUnknownCA:           certs.ErrUnknownCA.Error(),
	ReasonExpired:             certs.ErrExpired.Error(),
	ReasonRevoked:             certs.ErrRevoked.Error(),
	ReasonBadKeyUsage:         certs.ErrBadKeyUsage.Error(),
	ReasonUnexpectedID:        certs.ErrUnexpectedID.Error(),
	ReasonUnsupportedKey:      certs.ErrUnsupportedKey.Error(),
	ReasonInvalidCertificate:  certs.ErrInvalidCertificate.Error(),
	ReasonOldTLSVersion:       certs.ErrOldTLSVersion.Error(),
	ReasonRemoteRefused:       "refused by peer",
	ReasonTLS:                 "tls error",
	ReasonHandshakeTimeout:    "handshake timeout",
	ReasonNetwork:             "network error",
	ReasonWrongNetwork:        "wrong network",
	ReasonSelf:                "self",
	ReasonIncompatibleVersion: "incompatible version",
	ReasonProtocol:            "protocol error",
	ReasonNoSharedProtocol:    "no shared protocol",
	ReasonAlreadyConnected:    "already connected",
	ReasonTooManyPeers:        "too many peers",
	ReasonNotAllowed:          "not allowed",
}

// String returns the reason's label ("unknown CA", "revoked", ...).
func (r Reason) String() string {
	if r < numReasons {
		return reasonText[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Reasons returns every reason, in order.
func Reasons() []Reason {
	rs := make([]Reason, numReasons)
	for i := range rs {
		rs[i] = Reason(i)
	}
	return rs
}

var certReasons = []struct {
	err    error
	reason Reason
}{
	{certs.ErrNoCertificate, ReasonNoCertificate},
	{certs.ErrUnknownCA, ReasonUnknownCA},
	{certs.ErrExpired, ReasonExpired},
	{certs.ErrRevoked, ReasonRevoked},
	{certs.ErrBadKeyUsage, ReasonBadKeyUsage},
	{certs.ErrUnexpectedID, ReasonUnexpectedID},
	{certs.ErrUnsupportedKey, ReasonUnsupportedKey},
	{certs.ErrInvalidCertificate, ReasonInvalidCertificate},
	{certs.ErrOldTLSVersion, ReasonOldTLSVersion},
}

// ReasonOf classifies a handshake or admission error.
func ReasonOf(err error) Reason {
	if err == nil {
		return ReasonOther
	}
	for _, c := range certReasons {
		if errors.Is(err, c.err) {
			return c.reason
		}
	}
	switch {
	case errors.Is(err, ErrRemoteRefused):
		return ReasonRemoteRefused
	case errors.Is(err, ErrHandshakeTimeout):
		return ReasonHandshakeTimeout
	case errors.Is(err, wire.ErrWrongNetwork):
		return ReasonWrongNetwork
	case errors.Is(err, dial.ErrSelf):
		return ReasonSelf
	case errors.Is(err, ErrIncompatibleVersion):
		return ReasonIncompatibleVersion
	case errors.Is(err, ErrProtocol), errors.Is(err, p2p.ErrMsgTooLarge),
		errors.Is(err, wire.ErrBadChecksum), errors.Is(err, wire.ErrBadCommand):
		return ReasonProtocol
	case errors.Is(err, ErrNoSharedProtocol):
		return ReasonNoSharedProtocol
	case errors.Is(err, dial.ErrAlreadyConnected):
		return ReasonAlreadyConnected
	case errors.Is(err, dial.ErrTooManyPeers), errors.Is(err, dial.ErrThrottled):
		return ReasonTooManyPeers
	case errors.Is(err, dial.ErrNotAllowed), errors.Is(err, dial.ErrBanned):
		return ReasonNotAllowed
	case isRemoteAlert(err):
		return ReasonRemoteRefused
	case isTLSError(err):
		return ReasonTLS
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return ReasonHandshakeTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return ReasonNetwork
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return ReasonNetwork
	}
	return ReasonOther
}

// isRemoteAlert reports a TLS alert sent by the peer: crypto/tls returns it
// as a *net.OpError whose Op is "remote error".
func isRemoteAlert(err error) bool {
	oe, ok := errors.AsType[*net.OpError](err)
	return ok && oe.Op == "remote error"
}

// isTLSError reports a TLS-level failure that is not a certificate refusal.
// crypto/tls returns most of them as untyped errors prefixed "tls: ".
func isTLSError(err error) bool {
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s := e.Error(); len(s) > 5 && s[:5] == "tls: " {
			return true
		}
	}
	return false
}

// discReasonOf maps an error that ends a connection to the reason sent to
// the peer in a disconnect message.
func discReasonOf(err error) p2p.DiscReason {
	var d p2p.DiscReason
	if errors.As(err, &d) {
		return d
	}
	switch ReasonOf(err) {
	case ReasonSelf:
		return p2p.DiscSelf
	case ReasonIncompatibleVersion, ReasonWrongNetwork:
		return p2p.DiscIncompatibleVersion
	case ReasonProtocol:
		return p2p.DiscProtocolError
	case ReasonNoSharedProtocol, ReasonNotAllowed:
		return p2p.DiscUselessPeer
	case ReasonAlreadyConnected:
		return p2p.DiscAlreadyConnected
	case ReasonTooManyPeers:
		return p2p.DiscTooManyPeers
	case ReasonUnexpectedID:
		return p2p.DiscUnexpectedIdentity
	case ReasonHandshakeTimeout:
		return p2p.DiscReadTimeout
	}
	if errors.Is(err, ErrHeartbeatTimeout) {
		return p2p.DiscReadTimeout
	}
	return p2p.DiscSubprotocolError
}
