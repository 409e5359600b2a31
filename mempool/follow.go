package mempool

import (
	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

// HandleEvent follows the chain: subscribe it with store.Subscribe.
func (p *Pool) HandleEvent(ev store.Event) {
	switch ev.Kind {
	case store.EventBlockConnected:
		p.BlockConnected(ev.Block)
	case store.EventBlockDisconnected:
		p.BlockDisconnected(ev.Block)
	case store.EventTipChanged:
		p.TipChanged()
	}
}

// BlockConnected removes the block's transactions and every pooled
// transaction that spends an output the block spent, with descendants.
func (p *Pool) BlockConnected(b *wire.MsgBlock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, tx := range b.Transactions {
		if i == 0 {
			continue
		}
		h := tx.TxHash()
		if _, ok := p.txs[h]; ok {
			// Its children stay: the outputs they spend are now coins.
			p.remove(h)
			p.stats.Confirmed++
		}
		for _, in := range tx.TxIn {
			if other, ok := p.spends[in.PreviousOutPoint]; ok {
				p.stats.Conflicted += uint64(p.removeTree(other))
			}
		}
	}
}

// BlockDisconnected offers the block's transactions to the pool again (the
// fee floor does not apply to them) and makes the next TipChanged check the
// whole pool against the new chain.
func (p *Pool) BlockDisconnected(b *wire.MsgBlock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recheck = true
	for i, tx := range b.Transactions {
		if i == 0 {
			continue
		}
		// Errors are expected: the new chain may hold or conflict with it.
		if _, err := p.accept(tx, true); err == nil {
			p.stats.Readded++
		}
	}
}

// TipChanged drops expired transactions, and re-validates the pool after a
// reorganisation: each transaction
// (parents first) must still find its coins, be final and mature at the next
// height, and not overspend; one that fails goes with its descendants.
// Signatures are not checked again: they do not depend on the chain.
func (p *Pool) TipChanged() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expire()
	if !p.recheck {
		return
	}
	p.recheck = false
	for _, h := range p.topoOrder() {
		e, ok := p.txs[h]
		if !ok {
			continue // went with an ancestor
		}
		if err := p.recheckTx(e.Tx); err != nil {
			p.log.Debug("transaction dropped after reorganisation", "tx", h, "err", err)
			p.stats.Dropped += uint64(p.removeTree(h))
		}
	}
}

func (p *Pool) recheckTx(tx *wire.MsgTx) error {
	coins, tip, err := p.resolve(tx)
	if err != nil {
		return err
	}
	next := tip.Height + 1
	if !chain.IsFinalTx(tx, next, int64(tip.MedianTimePast)) {
		return ErrNonFinal
	}
	_, err = ledger.CheckTxInputs(p.params, tx, coins, next)
	return err
}

// topoOrder returns the pooled transactions with every transaction after
// its pooled parents, by arrival among independent ones. mu must be held.
func (p *Pool) topoOrder() []wire.Hash {
	bySeq := p.sortedBySeq()
	out := make([]wire.Hash, 0, len(bySeq))
	done := make(map[wire.Hash]struct{}, len(bySeq))
	var visit func(e *entry)
	visit = func(e *entry) {
		if _, ok := done[e.Hash]; ok {
			return
		}
		done[e.Hash] = struct{}{}
		for _, in := range e.Tx.TxIn {
			if parent, ok := p.txs[in.PreviousOutPoint.Hash]; ok {
				visit(parent)
			}
		}
		out = append(out, e.Hash)
	}
	for _, e := range bySeq {
		visit(e)
	}
	return out
}
