package status

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/p2p"
)

// Errors. Those that end a peer carry the p2p.DiscReason the transport
// sends, so errors.Is works for both.
var (
	// ErrClosed is returned once the Service is closed.
	ErrClosed = errors.New("status: service closed")
	// ErrInvalidTopic: a topic is empty, too long or not UTF-8, or there
	// are too many.
	ErrInvalidTopic = errors.New("status: invalid topic")
	// ErrMalformed: a message could not be decoded. The peer is
	// disconnected at once: honest peers never send one.
	ErrMalformed = fmt.Errorf("status: malformed message: %w", p2p.DiscProtocolError)
	// ErrTooLarge: a message exceeds MaxMsgSize; checked before decoding.
	ErrTooLarge = fmt.Errorf("status: message too large: %w", p2p.DiscProtocolError)
	// ErrUnknownCode: a message code outside 0..Length-1.
	ErrUnknownCode = fmt.Errorf("status: unknown message code: %w", p2p.DiscProtocolError)
	// ErrRateLimited ends a peer that kept sending faster than
	// Config.RateLimit after its excess messages were dropped.
	ErrRateLimited = fmt.Errorf("status: peer over its rate limit: %w", p2p.DiscUselessPeer)
	// ErrMisbehaving ends a peer whose misbehaviour score (bad or missing
	// signatures) reached the threshold.
	ErrMisbehaving = fmt.Errorf("status: peer misbehaving: %w", p2p.DiscSubprotocolError)
	// ErrDuplicatePeer refuses a second Run for a connected node.
	ErrDuplicatePeer = fmt.Errorf("status: peer already running: %w", p2p.DiscAlreadyConnected)
)
