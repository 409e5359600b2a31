package netsync

import (
	"log/slog"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Defaults for the zero fields of Config.
const (
	// DefaultWindow is how far ahead of the connected tip blocks are
	// fetched (Core's BLOCK_DOWNLOAD_WINDOW).
	DefaultWindow = 1024
	// DefaultMaxInFlight is how many blocks one peer is asked for at once
	// (Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER); DefaultMaxInFlightLocal is
	// the same for loopback and whitelisted peers, where round trips cost
	// nothing and deeper pipelines pay.
	DefaultMaxInFlight      = 16
	DefaultMaxInFlightLocal = 128
	// DefaultStallTimeout is the first wait for the peer that holds the
	// block at the start of the window when the window is full; it doubles
	// each time it fires, up to DefaultMaxStallTimeout, and shrinks back
	// as blocks arrive (Core #25880).
	DefaultStallTimeout    = 2 * time.Second
	DefaultMaxStallTimeout = 64 * time.Second
	// DefaultBlockTimeout: a peer that owes us blocks and delivers none for
	// this long is disconnected and its requests go to others.
	DefaultBlockTimeout = 60 * time.Second
	// DefaultHeadersTimeout: how long a getheaders waits. A peer that does
	// not answer and claims no more than we have is left alone (btcd does
	// not answer while its tip is old); one that claims more is dropped.
	DefaultHeadersTimeout = 2 * time.Minute
	// DefaultTrickleOutbound and DefaultTrickleInbound are the means of
	// the random delays between transaction announcements to a peer
	// (Core's OUTBOUND_ and INBOUND_INVENTORY_BROADCAST_INTERVAL).
	DefaultTrickleOutbound = 2 * time.Second
	DefaultTrickleInbound  = 5 * time.Second
	// DefaultProgressInterval is the least time between progress logs.
	DefaultProgressInterval = 5 * time.Second
	// DefaultMaxBatch bounds the blocks handed to the chain state at once.
	DefaultMaxBatch = 2000
	// DefaultMaxHeldBytes bounds the bytes of downloaded blocks waiting to
	// be connected; the window stops growing beyond it.
	DefaultMaxHeldBytes = 256 << 20
	// DefaultInvRate and DefaultInvBurst bound the inventory entries a
	// peer may announce: a full inv message (50,000) at once, then 1,000 a
	// second. Beyond that each message costs InvFloodScore.
	DefaultInvRate  = 1000
	DefaultInvBurst = wire.MaxInvPerMsg
)

// Misbehaviour points netsync adds (btcpeer.Config.BanThreshold, 100,
// disconnects).
const (
	ScoreInvalidHeader  = 100 // a header breaks a rule, or builds on an invalid one
	ScoreBadHeaders     = 100 // a headers reply that is not a chain or does not connect
	ScoreUnconnecting   = 20  // an announcement whose parent is unknown
	ScoreInvalidBlock   = 100 // a block that breaks a rule
	ScoreInvFlood       = 20  // inventory beyond the peer's token bucket
	ScoreBlockStall     = 20  // owed blocks, delivered none for BlockTimeout
	ScoreHeadersTimeout = 20  // claims more headers, did not answer
)

// Chain is what the sync manager needs of the chain state; *store.Store has
// it. Reads may be called from any goroutine.
type Chain interface {
	Params() *chain.Params
	Tip() store.TipInfo
	BestHeader() store.TipInfo
	AddHeaders(headers []wire.BlockHeader) (int, error)
	ProcessBlocks(blocks []*wire.MsgBlock) error
	BlockInfo(hash wire.Hash) (store.BlockInfo, bool)
	BlockHashAt(height int32) (wire.Hash, bool)
	HaveBlock(hash wire.Hash) bool
	HaveHeader(hash wire.Hash) bool
	Locator() []wire.Hash
	MissingBlocks(max int) []wire.Hash
	HeadersAfter(locator []wire.Hash, stop wire.Hash, max int) []wire.BlockHeader
	RawBlock(hash wire.Hash) ([]byte, error)
	Subscribe(fn func(store.Event)) (cancel func())
}

// TxPool is what transaction relay needs of the mempool; *mempool.Pool has
// it. Nil in Config turns transaction relay off (Bitcoin profiles, whose
// scripts ledgernet does not validate).
type TxPool interface {
	Accept(tx *wire.MsgTx) (*mempool.TxDesc, error)
	Get(hash wire.Hash) *wire.MsgTx
	Has(hash wire.Hash) bool
	TxHashes() []wire.Hash
	// FeeRate is a pooled transaction's fee per 1,000 bytes; MinFeeRate
	// the least the pool accepts (sent to peers in feefilter).
	FeeRate(hash wire.Hash) (int64, bool)
	MinFeeRate() int64
}

// Config configures a Manager. Chain is required; every zero field means
// its default.
type Config struct {
	Chain Chain
	Pool  TxPool

	Window           int
	MaxInFlight      int
	MaxInFlightLocal int
	StallTimeout     time.Duration
	MaxStallTimeout  time.Duration
	BlockTimeout     time.Duration
	HeadersTimeout   time.Duration
	MaxBatch         int
	MaxHeldBytes     int

	TrickleOutbound time.Duration
	TrickleInbound  time.Duration

	InvRate  float64
	InvBurst float64

	ProgressInterval time.Duration

	// Local reports peers treated as local (deeper pipelines); nil means
	// loopback addresses.
	Local func(addr string) bool

	Clock  p2p.Clock    // nil means p2p.SystemClock
	Logger *slog.Logger // nil discards logs
}

func (c Config) withDefaults() Config {
	seti := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	seti(&c.Window, DefaultWindow)
	seti(&c.MaxInFlight, DefaultMaxInFlight)
	seti(&c.MaxInFlightLocal, DefaultMaxInFlightLocal)
	seti(&c.MaxBatch, DefaultMaxBatch)
	seti(&c.MaxHeldBytes, DefaultMaxHeldBytes)
	setd(&c.StallTimeout, DefaultStallTimeout)
	setd(&c.MaxStallTimeout, DefaultMaxStallTimeout)
	setd(&c.BlockTimeout, DefaultBlockTimeout)
	setd(&c.HeadersTimeout, DefaultHeadersTimeout)
	setd(&c.TrickleOutbound, DefaultTrickleOutbound)
	setd(&c.TrickleInbound, DefaultTrickleInbound)
	setd(&c.ProgressInterval, DefaultProgressInterval)
	if c.InvRate <= 0 {
		c.InvRate = DefaultInvRate
	}
	if c.InvBurst <= 0 {
		c.InvBurst = DefaultInvBurst
	}
	if c.Clock == nil {
		c.Clock = p2p.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Local == nil {
		c.Local = isLoopback
	}
	return c
}
