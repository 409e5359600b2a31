package mempool

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

// sortedBySeq returns the entries in arrival order. mu must be held.
func (p *Pool) sortedBySeq() []*entry {
	out := make([]*entry, 0, len(p.txs))
	for _, e := range p.txs {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// Has reports whether a transaction is pooled.
func (p *Pool) Has(hash wire.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.txs[hash]
	return ok
}

// Get returns a pooled transaction, nil if absent. Do not modify it.
func (p *Pool) Get(hash wire.Hash) *wire.MsgTx {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.txs[hash]; ok {
		return e.Tx
	}
	return nil
}

// TxHashes returns the hashes of the pooled transactions in arrival order
// (for an inv in reply to a mempool request).
func (p *Pool) TxHashes() []wire.Hash {
	p.mu.Lock()
	defer p.mu.Unlock()
	es := p.sortedBySeq()
	out := make([]wire.Hash, len(es))
	for i, e := range es {
		out[i] = e.Hash
	}
	return out
}

// FeeRate returns a pooled transaction's fee per 1,000 bytes, false if it
// is not pooled.
func (p *Pool) FeeRate(hash wire.Hash) (int64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.txs[hash]; ok {
		return e.FeeRate(), true
	}
	return 0, false
}

// MinFeeRate returns the least fee per 1,000 bytes the pool accepts, what
// a node tells its peers in feefilter (BIP133).
func (p *Pool) MinFeeRate() int64 { return p.minFeeRate }

// IsSpent reports whether a pooled transaction spends op.
func (p *Pool) IsSpent(op wire.OutPoint) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.spends[op]
	return ok
}

// PendingOutputs returns the unspent outputs paying pkScript of the pooled
// transactions that spend only coins of pkScript, in arrival order: a
// wallet's own change, which it may spend before a block confirms it (as
// Core's wallet spends its trusted change). Payments from others are left
// out: their sender could still replace them in a block.
func (p *Pool) PendingOutputs(pkScript []byte) []store.OutputCoin {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []store.OutputCoin
	for _, e := range p.sortedBySeq() {
		if e.owner == nil || !bytes.Equal(e.owner, pkScript) {
			continue
		}
		for i, o := range e.Tx.TxOut {
			op := wire.OutPoint{Hash: e.Hash, Index: uint32(i)}
			if _, spent := p.spends[op]; spent || !bytes.Equal(o.PkScript, pkScript) {
				continue
			}
			out = append(out, store.OutputCoin{OutPoint: op, Coin: ledger.Coin{Value: o.Value, PkScript: o.PkScript}})
		}
	}
	return out
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Count, s.Bytes = len(p.txs), p.bytes
	return s
}

// Count returns the number of pooled transactions.
func (p *Pool) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.txs)
}

// witnessScale is BIP141's weight of a base byte.
const witnessScale = 4

// maxBlockSigOps is Bitcoin's legacy sigop budget of a block
// (MAX_BLOCK_SIGOPS_COST / 4).
const maxBlockSigOps = 20_000

// TemplateTxs returns transactions for a block: highest fee rate first,
// each after its pooled parents, within maxWeight weight units and the
// block's legacy sigop budget (the caller reserves room for its coinbase).
// A transaction whose parent did not fit is left out.
func (p *Pool) TemplateTxs(maxWeight, maxSigOps int) []TxDesc {
	p.mu.Lock()
	defer p.mu.Unlock()
	if maxSigOps <= 0 || maxSigOps > maxBlockSigOps {
		maxSigOps = maxBlockSigOps
	}
	order := p.sortedBySeq()
	slices.SortStableFunc(order, func(a, b *entry) int { return cmp.Compare(b.FeeRate(), a.FeeRate()) })
	var (
		out      []TxDesc
		in       = make(map[wire.Hash]struct{})
		weight   int
		sigOps   int
		progress = true
	)
	// Each pass adds what fits among the transactions whose parents are
	// already in; a chain of k dependents needs at most k passes.
	for progress {
		progress = false
		for _, e := range order {
			if _, ok := in[e.Hash]; ok {
				continue
			}
			ready := true
			for _, txin := range e.Tx.TxIn {
				if _, pooled := p.txs[txin.PreviousOutPoint.Hash]; pooled {
					if _, ok := in[txin.PreviousOutPoint.Hash]; !ok {
						ready = false
						break
					}
				}
			}
			if !ready {
				continue
			}
			w := e.Size * witnessScale
			so := chain.TxLegacySigOpCount(e.Tx)
			if weight+w > maxWeight || sigOps+so > maxSigOps {
				continue
			}
			weight += w
			sigOps += so
			in[e.Hash] = struct{}{}
			out = append(out, e.TxDesc)
			progress = true
		}
	}
	return out
}
