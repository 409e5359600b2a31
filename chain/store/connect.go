package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// connectBlock applies block b at node n to the coin set in tx: checks the
// ledger rules, then writes the coin changes and the undo record. A rule
// failure is a *BlockError and writes nothing.
func (s *Store) connectBlock(tx *bolt.Tx, n *chain.HeaderNode, b *wire.MsgBlock) error {
	if !s.ledger {
		return nil
	}
	v := newCoinView(tx.Bucket(bucketCoins))
	undo, err := s.checkLedger(v, n.Hash(), n.Height(), b)
	if err != nil {
		return err
	}
	if err := v.flush(); err != nil {
		return err
	}
	h := n.Hash()
	return tx.Bucket(bucketUndo).Put(h[:], undo)
}

// sigJob is one input whose signature is to be verified.
type sigJob struct {
	tx, in int
	script []byte
}

// checkLedger checks the devnet ledger rules for block b at height against
// the coin view, spending and creating coins in the view as it goes (so a
// transaction may spend outputs of earlier transactions of the block), and
// returns the undo record: the spent coins in input order. Rule failures
// come back as a *BlockError naming the transaction and input.
func (s *Store) checkLedger(v *coinView, hash wire.Hash, height int32, b *wire.MsgBlock) ([]byte, error) {
	txids := chain.BlockTxIDs(b)
	ruleErr := func(i int, err error) error {
		return &BlockError{Hash: hash, Height: height, Err: fmt.Errorf("tx %d %s: %w", i, txids[i], err)}
	}
	var (
		fees  int64
		jobs  []sigJob
		undo  []byte
		coins []ledger.Coin
	)
	for i, t := range b.Transactions {
		if i > 0 {
			coins = coins[:0]
			for j, in := range t.TxIn {
				c, err := v.spend(in.PreviousOutPoint)
				if err != nil {
					if errors.Is(err, ErrCorrupt) {
						return nil, err
					}
					return nil, ruleErr(i, fmt.Errorf("input %d: %w", j, err))
				}
				if !ledger.Spendable(c.PkScript) {
					return nil, ruleErr(i, fmt.Errorf("input %d: %w", j, ledger.ErrNotSpendable))
				}
				coins = append(coins, c)
			}
			fee, err := ledger.CheckTxInputs(s.params, t, coins, height)
			if err != nil {
				return nil, ruleErr(i, err)
			}
			fees += fee
			if fees > chain.MaxMoney {
				return nil, ruleErr(i, fmt.Errorf("%w: %d", ErrFeesOutOfRange, fees))
			}
			for j := range coins {
				jobs = append(jobs, sigJob{tx: i, in: j, script: coins[j].PkScript})
				undo = ledger.AppendCoin(undo, &coins[j])
			}
		}
		for k, out := range t.TxOut {
			if !ledger.Spendable(out.PkScript) {
				continue // OP_RETURN and other scripts never become coins
			}
			op := wire.OutPoint{Hash: txids[i], Index: uint32(k)}
			c := ledger.Coin{Value: out.Value, PkScript: out.PkScript, Height: height, Coinbase: i == 0}
			if err := v.add(op, c); err != nil {
				return nil, ruleErr(i, err)
			}
		}
	}
	if err := ledger.CheckCoinbaseValue(s.params, b.Transactions[0], height, fees); err != nil {
		return nil, ruleErr(0, err)
	}
	if j, err := s.verifySigs(b, jobs); err != nil {
		return nil, ruleErr(jobs[j].tx, fmt.Errorf("input %d: %w", jobs[j].in, err))
	}
	return undo, nil
}

// sigChunk is how many signatures a worker takes at a time.
const sigChunk = 8

// verifySigs verifies the signature of every job, on up to s.verify
// goroutines that all end before it returns. On failure it returns the
// lowest failing job's index and error, so the error does not depend on
// scheduling.
func (s *Store) verifySigs(b *wire.MsgBlock, jobs []sigJob) (int, error) {
	workers := min(s.verify, (len(jobs)+sigChunk-1)/sigChunk)
	if workers <= 1 {
		var v ledger.Verifier
		for k, j := range jobs {
			if err := v.Verify(b.Transactions[j.tx], j.in, j.script); err != nil {
				return k, err
			}
		}
		return 0, nil
	}
	var (
		next   atomic.Int64
		failAt atomic.Int64 // lowest failing index so far, len(jobs) if none
		mu     sync.Mutex   // guards failErr
		fail   error
		wg     sync.WaitGroup
	)
	failAt.Store(int64(len(jobs)))
	for range workers {
		wg.Go(func() {
			var v ledger.Verifier
			for {
				start := int(next.Add(sigChunk)) - sigChunk
				// Chunks are handed out in order: every chunk below a
				// failure is already being checked, and none above it
				// matters.
				if start >= len(jobs) || int64(start) > failAt.Load() {
					return
				}
				for k := start; k < min(start+sigChunk, len(jobs)); k++ {
					j := jobs[k]
					if err := v.Verify(b.Transactions[j.tx], j.in, j.script); err != nil {
						mu.Lock()
						if int64(k) < failAt.Load() {
							failAt.Store(int64(k))
							fail = err
						}
						mu.Unlock()
						break
					}
				}
			}
		})
	}
	wg.Wait()
	if k := int(failAt.Load()); k < len(jobs) {
		return k, fail
	}
	return 0, nil
}

// disconnectBlock undoes block b at node n in tx: removes the coins it
// created and restores the ones it spent from its undo record.
func (s *Store) disconnectBlock(tx *bolt.Tx, n *chain.HeaderNode, b *wire.MsgBlock) error {
	if !s.ledger {
		return nil
	}
	hash := n.Hash()
	ub := tx.Bucket(bucketUndo)
	raw := ub.Get(hash[:])
	if raw == nil {
		return fmt.Errorf("%w: no undo record for block %s", ErrCorrupt, hash)
	}
	// Decoded (copied) before the buckets change under it.
	var spent []ledger.Coin
	for len(raw) > 0 {
		c, used, err := ledger.DecodeCoin(raw)
		if err != nil {
			return fmt.Errorf("%w: undo record of %s: %w", ErrCorrupt, hash, err)
		}
		spent = append(spent, c)
		raw = raw[used:]
	}
	coins := tx.Bucket(bucketCoins)
	txids := chain.BlockTxIDs(b)
	k := len(spent)
	var buf []byte
	for i := len(b.Transactions) - 1; i >= 0; i-- {
		t := b.Transactions[i]
		for o, out := range t.TxOut {
			if !ledger.Spendable(out.PkScript) {
				continue
			}
			key := outPointKey(wire.OutPoint{Hash: txids[i], Index: uint32(o)})
			if coins.Get(key[:]) == nil {
				return fmt.Errorf("%w: block %s: coin %s:%d missing", ErrCorrupt, hash, txids[i], o)
			}
			if err := coins.Delete(key[:]); err != nil {
				return err
			}
		}
		if i == 0 {
			continue
		}
		for j := len(t.TxIn) - 1; j >= 0; j-- {
			k--
			if k < 0 {
				return fmt.Errorf("%w: undo record of %s too short", ErrCorrupt, hash)
			}
			key := outPointKey(t.TxIn[j].PreviousOutPoint)
			buf = ledger.AppendCoin(buf[:0], &spent[k])
			if err := coins.Put(key[:], append([]byte(nil), buf...)); err != nil {
				return err
			}
		}
	}
	if k != 0 {
		return fmt.Errorf("%w: undo record of %s has %d extra coins", ErrCorrupt, hash, k)
	}
	return ub.Delete(hash[:])
}
