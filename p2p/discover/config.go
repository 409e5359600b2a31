package discover

import (
	"log/slog"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Protocol constants, go-ethereum's values.
const (
	bucketSize      = 16 // Kademlia k: nodes per bucket, and results per lookup
	maxReplacements = 10 // replacement list length per bucket
	alpha           = 3  // lookup concurrency

	// 17 buckets as go-ethereum: log distances 241..256 get a bucket each,
	// everything closer shares bucket 0. A random ID lands closer than 241
	// with probability 2^-15, so buckets for those distances would stay
	// empty; the table holds the same nodes as with 256 buckets.
	nBuckets          = 17
	hashBits          = 256
	bucketMinDistance = hashBits - nBuckets // 239

	maxFindnodeFailures = 5 // failures in a row before a node is dropped
	seedCount           = 30
	seedMaxAge          = 5 * 24 * time.Hour
)

// Defaults for Config.
const (
	DefaultRespTimeout        = 500 * time.Millisecond
	DefaultPacketExpiration   = 20 * time.Second
	DefaultBondExpiration     = 24 * time.Hour
	DefaultRefreshInterval    = 30 * time.Minute
	DefaultRevalidateInterval = 2 * time.Second
	DefaultRevalidateMinAge   = 10 * time.Second
	DefaultLookupInterval     = time.Second
	DefaultPacketRate         = 100 // packets per second per source IP
	DefaultPacketBurst        = 200
	DefaultRequestRate        = 20 // pings, findnodes, ENR requests per second per source IP
	DefaultRequestBurst       = 40
	DefaultBucketIPLimit      = 2  // nodes per /24 (IPv4) or /48 (IPv6) per bucket
	DefaultTableIPLimit       = 10 // nodes per /24 or /48 in the whole table
	DefaultENRFetchWorkers    = 8
)

// Config configures a discv4 node. The zero value of each field means its
// default; PrivateKey is required.
type Config struct {
	// PrivateKey is the node key. It must be the key of the LocalNode.
	PrivateKey *secp256k1.PrivateKey

	// DB remembers bonds and nodes across restarts. Nil means a
	// memory-only database owned (and closed) by the UDPv4.
	DB *nodedb.DB

	// Bootnodes are contacted when the table is empty: at start, and
	// whenever every node was dropped.
	Bootnodes []*enode.Node

	// Network, if set, makes RandomNodes yield only nodes whose record has
	// a "ledgernet" entry naming this network (records are fetched with
	// ENRRequest when not known). Lookups and the table are not filtered:
	// the DHT is shared with other programs.
	Network string

	// Log receives the node's logs; nil discards them.
	Log *slog.Logger

	// Clock is the source of time for timeouts, expirations and the
	// table's timers. Tests use dial.SystemClock inside a testing/synctest
	// bubble.
	Clock dial.Clock

	// Timing. go-ethereum's values by default.
	RespTimeout        time.Duration // wait for a reply (500 ms)
	PacketExpiration   time.Duration // expiration written in sent packets (20 s)
	BondExpiration     time.Duration // endpoint proof lifetime (24 h)
	RefreshInterval    time.Duration // random lookups to refresh the table (30 min)
	RevalidateInterval time.Duration // mean pause between liveness checks is half of it (2 s)
	RevalidateMinAge   time.Duration // a node seen alive this recently is not re-checked (10 s)
	LookupInterval     time.Duration // least pause between RandomNodes lookups (1 s)

	// Rate limits per source IP (token buckets; loopback exempt). Packets
	// are counted before the signature is checked, requests (Ping,
	// Findnode, ENRRequest: what makes us send) after. A negative rate
	// disables the limit.
	PacketRate, PacketBurst   float64
	RequestRate, RequestBurst float64

	// Subnet limits of the table (LAN and loopback exempt).
	BucketIPLimit, TableIPLimit int

	// ENRFetchWorkers bounds the ENR requests RandomNodes runs at once.
	ENRFetchWorkers int

	// NoRevalidate switches liveness checks off, NoRefresh the periodic
	// refresh (the initial one still runs), for tests that drive the table
	// by hand.
	NoRevalidate, NoRefresh bool
}

func (c *Config) withDefaults() Config {
	cfg := *c
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = dial.SystemClock{}
	}
	setDur := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setDur(&cfg.RespTimeout, DefaultRespTimeout)
	setDur(&cfg.PacketExpiration, DefaultPacketExpiration)
	setDur(&cfg.BondExpiration, DefaultBondExpiration)
	setDur(&cfg.RefreshInterval, DefaultRefreshInterval)
	setDur(&cfg.RevalidateInterval, DefaultRevalidateInterval)
	setDur(&cfg.RevalidateMinAge, DefaultRevalidateMinAge)
	setDur(&cfg.LookupInterval, DefaultLookupInterval)
	setRate := func(r, b *float64, defR, defB float64) {
		if *r == 0 {
			*r = defR
		}
		if *b <= 0 {
			*b = defB
		}
	}
	setRate(&cfg.PacketRate, &cfg.PacketBurst, DefaultPacketRate, DefaultPacketBurst)
	setRate(&cfg.RequestRate, &cfg.RequestBurst, DefaultRequestRate, DefaultRequestBurst)
	if cfg.BucketIPLimit <= 0 {
		cfg.BucketIPLimit = DefaultBucketIPLimit
	}
	if cfg.TableIPLimit <= 0 {
		cfg.TableIPLimit = DefaultTableIPLimit
	}
	if cfg.ENRFetchWorkers <= 0 {
		cfg.ENRFetchWorkers = DefaultENRFetchWorkers
	}
	return cfg
}
