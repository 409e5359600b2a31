package dial

import "errors"

// Errors returned by CheckInbound and AddPeer (and counted when the
// scheduler skips a candidate for the same reason). Callers that speak devp2p
// map them to disconnect reasons: ErrTooManyPeers and ErrThrottled to
// p2p.DiscTooManyPeers, ErrAlreadyConnected to p2p.DiscAlreadyConnected,
// ErrSelf to p2p.DiscSelf, ErrNotAllowed and ErrBanned to
// p2p.DiscUselessPeer. (This package does not import p2p, so that a server in
// p2p can import it.)
var (
	// ErrTooManyPeers: the slots for the connection's direction, or MaxPeers,
	// are full.
	ErrTooManyPeers = errors.New("dial: too many peers")
	// ErrThrottled: an inbound connection from this IP was accepted less than
	// Config.InboundThrottle ago.
	ErrThrottled = errors.New("dial: too many connection attempts from this IP")
	// ErrNotAllowed: the address is outside Config.NetRestrict.
	ErrNotAllowed = errors.New("dial: address not in netrestrict allow-list")
	// ErrBanned: Config.Banned reported the address as banned.
	ErrBanned = errors.New("dial: address banned")
	// ErrSelf: the connection is to or from this node itself. A DialFunc that
	// detects a self-connection (the Bitcoin version nonce, a node ID equal to
	// our own) should return an error wrapping ErrSelf: the scheduler then
	// never dials that address again.
	ErrSelf = errors.New("dial: connection to self")
	// ErrAlreadyConnected: a peer with the same ID (or, without ID, the same
	// address) is already connected.
	ErrAlreadyConnected = errors.New("dial: already connected")
	// ErrClosed: the scheduler has been closed.
	ErrClosed = errors.New("dial: scheduler closed")
	// errNoDial is returned by New when a Config that dials has no DialFunc.
	errNoDial = errors.New("dial: Config.Dial is nil and NoDial is false")
)

// RefusalReason labels a refusal of CheckInbound or AddPeer for metrics and
// logs, in the words every host reports to its observer's HandshakeFailed
// ("too many peers", "not allowed", ...), so that one dashboard reads them
// all.
func RefusalReason(err error) string {
	switch {
	case errors.Is(err, ErrSelf):
		return "self"
	case errors.Is(err, ErrAlreadyConnected):
		return "already connected"
	case errors.Is(err, ErrTooManyPeers), errors.Is(err, ErrThrottled):
		return "too many peers"
	case errors.Is(err, ErrNotAllowed), errors.Is(err, ErrBanned):
		return "not allowed"
	case errors.Is(err, ErrClosed):
		return "quitting"
	}
	return "other"
}
