package topic

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/p2p"
)

// Errors. Those that end a peer carry the p2p.DiscReason the transport
// sends.
var (
	ErrClosed = errors.New("topic: service closed")
	// ErrUnreachable: a unicast destination is neither a peer nor known
	// (no live status record), or there is no peer at all.
	ErrUnreachable = errors.New("topic: destination unreachable")
	// ErrNoSubscribers: the directory knows no subscriber of the topic,
	// here or elsewhere (FISCO BCOS's error 100).
	ErrNoSubscribers = errors.New("topic: no subscribers")
	// ErrNoPeers: a broadcast with no peer to send it to.
	ErrNoPeers = errors.New("topic: no peers")
	// ErrInvalidTopic: empty, longer than MaxTopicLen, or not UTF-8; or
	// more than MaxTopics followed.
	ErrInvalidTopic = errors.New("topic: invalid topic")
	// ErrPayloadTooLarge: Send, Publish or Broadcast with a payload over
	// Config.MaxPayload.
	ErrPayloadTooLarge = errors.New("topic: payload too large")

	// ErrMalformed: a message could not be decoded; the peer is cut.
	ErrMalformed = fmt.Errorf("topic: malformed message: %w", p2p.DiscProtocolError)
	// ErrTooLarge: a message or payload over the limit, checked before
	// anything is copied; the peer is cut.
	ErrTooLarge = fmt.Errorf("topic: message too large: %w", p2p.DiscProtocolError)
	// ErrUnknownCode: a code outside 0..Length-1.
	ErrUnknownCode = fmt.Errorf("topic: unknown message code: %w", p2p.DiscProtocolError)
	// ErrHopLimit: a message arrived with no hops left (a relay must not
	// send one); dropped and scored.
	ErrHopLimit = errors.New("topic: hop limit 0")
	// ErrRateLimited ends a peer that kept sending over its rate limit
	// after RateDrops of its messages were dropped in RateWindow.
	ErrRateLimited = fmt.Errorf("topic: peer over its rate limit: %w", p2p.DiscUselessPeer)
	// ErrMisbehaving ends a peer whose misbehaviour score (bad or missing
	// signatures, hop limit 0) reached the threshold.
	ErrMisbehaving = fmt.Errorf("topic: peer misbehaving: %w", p2p.DiscSubprotocolError)
	// ErrDuplicatePeer refuses a second Run for a connected node.
	ErrDuplicatePeer = fmt.Errorf("topic: peer already running: %w", p2p.DiscAlreadyConnected)
)
