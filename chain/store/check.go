package store

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/internal/boltfile"
	"github.com/ledgernet/ledgernet/wire"
)

// CheckReport is what Check found: the sizes it went through, and the
// problems (empty when the file is sound).
type CheckReport struct {
	Headers  int      `json:"headers"`
	Blocks   int      `json:"blocks_checked"`
	Height   int32    `json:"tip_height"`
	Tip      string   `json:"tip"`
	Coins    int      `json:"coins,omitempty"`
	Problems []string `json:"problems"`
}

// maxProblems bounds the report: a badly damaged file would name every
// record.
const maxProblems = 50

func (r *CheckReport) add(format string, a ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
	}
}

// Check verifies the chain database at path without changing it: the file
// (boltfile's checks, then bbolt's own page consistency check), then the
// chain's invariants: the headers link into one tree from genesis (Open's
// load), every block of the main chain is stored and matches its header
// (hash and merkle root), the tip is the stored chain with the most work,
// and on the devnet ledger the coin set is exactly what replaying the main
// chain's blocks gives. An error means the file could not be read at all;
// problems found are in the report.
func Check(path string, p *chain.Params) (*CheckReport, error) {
	r := &CheckReport{Problems: []string{}}
	if err := boltfile.Check(path); err != nil {
		return nil, err
	}
	raw, err := boltfile.Open(path, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second}, func(db *bolt.DB) error {
		return db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				r.add("bbolt: %v", err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	raw.Close()
	if len(r.Problems) > 0 {
		return r, nil // the pages are damaged: the chain cannot be read safely
	}

	s, err := Open(path, p, Config{NoSync: true, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	tip := s.Tip()
	r.Height, r.Tip, r.Headers = tip.Height, tip.Hash.String(), s.HeaderCount()

	s.mu.Lock()
	best := s.bestCandidate()
	s.mu.Unlock()
	if best != nil && best.Hash() != tip.Hash && best.ChainWork().Cmp(tip.ChainWork) > 0 {
		r.add("tip %s at height %d is not the stored chain with the most work (%s at height %d)", tip.Hash, tip.Height, best.Hash(), best.Height())
	}

	var coins map[wire.OutPoint]ledger.Coin
	if s.ledger {
		coins = make(map[wire.OutPoint]ledger.Coin)
	}
	for h := int32(0); h <= tip.Height; h++ {
		hash, ok := s.BlockHashAt(h)
		if !ok {
			r.add("no main-chain header at height %d", h)
			break
		}
		b, err := s.Block(hash)
		if err != nil {
			r.add("block %d %s: %v", h, hash, err)
			continue
		}
		r.Blocks++
		if got := b.BlockHash(); got != hash {
			r.add("block %d: stored block hashes to %s, its header to %s", h, got, hash)
		}
		if root, _ := chain.MerkleRoot(chain.BlockTxIDs(b)); root != b.Header.MerkleRoot {
			r.add("block %d %s: merkle root %s, header says %s", h, hash, root, b.Header.MerkleRoot)
		}
		if coins != nil && h > 0 {
			replayCoins(coins, b, h)
		}
	}
	if coins != nil {
		r.Coins = len(coins)
		checkCoinSet(s, coins, r)
	}
	return r, nil
}

// replayCoins applies block b at height to the coin set as connecting it
// does: inputs spent, spendable outputs added.
func replayCoins(coins map[wire.OutPoint]ledger.Coin, b *wire.MsgBlock, height int32) {
	txids := chain.BlockTxIDs(b)
	for i, t := range b.Transactions {
		if i > 0 {
			for _, in := range t.TxIn {
				delete(coins, in.PreviousOutPoint)
			}
		}
		for k, out := range t.TxOut {
			if ledger.Spendable(out.PkScript) {
				coins[wire.OutPoint{Hash: txids[i], Index: uint32(k)}] = ledger.Coin{Value: out.Value, PkScript: out.PkScript, Height: height, Coinbase: i == 0}
			}
		}
	}
}

// checkCoinSet compares the stored coin set with the replayed one.
func checkCoinSet(s *Store, want map[wire.OutPoint]ledger.Coin, r *CheckReport) {
	seen := 0
	_, err := s.ForEachCoin(func(op wire.OutPoint, c ledger.Coin) error {
		w, ok := want[op]
		switch {
		case !ok:
			r.add("coin %v is stored but no block of the main chain leaves it unspent", op)
		case w.Value != c.Value || w.Height != c.Height || w.Coinbase != c.Coinbase || !bytes.Equal(w.PkScript, c.PkScript):
			r.add("coin %v differs from its output: stored %+v, block %+v", op, c, w)
		default:
			seen++
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrNoCoinSet) {
		r.add("coin set: %v", err)
		return
	}
	if missing := len(want) - seen; missing > 0 {
		r.add("%d unspent outputs of the main chain are missing from the coin set", missing)
	}
}
