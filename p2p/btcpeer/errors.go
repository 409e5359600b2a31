package btcpeer

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/p2p"
)

// Reasons a peer ends. Each is wrapped in a *DisconnectError with its
// p2p.DiscReason; test them with errors.Is.
var (
	// ErrNoVersion: the first message was not version.
	ErrNoVersion = errors.New("btcpeer: first message is not version")
	// ErrObsoleteVersion: the peer's protocol version is below the minimum.
	ErrObsoleteVersion = errors.New("btcpeer: protocol version too old")
	// ErrMissingServices: an outbound peer lacks the required services.
	ErrMissingServices = errors.New("btcpeer: peer lacks required services")
	// ErrSelfConnection: the peer's version nonce is one we sent.
	ErrSelfConnection = errors.New("btcpeer: connected to self")
	// ErrDuplicateVersion: a second version message.
	ErrDuplicateVersion = errors.New("btcpeer: duplicate version message")
	// ErrDuplicateVerAck: a second verack message.
	ErrDuplicateVerAck = errors.New("btcpeer: duplicate verack message")
	// ErrLateSendAddrV2: sendaddrv2 after verack (BIP155 forbids it).
	ErrLateSendAddrV2 = errors.New("btcpeer: sendaddrv2 after verack")
	// ErrMalformed: the envelope or the payload could not be read (wrong
	// magic, bad command, bad checksum, oversized, undecodable). The cause
	// is wrapped too.
	ErrMalformed = errors.New("btcpeer: malformed message")
	// ErrTruncated: the connection ended inside a message.
	ErrTruncated = errors.New("btcpeer: connection ended inside a message")
	// ErrHandshakeTimeout: version/verack did not complete in time.
	ErrHandshakeTimeout = errors.New("btcpeer: handshake timed out")
	// ErrIdleTimeout: no message at all for Config.IdleTimeout.
	ErrIdleTimeout = errors.New("btcpeer: no message received in time")
	// ErrPingTimeout: no pong for Config.PongTimeout after a ping.
	ErrPingTimeout = errors.New("btcpeer: no pong in time")
	// ErrStalled: a request's expected response did not arrive in time.
	ErrStalled = errors.New("btcpeer: request stalled")
	// ErrBanScore: misbehaviour reached Config.BanThreshold.
	ErrBanScore = errors.New("btcpeer: misbehaviour score reached the threshold")
	// ErrControlQueueFull: the peer does not read our handshake and pong
	// messages fast enough.
	ErrControlQueueFull = errors.New("btcpeer: control send queue full")
	// ErrConnection: reading or writing the connection failed.
	ErrConnection = errors.New("btcpeer: connection failed")
)

// Errors returned to senders; they do not end the peer.
var (
	// ErrSendQueueFull: the data queue was full and the message was dropped.
	ErrSendQueueFull = errors.New("btcpeer: send queue full, message dropped")
	// ErrPeerClosed: the peer is disconnecting; the message was not sent.
	ErrPeerClosed = errors.New("btcpeer: peer closed")
	// ErrUnknownCommand: the message's command is not in the table.
	ErrUnknownCommand = errors.New("btcpeer: command not in the chain protocol table")
)

// Misbehaviour points added for each violation the peer detects itself. A
// score of Config.BanThreshold (100) disconnects.
const (
	// ScoreMalformed: an envelope or payload that does not parse.
	ScoreMalformed = 100
	// ScoreProtocol: a handshake violation (no version first, duplicate
	// version or verack, late sendaddrv2).
	ScoreProtocol = 100
	// ScoreTruncated: the connection ended inside a message; an honest peer
	// that crashes can do this, so it is not worth a ban alone.
	ScoreTruncated = 20
	// ScoreStall: a request's deadline expired; slow honest peers do this.
	ScoreStall = 20
)

// DisconnectError is why a peer ended: a devp2p-style reason for logs and
// metrics, and the error behind it. errors.Is matches both.
type DisconnectError struct {
	Reason p2p.DiscReason
	Err    error
}

func (e *DisconnectError) Error() string {
	if e.Err == nil {
		return e.Reason.String()
	}
	return fmt.Sprintf("%v: %v", e.Reason, e.Err)
}

// Unwrap returns the reason and the error.
func (e *DisconnectError) Unwrap() []error { return []error{e.Reason, e.Err} }

func discErr(reason p2p.DiscReason, err error) *DisconnectError {
	return &DisconnectError{Reason: reason, Err: err}
}
