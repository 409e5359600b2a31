package topic

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
)

// TopicDirectory tells which nodes follow a topic. status.Service is one:
// it learns every node's topics from the status records.
type TopicDirectory interface {
	Subscribers(topic string) []enode.ID
}

// NodeDirectory is what a TopicDirectory may also implement (status.Service
// does): whether a node is live somewhere in the network. Send refuses a
// destination it does not know with ErrUnreachable instead of flooding the
// network for nothing.
type NodeDirectory interface {
	Reachable(id enode.ID) bool
}

// Defaults of Config.
const (
	DefaultHopLimit  = 16
	DefaultSeenCache = 1 << 16
	DefaultPeerQueue = 256
	DefaultSubQueue  = 256
	// DefaultRateMsgs and DefaultRateBytes bound what one peer may send
	// per second (bursts of twice as much). A signed message costs up to
	// ~130 µs to verify (secp256k1 recovery), and a Sybil can sign as many
	// valid ones as it likes: 500 a second is ~7 % of a core per peer.
	// Every link carries every broadcast and multicast, so a network whose
	// traffic exceeds this needs a higher limit, or its peers get cut.
	DefaultRateMsgs   = 500
	DefaultRateBytes  = 16 << 20
	DefaultRateDrops  = 1000
	DefaultRateWindow = time.Minute
	// DefaultMaxRoutes and DefaultRouteTTL bound the unicast routes
	// learnt from the messages that pass.
	DefaultMaxRoutes = 4096
	DefaultRouteTTL  = 5 * time.Minute
)

// Misbehaviour scores; banScore ends the peer.
const (
	banScore      = 100
	scoreBadSig   = 50 // honest relays verify before relaying
	scoreUnsigned = 25
	scoreHopLimit = 10 // relays must not send a message with no hops left
)

// Config configures a Service. Zero fields (but Signer/ID) mean defaults.
type Config struct {
	// Signer signs the messages this node originates; its ID is the
	// node's. Required unless Signatures is Optional: then ID names the
	// node and messages go out unsigned.
	Signer originsig.Signer
	ID     enode.ID
	// Signatures is the policy for messages received: Require (default,
	// open network) or Optional (permissioned: unsigned accepted, signed
	// ones verified).
	Signatures originsig.Policy

	// Directory finds a topic's subscribers for Publish (and, if it is a
	// NodeDirectory, known nodes for Send). nil: Publish and Send always
	// flood, and never return ErrNoSubscribers or ErrUnreachable for an
	// unknown node.
	Directory TopicDirectory
	// TopicsChanged, if set, is called by the service's loop with the
	// sorted topics this node follows whenever they change: wire it to
	// status.Service.SetTopics. It must not call back into the Service.
	TopicsChanged func(topics []string)

	// MaxPayload caps payloads, sent and received; zero means
	// DefaultMaxPayload.
	MaxPayload int
	// HopLimit is the hops a message originated here may travel (1 to
	// MaxHops).
	HopLimit int
	// SeenCache is how many message keys the deduplication cache keeps.
	SeenCache int
	// PeerQueue bounds the messages waiting to be written to one peer;
	// when full, new messages are dropped and counted.
	PeerQueue int
	// SubQueue bounds each subscription's channel; when full the oldest
	// delivery is dropped for the new one, and counted.
	SubQueue int
	// RateMsgs and RateBytes (per second; negative: unlimited) are each
	// peer's token buckets, with bursts of twice the rate; a message over
	// either is dropped and counted. RateDrops drops within RateWindow end
	// the peer with ErrRateLimited.
	RateMsgs   float64
	RateBytes  float64
	RateDrops  int
	RateWindow time.Duration

	// MaxRoutes and RouteTTL: see the defaults. A negative RouteTTL
	// disables routes: every unicast to a non-peer floods.
	MaxRoutes int
	RouteTTL  time.Duration

	Clock  p2p.Clock
	Logger *slog.Logger
}

func (cfg Config) withDefaults() (Config, error) {
	id, err := originsig.Identity(cfg.Signer, cfg.ID, cfg.Signatures)
	if err != nil {
		return cfg, fmt.Errorf("topic: %w", err)
	}
	cfg.ID = id
	if cfg.HopLimit > MaxHops || cfg.HopLimit < 0 {
		return cfg, fmt.Errorf("topic: hop limit %d not in 1..%d", cfg.HopLimit, MaxHops)
	}
	if cfg.MaxPayload < 0 {
		return cfg, errors.New("topic: negative MaxPayload")
	}
	def := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&cfg.MaxPayload, DefaultMaxPayload)
	def(&cfg.HopLimit, DefaultHopLimit)
	def(&cfg.SeenCache, DefaultSeenCache)
	def(&cfg.PeerQueue, DefaultPeerQueue)
	def(&cfg.SubQueue, DefaultSubQueue)
	def(&cfg.RateDrops, DefaultRateDrops)
	if cfg.RateMsgs == 0 {
		cfg.RateMsgs = DefaultRateMsgs
	}
	if cfg.RateBytes == 0 {
		cfg.RateBytes = DefaultRateBytes
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	def(&cfg.MaxRoutes, DefaultMaxRoutes)
	if cfg.RouteTTL == 0 {
		cfg.RouteTTL = DefaultRouteTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
