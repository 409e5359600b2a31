package status

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/wire"
)

// Defaults of Config.
const (
	// DefaultInterval: the seq announcement period (FISCO BCOS uses 1 s to
	// 5 s; 5 s keeps the steady traffic of a big table low, and changes are
	// announced at once anyway).
	DefaultInterval = 5 * time.Second
	// DefaultTTL: a record not refreshed for this long expires. Ages grow
	// by up to one Interval per hop, so TTL must exceed Interval times the
	// network's diameter: 60 s covers 11 hops at the default interval.
	DefaultTTL = 60 * time.Second
	// DefaultAnnounceDelay batches changes (ours and relayed) into one
	// Announce per peer: a chain tip that moves a thousand times a second
	// during sync costs at most 20 announcements a second.
	DefaultAnnounceDelay = 50 * time.Millisecond
	// DefaultRequestTimeout: a GetStatus unanswered this long may be sent
	// again, to whichever peer announces the seq next.
	DefaultRequestTimeout = 5 * time.Second
	// DefaultMaxRecords bounds the table of known records.
	DefaultMaxRecords = 4096
	DefaultPeerQueue  = 64
	DefaultEventQueue = 64
	// DefaultRateLimit and DefaultRateBurst bound the messages a peer may
	// send us per second; DefaultRateDrops excess messages in one
	// RateWindow end the peer.
	DefaultRateLimit  = 50
	DefaultRateBurst  = 200
	DefaultRateDrops  = 100
	DefaultRateWindow = time.Minute
)

// Misbehaviour scores. A peer that reaches banScore is disconnected.
const (
	banScore      = 100
	scoreBadSig   = 50 // honest relays verify before relaying
	scoreUnsigned = 25 // a peer on another signing policy, or lying
	// Records we did not ask for: honest peers only answer GetStatus.
	scoreUnsolicited = 10
)

// Config configures a Service. The zero value of each field but Signer/ID
// means its default.
type Config struct {
	// Signer signs the node's record; its ID is the node's ID. Required
	// unless Signatures is Optional, in which case ID may name the node
	// and records go out unsigned.
	Signer originsig.Signer
	ID     enode.ID
	// Signatures is the policy for records received: Require (the
	// default, open network) or Optional (permissioned network).
	Signatures originsig.Policy

	// Initial content of the node's record.
	Height   uint64
	Hash     wire.Hash
	Topics   []string
	Services uint64
	// Version is the software version; "" means internal/version.Version.
	Version string

	Interval       time.Duration
	TTL            time.Duration
	AnnounceDelay  time.Duration
	RequestTimeout time.Duration
	MaxRecords     int
	// PeerQueue bounds the messages waiting to be written to one peer;
	// when it is full new messages are dropped and counted (an Announce
	// lost is repeated within an Interval).
	PeerQueue int
	// EventQueue bounds each Subscribe channel; when it is full new events
	// are dropped and counted.
	EventQueue int
	// RateLimit (messages per second; negative: no limit), RateBurst,
	// RateDrops and RateWindow: see the defaults.
	RateLimit  float64
	RateBurst  int
	RateDrops  int
	RateWindow time.Duration

	Clock  p2p.Clock
	Logger *slog.Logger
}

func (cfg Config) withDefaults() (Config, error) {
	id, err := originsig.Identity(cfg.Signer, cfg.ID, cfg.Signatures)
	if err != nil {
		return cfg, fmt.Errorf("status: %w", err)
	}
	cfg.ID = id
	topics, err := normTopics(cfg.Topics)
	if err != nil {
		return cfg, err
	}
	cfg.Topics = topics
	if cfg.Version == "" {
		cfg.Version = version.Version
	}
	if len(cfg.Version) > MaxVersionLen {
		return cfg, fmt.Errorf("status: version longer than %d bytes", MaxVersionLen)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Interval, DefaultInterval)
	def(&cfg.TTL, DefaultTTL)
	def(&cfg.AnnounceDelay, DefaultAnnounceDelay)
	def(&cfg.RequestTimeout, DefaultRequestTimeout)
	def(&cfg.RateWindow, DefaultRateWindow)
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	defInt(&cfg.MaxRecords, DefaultMaxRecords)
	defInt(&cfg.PeerQueue, DefaultPeerQueue)
	defInt(&cfg.EventQueue, DefaultEventQueue)
	defInt(&cfg.RateBurst, DefaultRateBurst)
	defInt(&cfg.RateDrops, DefaultRateDrops)
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
