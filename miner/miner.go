package miner

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Errors of the miner.
var (
	// ErrStale means the tip moved (or the template aged) while solving;
	// MineBlock handles it by building a new template.
	ErrStale = errors.New("miner: template is stale")
	// ErrRunning means Start was called on a running miner.
	ErrRunning = errors.New("miner: already running")
)

// Chain is what the miner needs of the chain state (*store.Store has it).
type Chain interface {
	Params() *chain.Params
	Tip() store.TipInfo
	NextBlock(now time.Time) store.NextBlockInfo
	CheckBlockTemplate(b *wire.MsgBlock) error
	ProcessBlock(b *wire.MsgBlock) error
}

// TxSource supplies a template's transactions (*mempool.Pool has it).
type TxSource interface {
	TemplateTxs(maxWeight, maxSigOps int) []mempool.TxDesc
}

// Defaults of Config.
const (
	DefaultMaxBlockWeight = 1_000_000
	// DefaultMaxTemplateAge is how long a template is mined before it is
	// rebuilt with the pool's newer transactions.
	DefaultMaxTemplateAge = 10 * time.Second
	// checkEvery is how many nonces are tried between checks of the
	// context, the tip and the clock.
	checkEvery = 1 << 12
	// pacePoll bounds each wait of a paced miner, so that it notices a new
	// tip (and restarts its wait) within this long.
	pacePoll = 50 * time.Millisecond
	// coinbaseReserve is the weight left for the coinbase.
	coinbaseReserve = 4000
	// maxBlockSigOps is Bitcoin's legacy sigop budget of a block.
	maxBlockSigOps = 20_000
)

// Config configures a Miner.
type Config struct {
	// Chain is the chain state; required.
	Chain Chain
	// Txs supplies transactions; nil mines coinbase-only blocks.
	Txs TxSource
	// PayTo is the coinbase output's script (for the devnet a P2PKH of the
	// miner's key, see wallet.Wallet.PkScript); required.
	PayTo []byte
	// Text goes at the end of the coinbase scriptSig (at most 60 bytes).
	Text []byte
	// MaxBlockWeight bounds templates; 0 means 1,000,000.
	MaxBlockWeight int
	// MaxTemplateAge: 0 means 10 s.
	MaxTemplateAge time.Duration
	// Now is the clock for timestamps and template age; nil means time.Now.
	Now func() time.Time
	// Logger receives the miner's logs; nil discards them.
	Logger *slog.Logger

	// MinInterval paces the background miner (Start): it starts mining on
	// a tip only once that tip has been the tip, as far as the miner has
	// seen, for MinInterval plus a random extra of up to Jitter (so that
	// several paced miners do not all start at the same instant). Zero
	// mines as fast as the proof of work allows. A devnet on the real
	// clock needs it: mining faster than the target spacing makes the
	// chain up to 4× harder at each retarget, and soon slow to mine.
	MinInterval time.Duration
	Jitter      time.Duration
	// PaceFrom is the first height MinInterval applies to: the blocks
	// below it are mined at full speed (a devnet's first blocks, so that
	// coinbase outputs mature early).
	PaceFrom int32
	// Clock times the pacing waits; nil means p2p.SystemClock.
	Clock p2p.Clock
}

// Miner mines blocks. MineBlock may be called from any goroutine, but only
// one mining at a time makes sense; Start/Stop run it in the background.
type Miner struct {
	cfg Config
	log *slog.Logger

	// mu guards cancel, done, extraNonce, mined and err.
	mu         sync.Mutex
	cancel     context.CancelFunc
	done       chan struct{}
	extraNonce uint64
	mined      uint64
	err        error
}

// New returns a miner.
func New(cfg Config) (*Miner, error) {
	if cfg.Chain == nil || len(cfg.PayTo) == 0 {
		return nil, errors.New("miner: Config.Chain and Config.PayTo are required")
	}
	if len(cfg.Text) > 60 {
		return nil, errors.New("miner: Config.Text longer than 60 bytes")
	}
	if cfg.MaxBlockWeight <= 0 {
		cfg.MaxBlockWeight = DefaultMaxBlockWeight
	}
	if cfg.MaxTemplateAge <= 0 {
		cfg.MaxTemplateAge = DefaultMaxTemplateAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MinInterval < 0 || cfg.Jitter < 0 {
		return nil, errors.New("miner: negative Config.MinInterval or Config.Jitter")
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	m := &Miner{cfg: cfg, log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

// Template is a block being mined.
type Template struct {
	Block *wire.MsgBlock
	// Height is the block's height; Fees what its transactions pay.
	Height int32
	Fees   int64
	// built is when the template was made.
	built time.Time
	txids []wire.Hash
	next  store.NextBlockInfo
}

// NewTemplate builds a block on the connected tip and checks it against
// the chain state (falling back to the coinbase alone if the pool's
// transactions do not fit). The proof of work is not solved. ErrStale means
// the tip moved while it was being built.
func (m *Miner) NewTemplate() (*Template, error) {
	now := m.cfg.Now()
	next := m.cfg.Chain.NextBlock(now)
	var txs []mempool.TxDesc
	if m.cfg.Txs != nil {
		txs = m.cfg.Txs.TemplateTxs(m.cfg.MaxBlockWeight-coinbaseReserve, maxBlockSigOps-100)
	}
	t := m.build(next, txs, now)
	if err := m.cfg.Chain.CheckBlockTemplate(t.Block); err != nil {
		if errors.Is(err, store.ErrBadTemplate) {
			return nil, fmt.Errorf("%w: %w", ErrStale, err) // the tip moved meanwhile
		}
		if len(txs) == 0 {
			return nil, fmt.Errorf("miner: coinbase-only template rejected: %w", err)
		}
		m.log.Warn("template with pool transactions rejected, mining the coinbase alone", "err", err)
		t = m.build(next, nil, now)
		if err := m.cfg.Chain.CheckBlockTemplate(t.Block); err != nil {
			return nil, fmt.Errorf("miner: coinbase-only template rejected: %w", err)
		}
	}
	return t, nil
}

func (m *Miner) build(next store.NextBlockInfo, txs []mempool.TxDesc, now time.Time) *Template {
	t := &Template{Height: next.Height, built: now, next: next}
	b := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:   4,
			PrevBlock: next.PrevBlock,
			Timestamp: next.Timestamp,
			Bits:      next.Bits,
		},
		Transactions: make([]*wire.MsgTx, 1, 1+len(txs)),
	}
	t.txids = make([]wire.Hash, 1, 1+len(txs))
	for _, d := range txs {
		b.Transactions = append(b.Transactions, d.Tx)
		t.txids = append(t.txids, d.Hash)
		t.Fees += d.Fee
	}
	t.Block = b
	m.setCoinbase(t)
	return t
}

// setCoinbase puts a coinbase with the next extra nonce in t and updates
// the merkle root.
func (m *Miner) setCoinbase(t *Template) {
	m.mu.Lock()
	m.extraNonce++
	en := m.extraNonce
	m.mu.Unlock()
	var nonce [8]byte
	binary.LittleEndian.PutUint64(nonce[:], en)
	script := chain.AppendScriptInt(nil, int64(t.Height))
	script = chain.AppendPush(script, nonce[:])
	if len(m.cfg.Text) > 0 {
		script = chain.AppendPush(script, m.cfg.Text)
	}
	cb := &wire.MsgTx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
			SignatureScript:  script,
			Sequence:         0xffffffff,
		}},
		TxOut: []*wire.TxOut{{
			Value:    ledger.Subsidy(m.cfg.Chain.Params(), t.Height) + t.Fees,
			PkScript: m.cfg.PayTo,
		}},
	}
	t.Block.Transactions[0] = cb
	t.txids[0] = cb.TxHash()
	t.Block.Header.MerkleRoot, _ = chain.MerkleRoot(t.txids)
}

// Solve searches nonces until the header meets its target. It returns
// ErrStale when the tip moves or the template ages past MaxTemplateAge, and
// the context's error when it is done. When the nonces run out it moves to
// a new extra nonce and timestamp.
func (m *Miner) Solve(ctx context.Context, t *Template) error {
	h := &t.Block.Header
	target, neg, over := chain.CompactToUint256(h.Bits)
	if neg || over || target.IsZero() {
		return fmt.Errorf("miner: bits %08x do not give a target", h.Bits)
	}
	var buf [wire.BlockHeaderSize]byte
	h.Put(buf[:])
	for nonce := uint64(0); ; nonce++ {
		if nonce > 0xffffffff {
			// Exhausted: a fresh coinbase gives a fresh merkle root.
			m.setCoinbase(t)
			ts := uint32(max(m.cfg.Now().Unix(), int64(h.Timestamp)))
			if ts != h.Timestamp {
				return ErrStale // the bits may depend on the time
			}
			h.Put(buf[:])
			nonce = 0
		}
		binary.LittleEndian.PutUint32(buf[76:], uint32(nonce))
		hash := wire.HeaderHash(&buf)
		if hv := chain.HashToUint256(&hash); hv.Cmp(target) <= 0 {
			h.Nonce = uint32(nonce)
			return nil
		}
		if nonce%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if m.cfg.Chain.Tip().Hash != h.PrevBlock || m.cfg.Now().Sub(t.built) > m.cfg.MaxTemplateAge {
				return ErrStale
			}
		}
	}
}

// MineBlock builds, solves and submits one block on the connected tip,
// starting over when the tip moves. It returns the block once ProcessBlock
// accepted it.
func (m *Miner) MineBlock(ctx context.Context) (*wire.MsgBlock, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, err := m.NewTemplate()
		if errors.Is(err, ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		switch err := m.Solve(ctx, t); {
		case errors.Is(err, ErrStale):
			continue
		case err != nil:
			return nil, err
		}
		if err := m.cfg.Chain.ProcessBlock(t.Block); err != nil {
			return nil, fmt.Errorf("miner: block %s rejected: %w", t.Block.BlockHash(), err)
		}
		m.mu.Lock()
		m.mined++
		m.mu.Unlock()
		m.log.Info("block mined", "hash", t.Block.BlockHash(), "height", t.Height,
			"txs", len(t.Block.Transactions), "fees", t.Fees)
		return t.Block, nil
	}
}

// Start mines in a goroutine until Stop, or until an error (kept for Err).
func (m *Miner) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cancel != nil {
		return ErrRunning
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done, m.err = cancel, make(chan struct{}), nil
	go m.loop(ctx, m.done)
	return nil
}

func (m *Miner) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	var ps paceState
	for ctx.Err() == nil {
		if m.pace(ctx, &ps) != nil {
			return
		}
		if _, err := m.MineBlock(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			var be *store.BlockError
			if errors.As(err, &be) {
				// The pool or the tip changed between the template check
				// and the submission; the next template is built afresh.
				m.log.Warn("mined block rejected", "err", err)
				continue
			}
			// A block the chain refused, or a storage failure: retrying
			// would spin on the same error.
			m.log.Error("miner stopped", "err", err)
			m.mu.Lock()
			m.err = err
			m.mu.Unlock()
			return
		}
	}
}

// paceState is the tip a paced miner waits on: since when it has seen it,
// and the random extra wait drawn for it.
type paceState struct {
	hash  wire.Hash
	seen  time.Time
	extra time.Duration
}

// pace waits until the tip is old enough to mine on (Config.MinInterval);
// it returns at once for an unpaced miner or below Config.PaceFrom, and
// the context's error when it is done.
func (m *Miner) pace(ctx context.Context, ps *paceState) error {
	if m.cfg.MinInterval <= 0 {
		return nil
	}
	for {
		tip := m.cfg.Chain.Tip()
		now := m.cfg.Clock.Now()
		if tip.Hash != ps.hash || ps.seen.IsZero() {
			ps.hash, ps.seen, ps.extra = tip.Hash, now, 0
			if m.cfg.Jitter > 0 {
				ps.extra = time.Duration(rand.Int64N(int64(m.cfg.Jitter) + 1))
			}
		}
		if tip.Height+1 < m.cfg.PaceFrom {
			return nil
		}
		wait := ps.seen.Add(m.cfg.MinInterval + ps.extra).Sub(now)
		if wait <= 0 {
			return nil
		}
		t := m.cfg.Clock.NewTimer(min(wait, pacePoll))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C():
		}
	}
}

// Stop stops the mining goroutine and waits for it to return.
func (m *Miner) Stop() {
	m.mu.Lock()
	cancel, done := m.cancel, m.done
	m.cancel, m.done = nil, nil
	m.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// Mined returns how many blocks this miner got accepted.
func (m *Miner) Mined() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mined
}

// Err returns the error that stopped the background miner, if any.
func (m *Miner) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}
