package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// coinView is the coin set as one block sees it: the database bucket plus
// the block's own changes so far. Nothing is written until flush, so a block
// that fails half-way leaves the bucket untouched.
type coinView struct {
	bucket  *bolt.Bucket
	entries map[wire.OutPoint]*viewEntry
}

type viewEntry struct {
	coin  ledger.Coin
	spent bool
	inDB  bool // the coin is in the bucket (it was read from there)
}

func newCoinView(b *bolt.Bucket) *coinView {
	return &coinView{bucket: b, entries: make(map[wire.OutPoint]*viewEntry)}
}

// spend marks op spent and returns its coin.
func (v *coinView) spend(op wire.OutPoint) (ledger.Coin, error) {
	if e, ok := v.entries[op]; ok {
		if e.spent {
			return ledger.Coin{}, fmt.Errorf("%w: %s", ledger.ErrDoubleSpendInBlock, op)
		}
		e.spent = true
		return e.coin, nil
	}
	k := outPointKey(op)
	raw := v.bucket.Get(k[:])
	if raw == nil {
		return ledger.Coin{}, fmt.Errorf("%w: %s", ledger.ErrMissingOrSpent, op)
	}
	c, _, err := ledger.DecodeCoin(raw)
	if err != nil {
		return ledger.Coin{}, fmt.Errorf("%w: coin %s: %w", ErrCorrupt, op, err)
	}
	v.entries[op] = &viewEntry{coin: c, spent: true, inDB: true}
	return c, nil
}

// add creates a coin.
func (v *coinView) add(op wire.OutPoint, c ledger.Coin) error {
	if e, ok := v.entries[op]; ok && !e.spent {
		return fmt.Errorf("%w: %s", ErrOverwriteUnspent, op)
	}
	if _, ok := v.entries[op]; !ok {
		k := outPointKey(op)
		if v.bucket.Get(k[:]) != nil {
			return fmt.Errorf("%w: %s", ErrOverwriteUnspent, op)
		}
	}
	// A spent entry read from the bucket keeps inDB: the new coin then
	// replaces the stored one in flush.
	e := v.entries[op]
	if e == nil {
		e = &viewEntry{}
		v.entries[op] = e
	}
	e.coin, e.spent = c, false
	return nil
}

// flush writes the view's changes to the bucket.
func (v *coinView) flush() error {
	var buf []byte
	for op, e := range v.entries {
		k := outPointKey(op)
		switch {
		case e.spent && e.inDB:
			if err := v.bucket.Delete(k[:]); err != nil {
				return err
			}
		case !e.spent:
			buf = ledger.AppendCoin(buf[:0], &e.coin)
			// bbolt keeps the value slice until commit: each Put gets
			// its own.
			if err := v.bucket.Put(k[:], append([]byte(nil), buf...)); err != nil {
				return err
			}
		}
	}
	return nil
}
