package mempool

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

// Policy failures. Ledger rule failures wrap the sentinels of package
// ledger; context-free ones those of package chain.
var (
	ErrAlreadyHave   = errors.New("mempool: transaction already in the pool")
	ErrCoinbase      = errors.New("mempool: coinbase transactions are only valid in blocks")
	ErrWitness       = errors.New("mempool: witness data is not allowed on this network")
	ErrTooLarge      = errors.New("mempool: transaction larger than the policy limit")
	ErrNonFinal      = errors.New("mempool: transaction is not final at the next height")
	ErrDoubleSpend   = errors.New("mempool: txn-mempool-conflict: input already spent by a pooled transaction")
	ErrMissingInputs = errors.New("mempool: missing-inputs: input spends an unknown output (orphans are not kept)")
	ErrFeeTooLow     = errors.New("mempool: min-relay-fee-not-met: fee rate below the minimum")
	ErrPoolFull      = errors.New("mempool: mempool-full: fee rate too low to evict anything")
)

// Chain is what the pool needs of the chain state (*store.Store has it).
type Chain interface {
	// FetchCoins returns the coins found, with the tip they belong to.
	FetchCoins(ops []wire.OutPoint) (map[wire.OutPoint]ledger.Coin, store.TipInfo, error)
}

// Defaults of Config.
const (
	DefaultMaxTxs     = 5000
	DefaultMaxBytes   = 16 << 20
	DefaultMaxTxSize  = 100_000
	DefaultMinFeeRate = 1000            // units per 1000 bytes: 1 unit a byte
	DefaultExpiry     = 336 * time.Hour // two weeks, as Core's -mempoolexpiry
)

// Config configures a Pool. The zero value of each field means its default.
type Config struct {
	// Params are the network's; Chain its state. Both are required.
	Params *chain.Params
	Chain  Chain
	// MaxTxs and MaxBytes bound the pool (5,000 transactions, 16 MiB).
	MaxTxs   int
	MaxBytes int
	// MaxTxSize is the largest transaction accepted (100,000 bytes, as
	// Core's standardness limit).
	MaxTxSize int
	// MinFeeRate is the least fee per 1,000 bytes (1,000: one unit a byte);
	// negative means no minimum.
	MinFeeRate int64
	// Expiry is how long a transaction may wait in the pool before it is
	// dropped with its descendants (336 hours, as Core); negative means
	// never.
	Expiry time.Duration
	// Now stamps transactions on arrival; nil means time.Now.
	Now func() time.Time
	// Logger receives the pool's logs; nil discards them.
	Logger *slog.Logger
}

// TxDesc describes a pooled transaction.
type TxDesc struct {
	Tx   *wire.MsgTx
	Hash wire.Hash
	// Fee is inputs minus outputs; Size the serialized size in bytes.
	Fee  int64
	Size int
	// Added is when the pool accepted it.
	Added time.Time
}

// FeeRate returns the fee per 1,000 bytes.
func (d *TxDesc) FeeRate() int64 { return feeRate(d.Fee, d.Size) }

// feeRate is fee·1000/size. fee ≤ MaxMoney (2.1·10^15) keeps the product
// within int64.
func feeRate(fee int64, size int) int64 {
	if size <= 0 {
		return 0
	}
	return fee * 1000 / int64(size)
}

// Stats counts what the pool did.
type Stats struct {
	Count, Bytes int
	Accepted     uint64
	Rejected     uint64 // any refusal, including the two below
	RefusedFull  uint64 // refused with ErrPoolFull
	Orphans      uint64 // refused with ErrMissingInputs
	Evicted      uint64 // removed to make room
	Confirmed    uint64 // removed by a connected block
	Conflicted   uint64 // removed for spending what a block spent
	Readded      uint64 // offered again from a disconnected block and accepted
	Dropped      uint64 // removed after a reorganisation made them invalid
	Expired      uint64 // removed after waiting longer than Config.Expiry
}

type entry struct {
	TxDesc
	seq uint64
	// owner is the script that every input's coin pays, nil when the
	// inputs belong to different scripts: the wallet whose change this
	// transaction's outputs to owner are (PendingOutputs).
	owner []byte
}

// Pool is the memory pool. See the package documentation.
type Pool struct {
	params     *chain.Params
	chain      Chain
	maxTxs     int
	maxBytes   int
	maxTxSize  int
	minFeeRate int64
	expiry     time.Duration // 0: never
	now        func() time.Time
	log        *slog.Logger

	// mu guards txs, spends, bytes, seq, recheck and stats.
	mu     sync.Mutex
	txs    map[wire.Hash]*entry
	spends map[wire.OutPoint]wire.Hash // outpoint → pooled tx spending it
	bytes  int
	seq    uint64
	// recheck is set by a disconnected block: the next tip change
	// re-validates the pool.
	recheck bool
	// nextExpiry is no later than when the oldest transaction expires:
	// before it, expire has nothing to do.
	nextExpiry time.Time
	stats      Stats
}

// New returns an empty pool.
func New(cfg Config) (*Pool, error) {
	if cfg.Params == nil || cfg.Chain == nil {
		return nil, errors.New("mempool: Config.Params and Config.Chain are required")
	}
	p := &Pool{
		params:     cfg.Params,
		chain:      cfg.Chain,
		maxTxs:     cfg.MaxTxs,
		maxBytes:   cfg.MaxBytes,
		maxTxSize:  cfg.MaxTxSize,
		minFeeRate: cfg.MinFeeRate,
		expiry:     cfg.Expiry,
		now:        cfg.Now,
		log:        cfg.Logger,
		txs:        make(map[wire.Hash]*entry),
		spends:     make(map[wire.OutPoint]wire.Hash),
	}
	if p.maxTxs <= 0 {
		p.maxTxs = DefaultMaxTxs
	}
	if p.maxBytes <= 0 {
		p.maxBytes = DefaultMaxBytes
	}
	if p.maxTxSize <= 0 {
		p.maxTxSize = DefaultMaxTxSize
	}
	switch {
	case p.minFeeRate == 0:
		p.minFeeRate = DefaultMinFeeRate
	case p.minFeeRate < 0:
		p.minFeeRate = 0
	}
	switch {
	case p.expiry == 0:
		p.expiry = DefaultExpiry
	case p.expiry < 0:
		p.expiry = 0
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Accept validates tx and adds it to the pool. See the package doc for the
// rules; errors wrap the sentinels of this package, of ledger and of chain.
func (p *Pool) Accept(tx *wire.MsgTx) (*TxDesc, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	d, err := p.accept(tx, false)
	if err != nil {
		p.stats.Rejected++
		switch {
		case errors.Is(err, ErrPoolFull):
			p.stats.RefusedFull++
		case errors.Is(err, ErrMissingInputs):
			p.stats.Orphans++
		}
		return nil, err
	}
	p.stats.Accepted++
	desc := d.TxDesc
	return &desc, nil
}

// accept is Accept with mu held. readd relaxes the fee floor for
// transactions coming back from a disconnected block.
func (p *Pool) accept(tx *wire.MsgTx, readd bool) (*entry, error) {
	hash := tx.TxHash()
	if _, ok := p.txs[hash]; ok {
		return nil, ErrAlreadyHave
	}
	if err := chain.CheckTransaction(tx); err != nil {
		return nil, err
	}
	if chain.IsCoinBase(tx) {
		return nil, ErrCoinbase
	}
	if tx.HasWitness() {
		return nil, ErrWitness
	}
	size := tx.SerializeSize(wire.BaseEncoding)
	if size > p.maxTxSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
	}
	for i, in := range tx.TxIn {
		if other, ok := p.spends[in.PreviousOutPoint]; ok {
			return nil, fmt.Errorf("input %d: %w: %s spent by %s", i, ErrDoubleSpend, in.PreviousOutPoint, other)
		}
	}
	coins, tip, err := p.resolve(tx)
	if err != nil {
		return nil, err
	}
	next := tip.Height + 1
	if !chain.IsFinalTx(tx, next, int64(tip.MedianTimePast)) {
		return nil, fmt.Errorf("%w: lock time %d", ErrNonFinal, tx.LockTime)
	}
	fee, err := ledger.CheckTxInputs(p.params, tx, coins, next)
	if err != nil {
		return nil, err
	}
	if !readd && feeRate(fee, size) < p.minFeeRate {
		return nil, fmt.Errorf("%w: %d per kB, minimum %d", ErrFeeTooLow, feeRate(fee, size), p.minFeeRate)
	}
	var v ledger.Verifier
	for i := range tx.TxIn {
		if err := v.Verify(tx, i, coins[i].PkScript); err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
	}
	if err := p.makeRoom(tx, feeRate(fee, size), size); err != nil {
		return nil, err
	}
	p.seq++
	e := &entry{TxDesc: TxDesc{Tx: tx, Hash: hash, Fee: fee, Size: size, Added: p.now()}, seq: p.seq, owner: coins[0].PkScript}
	for _, c := range coins[1:] {
		if !bytes.Equal(c.PkScript, e.owner) {
			e.owner = nil
			break
		}
	}
	if p.expiry > 0 && len(p.txs) == 0 {
		p.nextExpiry = e.Added.Add(p.expiry)
	}
	p.txs[hash] = e
	for _, in := range tx.TxIn {
		p.spends[in.PreviousOutPoint] = hash
	}
	p.bytes += size
	p.log.Debug("transaction accepted", "tx", hash, "fee", fee, "size", size)
	return e, nil
}

// resolve finds the coin each input of tx spends, in the pool first, then
// in the chain. mu must be held.
func (p *Pool) resolve(tx *wire.MsgTx) ([]ledger.Coin, store.TipInfo, error) {
	coins := make([]ledger.Coin, len(tx.TxIn))
	found := make([]bool, len(tx.TxIn))
	var ask []wire.OutPoint
	for i, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if parent, ok := p.txs[op.Hash]; ok {
			if int(op.Index) >= len(parent.Tx.TxOut) {
				return nil, store.TipInfo{}, fmt.Errorf("input %d: %w: %s", i, ledger.ErrMissingOrSpent, op)
			}
			out := parent.Tx.TxOut[op.Index]
			if !ledger.Spendable(out.PkScript) {
				return nil, store.TipInfo{}, fmt.Errorf("input %d: %w: %s", i, ledger.ErrNotSpendable, op)
			}
			// Height only matters for coinbase maturity; a pooled
			// transaction is never a coinbase.
			coins[i], found[i] = ledger.Coin{Value: out.Value, PkScript: out.PkScript}, true
			continue
		}
		ask = append(ask, op)
	}
	have, tip, err := p.chain.FetchCoins(ask)
	if err != nil {
		return nil, tip, fmt.Errorf("mempool: chain coins: %w", err)
	}
	for i, in := range tx.TxIn {
		if found[i] {
			coins[i].Height = tip.Height + 1
			continue
		}
		c, ok := have[in.PreviousOutPoint]
		if !ok {
			return nil, tip, fmt.Errorf("input %d: %w: %s", i, ErrMissingInputs, in.PreviousOutPoint)
		}
		coins[i] = c
	}
	return coins, tip, nil
}

// makeRoom evicts the lowest fee-rate transactions (with descendants) until
// a transaction of size bytes at rate fits, or fails with ErrPoolFull and
// evicts nothing. The new transaction's pooled ancestors are never evicted.
// mu must be held.
func (p *Pool) makeRoom(tx *wire.MsgTx, rate int64, size int) error {
	if len(p.txs)+1 <= p.maxTxs && p.bytes+size <= p.maxBytes {
		return nil
	}
	if size > p.maxBytes {
		return fmt.Errorf("%w: %d bytes exceed the pool's %d", ErrPoolFull, size, p.maxBytes)
	}
	keep := p.ancestors(tx)
	// Candidates by fee rate, lowest first (oldest first among equals).
	order := make([]*entry, 0, len(p.txs))
	for _, e := range p.txs {
		if _, ok := keep[e.Hash]; !ok {
			order = append(order, e)
		}
	}
	slices.SortFunc(order, func(a, b *entry) int {
		if ra, rb := a.FeeRate(), b.FeeRate(); ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.seq, b.seq)
	})
	// Plan first, so that a refusal evicts nothing.
	victims := make(map[wire.Hash]struct{})
	count, bytes := len(p.txs), p.bytes
	for _, e := range order {
		if count+1 <= p.maxTxs && bytes+size <= p.maxBytes {
			break
		}
		if _, gone := victims[e.Hash]; gone {
			continue
		}
		if e.FeeRate() >= rate {
			return fmt.Errorf("%w: lowest pooled fee rate %d per kB, this one %d", ErrPoolFull, e.FeeRate(), rate)
		}
		for _, h := range p.withDescendants(e.Hash) {
			if _, ok := keep[h]; ok {
				// Cannot happen: a descendant of a non-ancestor is not an
				// ancestor. Refuse rather than orphan the new one.
				return fmt.Errorf("%w: eviction would remove an ancestor", ErrPoolFull)
			}
			if _, gone := victims[h]; !gone {
				victims[h] = struct{}{}
				count--
				bytes -= p.txs[h].Size
			}
		}
	}
	if count+1 > p.maxTxs || bytes+size > p.maxBytes {
		return fmt.Errorf("%w: no room even after evicting", ErrPoolFull)
	}
	for h := range victims {
		p.remove(h)
		p.stats.Evicted++
	}
	return nil
}

// ancestors returns the pooled ancestors of tx. mu must be held.
func (p *Pool) ancestors(tx *wire.MsgTx) map[wire.Hash]struct{} {
	out := make(map[wire.Hash]struct{})
	stack := []*wire.MsgTx{tx}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, in := range t.TxIn {
			h := in.PreviousOutPoint.Hash
			if e, ok := p.txs[h]; ok {
				if _, seen := out[h]; !seen {
					out[h] = struct{}{}
					stack = append(stack, e.Tx)
				}
			}
		}
	}
	return out
}

// withDescendants returns h and every pooled transaction that spends its
// outputs, directly or not, parents before children. mu must be held.
func (p *Pool) withDescendants(h wire.Hash) []wire.Hash {
	out := []wire.Hash{h}
	seen := map[wire.Hash]struct{}{h: {}}
	for i := 0; i < len(out); i++ {
		e := p.txs[out[i]]
		if e == nil {
			continue
		}
		for o := range e.Tx.TxOut {
			if c, ok := p.spends[wire.OutPoint{Hash: out[i], Index: uint32(o)}]; ok {
				if _, s := seen[c]; !s {
					seen[c] = struct{}{}
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// remove takes one transaction out of the pool. mu must be held.
func (p *Pool) remove(h wire.Hash) {
	e, ok := p.txs[h]
	if !ok {
		return
	}
	delete(p.txs, h)
	for _, in := range e.Tx.TxIn {
		if p.spends[in.PreviousOutPoint] == h {
			delete(p.spends, in.PreviousOutPoint)
		}
	}
	p.bytes -= e.Size
}

// expire drops the transactions that have waited longer than the expiry,
// each with its descendants (which depend on it, however young). Accept
// and TipChanged call it, as Core expires on each new transaction. mu must
// be held.
func (p *Pool) expire() {
	now := p.now()
	if p.expiry == 0 || len(p.txs) == 0 || now.Before(p.nextExpiry) {
		return
	}
	cutoff := now.Add(-p.expiry)
	var old []wire.Hash
	for h, e := range p.txs {
		if e.Added.Before(cutoff) {
			old = append(old, h)
		}
	}
	for _, h := range old {
		if n := p.removeTree(h); n > 0 {
			p.stats.Expired += uint64(n)
			p.log.Debug("transaction expired", "tx", h, "removed", n)
		}
	}
	p.nextExpiry = time.Time{}
	for _, e := range p.txs {
		if t := e.Added.Add(p.expiry); p.nextExpiry.IsZero() || t.Before(p.nextExpiry) {
			p.nextExpiry = t
		}
	}
}

// removeTree removes h and its descendants and returns how many went.
// mu must be held.
func (p *Pool) removeTree(h wire.Hash) int {
	all := p.withDescendants(h)
	n := 0
	for _, d := range all {
		if _, ok := p.txs[d]; ok {
			p.remove(d)
			n++
		}
	}
	return n
}
