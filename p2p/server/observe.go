package server

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

// FailureReasoner is implemented by transports that classify their own
// handshake errors for Config.Observer (tlsconn: "unknown CA", "revoked",
// ...). The server's own classification covers RLPx and generic errors;
// an empty string falls back to it.
type FailureReasoner interface {
	FailureReason(err error) string
}

// Reasons the server reports to Config.Observer's HandshakeFailed. They
// read as tlsconn's do, so that one dashboard serves both profiles; the
// scheduler's refusals are labelled by dial.RefusalReason.
const (
	reasonTimeout         = "handshake timeout"
	reasonCancelled       = "cancelled"
	reasonRemoteRefused   = "refused by peer"
	reasonUnexpectedID    = "unexpected node ID"
	reasonInvalidIdentity = "invalid identity"
	reasonBadAuth         = "bad auth"
	reasonProtocol        = "protocol error"
	reasonNetwork         = "network error"
	reasonNoShared        = "no shared protocol"
	reasonOther           = "other"
	reasonSourceBusy      = "handshakes from source"
)

// handshakeReason labels a failed handshake for the observer.
func handshakeReason(t Transport, err error) string {
	if fr, ok := t.(FailureReasoner); ok {
		if r := fr.FailureReason(err); r != "" {
			return r
		}
	}
	var remote interface{ RemoteReason() p2p.DiscReason }
	switch {
	case errors.Is(err, context.Canceled):
		return reasonCancelled
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, rlpx.ErrHandshakeTimeout):
		return reasonTimeout
	case errors.As(err, &remote):
		return reasonRemoteRefused
	case errors.Is(err, p2p.DiscUnexpectedIdentity):
		return reasonUnexpectedID
	case errors.Is(err, p2p.DiscInvalidIdentity), errors.Is(err, ErrNoPubkey):
		return reasonInvalidIdentity
	case errors.Is(err, rlpx.ErrBadAuth), errors.Is(err, rlpx.ErrBadAck), errors.Is(err, rlpx.ErrECIES),
		errors.Is(err, rlpx.ErrHandshakeTooLarge):
		return reasonBadAuth
	case errors.Is(err, p2p.DiscProtocolError), errors.Is(err, devp2p.ErrBadHello),
		errors.Is(err, devp2p.ErrHelloTooLarge), errors.Is(err, p2p.ErrMsgTooLarge),
		errors.Is(err, rlpx.ErrBadMAC), errors.Is(err, rlpx.ErrBadFrame), errors.Is(err, rlpx.ErrFrameTooLarge):
		return reasonProtocol
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNREFUSED):
		return reasonNetwork
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return reasonNetwork
	}
	return reasonOther
}

// admissionReason labels a refusal of the scheduler (CheckInbound,
// AddPeer) for the observer.
func admissionReason(err error) string { return dial.RefusalReason(err) }

// command names code (the protocol's own) for the observer: its entry in
// the protocol's command table, or the code in decimal.
func (m *match) command(code uint64) string {
	if code < uint64(len(m.Commands)) && m.Commands[code] != "" {
		return m.Commands[code]
	}
	return strconv.FormatUint(code, 10)
}

// inboxQueue names a protocol's inbound queue in Dropped.
func inboxQueue(proto string) string { return proto + " inbox" }
