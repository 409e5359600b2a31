package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// OutputCoin is a coin with the outpoint that names it.
type OutputCoin struct {
	OutPoint wire.OutPoint
	Coin     ledger.Coin
}

// viewCoins runs fn in a read transaction over the coin bucket and returns
// the connected tip the coins belong to (read in the same snapshot).
func (s *Store) viewCoins(fn func(b *bolt.Bucket) error) (TipInfo, error) {
	if !s.ledger {
		return TipInfo{}, ErrNoCoinSet
	}
	var tip TipInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if tip, err = decodeTip(tx.Bucket(bucketMeta).Get(keyTip)); err != nil {
			return err
		}
		return fn(tx.Bucket(bucketCoins))
	})
	if err != nil {
		return TipInfo{}, err
	}
	// The chain work is not stored; the in-memory tip has it if it is
	// still the same block. No lock is taken: this may run in an event
	// handler (see Subscribe).
	if t := s.tip.Load(); t.Hash == tip.Hash {
		return *t, nil
	}
	return tip, nil
}

// FetchCoins looks up coins by outpoint in one consistent snapshot and
// returns those found with the connected tip they belong to. An outpoint
// missing from the map is spent or never existed. ErrNoCoinSet on networks
// without one.
func (s *Store) FetchCoins(ops []wire.OutPoint) (map[wire.OutPoint]ledger.Coin, TipInfo, error) {
	out := make(map[wire.OutPoint]ledger.Coin, len(ops))
	tip, err := s.viewCoins(func(b *bolt.Bucket) error {
		for _, op := range ops {
			k := outPointKey(op)
			v := b.Get(k[:])
			if v == nil {
				continue
			}
			c, _, err := ledger.DecodeCoin(v)
			if err != nil {
				return fmt.Errorf("%w: coin %s: %w", ErrCorrupt, op, err)
			}
			out[op] = c
		}
		return nil
	})
	return out, tip, err
}

// ForEachCoin calls fn for every coin, in outpoint order, from one
// snapshot; an error from fn stops the walk and is returned.
func (s *Store) ForEachCoin(fn func(op wire.OutPoint, c ledger.Coin) error) (TipInfo, error) {
	return s.viewCoins(func(b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if len(k) != outPointKeySize {
				return fmt.Errorf("%w: coin key %x", ErrCorrupt, k)
			}
			var op wire.OutPoint
			copy(op.Hash[:], k)
			op.Index = binary.BigEndian.Uint32(k[wire.HashSize:])
			c, _, err := ledger.DecodeCoin(v)
			if err != nil {
				return fmt.Errorf("%w: coin %s: %w", ErrCorrupt, op, err)
			}
			return fn(op, c)
		})
	})
}

// CoinsByScript returns every coin paying pkScript. It walks the whole
// coin set: fine for a devnet wallet, not for an index.
func (s *Store) CoinsByScript(pkScript []byte) ([]OutputCoin, TipInfo, error) {
	var out []OutputCoin
	tip, err := s.ForEachCoin(func(op wire.OutPoint, c ledger.Coin) error {
		if bytes.Equal(c.PkScript, pkScript) {
			out = append(out, OutputCoin{op, c})
		}
		return nil
	})
	return out, tip, err
}

// CoinCount returns the number of coins and their total value.
func (s *Store) CoinCount() (count int, total int64, err error) {
	_, err = s.ForEachCoin(func(_ wire.OutPoint, c ledger.Coin) error {
		count++
		total += c.Value
		return nil
	})
	return count, total, err
}
