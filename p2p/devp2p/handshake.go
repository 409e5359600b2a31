package devp2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

// DefaultHandshakeTimeout bounds Setup when its context has no deadline.
const DefaultHandshakeTimeout = rlpx.DefaultHandshakeTimeout

// ErrHelloTooLarge means the peer's Hello (or the Disconnect read in its
// place) was over MaxHelloSize.
var ErrHelloTooLarge = errors.New("devp2p: hello too large")

// PubkeyID returns the 64-byte node ID of a Hello for pub: X‖Y.
func PubkeyID(pub *secp256k1.PublicKey) [IDLen]byte {
	var id [IDLen]byte
	copy(id[:], pub.SerializeUncompressed()[1:])
	return id
}

// Setup runs a devp2p connection's two handshakes on fd: the RLPx
// encryption handshake (as initiator when remote is not nil, the static key
// of the node dialled) and then the Hello exchange. It returns the session
// and the peer's Hello, whose node ID has been checked against the RLPx
// identity.
//
// ours.Version and ours.ID are filled in (Version, and prv's public key).
// Our Hello is written at once, uncompressed, without waiting for the
// peer's, as go-ethereum does (its `devp2p rlpx ping` reads our Hello and
// never sends one); snappy is turned on afterwards when the peer's version
// is SnappyVersion or more.
//
// ctx bounds both handshakes: its deadline (DefaultHandshakeTimeout when it
// has none) is the socket deadline, and cancelling it aborts them. Setup
// owns fd: on error it has closed fd, after sending a Disconnect when the
// peer broke the protocol (p2p.DiscUnexpectedIdentity when the Hello's node
// ID is not the RLPx key, p2p.DiscInvalidIdentity for a malformed ID,
// p2p.DiscProtocolError for a malformed Hello). The error wraps the reason;
// a Disconnect received instead of Hello is returned as a *DisconnectError.
func Setup(ctx context.Context, fd net.Conn, prv *secp256k1.PrivateKey, remote *secp256k1.PublicKey, ours Hello, cfg *Config) (*Conn, *Hello, error) {
	conf := cfg.withDefaults()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = conf.Now().Add(DefaultHandshakeTimeout)
	}
	if err := ctx.Err(); err != nil {
		fd.Close()
		return nil, nil, err
	}
	// Cancelling ctx cuts any blocked socket call.
	stop := context.AfterFunc(ctx, func() { fd.SetDeadline(time.Unix(1, 0)) })
	abort := func(err error) (*Conn, *Hello, error) {
		stop()
		fd.Close()
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", err, ctxErr)
		}
		return nil, nil, err
	}

	// At least 1ns: rlpx reads zero as "use the default".
	rc := rlpx.NewConnWithConfig(fd, remote, conf.rlpxConfig(max(deadline.Sub(conf.Now()), time.Nanosecond)))
	pub, err := rc.Handshake(prv)
	if err != nil {
		return abort(err)
	}
	// rlpx cleared its deadline; the Hello exchange runs under the same one.
	if err := fd.SetDeadline(deadline); err != nil {
		return abort(err)
	}
	if err := ctx.Err(); err != nil { // cancelled while the deadline was cleared
		return abort(err)
	}
	c := NewConn(rc, &conf)
	ours.Version = Version
	ours.ID = PubkeyID(prv.PubKey())
	theirs, err := exchangeHello(c, &ours)
	if want := PubkeyID(pub); err == nil && theirs.ID != want {
		err = fmt.Errorf("%w: hello ID %x…, RLPx key %x…", p2p.DiscUnexpectedIdentity, theirs.ID[:8], want[:8])
	}
	if err != nil {
		stop()
		var r p2p.DiscReason
		if !errors.As(err, &r) {
			r = p2p.DiscNetworkError // sends nothing
		}
		c.Close(r)
		return nil, nil, err
	}
	if !stop() {
		c.Close(nil)
		return nil, nil, ctx.Err()
	}
	if err := fd.SetDeadline(time.Time{}); err != nil {
		c.Close(nil)
		return nil, nil, err
	}
	c.SetSnappy(theirs.Version >= SnappyVersion)
	return c, theirs, nil
}

// exchangeHello writes ours and reads theirs at the same time: on a
// synchronous pipe a write waits for the peer's read, and a peer may wait
// for our Hello before sending its own.
func exchangeHello(c *Conn, ours *Hello) (*Hello, error) {
	werr := make(chan error, 1)
	go func() { werr <- c.write(HelloMsg, AppendHello(nil, ours)) }()
	theirs, err := readHello(c)
	if err != nil {
		// Unblock a write stuck on a peer that does not read; the caller
		// closes the connection anyway.
		c.rc.SetWriteDeadline(time.Unix(1, 0))
		<-werr
		return nil, err
	}
	if err := <-werr; err != nil {
		return nil, fmt.Errorf("devp2p: writing hello: %w", err)
	}
	return theirs, nil
}

func readHello(c *Conn) (*Hello, error) {
	code, data, _, err := c.rc.ReadMsg()
	if err != nil {
		return nil, fmt.Errorf("devp2p: reading hello: %w", err)
	}
	if len(data) > MaxHelloSize {
		return nil, fmt.Errorf("%w: %w: code %d, %d bytes", p2p.DiscProtocolError, ErrHelloTooLarge, code, len(data))
	}
	switch code {
	case HelloMsg:
	case DisconnectMsg:
		// A Disconnect before Hello is allowed: it is how a full or
		// unwilling peer refuses us.
		reason, derr := DecodeDisconnect(data)
		if derr != nil {
			reason = p2p.DiscProtocolError
		}
		c.remoteDisc.Store(true)
		return nil, &DisconnectError{Reason: reason}
	default:
		return nil, fmt.Errorf("%w: devp2p: expected hello, got code %d", p2p.DiscProtocolError, code)
	}
	h, err := DecodeHello(data)
	if err != nil {
		var r p2p.DiscReason
		if errors.As(err, &r) {
			return nil, err // DiscInvalidIdentity
		}
		return nil, fmt.Errorf("%w: %w", p2p.DiscProtocolError, err)
	}
	return h, nil
}
