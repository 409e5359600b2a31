package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// ProcessBlock is ProcessBlocks for one block.
func (s *Store) ProcessBlock(b *wire.MsgBlock) error {
	return s.ProcessBlocks([]*wire.MsgBlock{b})
}

// ProcessBlocks accepts blocks and moves the connected tip to the best
// chain they make available.
//
// Each block's header is added first if it is not known (its parent must
// be). Then the block is checked with chain.CheckBlock at its height (merkle
// root, coinbase, sizes, BIP34 height, lock times, witness commitment) and
// stored; the blocks of one call are stored in one database transaction.
// Then, while some chain of stored blocks has more work than the tip, the
// store disconnects back to the fork and connects that chain, applying the
// ledger rules on devnet; each database transaction connects or disconnects
// up to Config.ConnectBatch blocks, with the coin changes, the undo records
// and the new tip together. A block that fails is marked invalid with its
// descendants, and the best remaining chain is tried.
//
// Accepting stops at the first block rejected before storage (unknown
// parent, header rule, CheckBlock); the blocks before it are processed. The
// error returned is that rejection, or else the first block that failed to
// connect, as a *BlockError (which may name an earlier stored block, not one
// of these), or a storage error. A block already stored is not an error.
//
// Subscribers receive the events of the call before it returns. The events
// hold the connected and disconnected blocks until then, so a sync should
// pass blocks in calls of hundreds, not hundreds of thousands.
func (s *Store) ProcessBlocks(blocks []*wire.MsgBlock) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	acceptErr := s.acceptBlocks(blocks)
	var err error
	if acceptErr == nil || isBlockError(acceptErr) || isRuleError(acceptErr) {
		err = s.activate()
	}
	clear(s.cache)
	s.deliverAndUnlock()
	if acceptErr != nil {
		return acceptErr
	}
	return err
}

func isRuleError(err error) bool {
	var re *chain.RuleError
	return errors.As(err, &re)
}

// pendingBlock is a block that passed the checks, waiting to be stored.
type pendingBlock struct {
	n   *chain.HeaderNode
	raw []byte
}

// acceptBlocks checks and stores blocks. mu must be held.
func (s *Store) acceptBlocks(blocks []*wire.MsgBlock) error {
	if s.cache == nil {
		s.cache = make(map[wire.Hash]*wire.MsgBlock, len(blocks))
	}
	var (
		fresh   []*chain.HeaderNode // new headers
		invalid []*chain.HeaderNode // blocks found invalid
		pending []pendingBlock
		stopErr error
	)
	for _, b := range blocks {
		if b == nil {
			stopErr = fmt.Errorf("%w: nil block", chain.ErrNoBlockTransactions)
			break
		}
		if _, dup := s.cache[b.BlockHash()]; dup {
			continue // twice in one call
		}
		n, err := s.acceptBlock(b, &fresh)
		if err != nil {
			var be *BlockError
			if errors.As(err, &be) && !errors.Is(err, ErrKnownInvalid) && !chain.IsBlockMutated(be.Err) && n != nil {
				s.markInvalid(n)
				invalid = append(invalid, n)
			}
			stopErr = err
			break
		}
		if n == nil {
			continue // already stored
		}
		s.cache[n.Hash()] = b
		pending = append(pending, pendingBlock{n, b.Append(nil, wire.WitnessEncoding)})
	}
	if len(fresh)+len(invalid)+len(pending) == 0 {
		return stopErr
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, n := range fresh {
			if err := s.putHeader(tx, n, n.Status()); err != nil {
				return err
			}
		}
		for _, n := range invalid {
			if err := s.putHeader(tx, n, n.Status()); err != nil {
				return err
			}
		}
		bk := tx.Bucket(bucketBlocks)
		for _, p := range pending {
			h := p.n.Hash()
			if err := bk.Put(h[:], p.raw); err != nil {
				return err
			}
			if err := s.putHeader(tx, p.n, p.n.Status()|chain.StatusHaveData); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, p := range pending {
			delete(s.cache, p.n.Hash())
		}
		return fmt.Errorf("store: save blocks: %w", err)
	}
	for _, p := range pending {
		s.hc.SetStatus(p.n, chain.StatusHaveData)
		s.noteData(p.n, true)
	}
	return stopErr
}

// acceptBlock indexes b's header if needed and runs the block checks. It
// returns b's node, nil if b is already stored. A new header is appended to
// fresh. mu must be held.
func (s *Store) acceptBlock(b *wire.MsgBlock, fresh *[]*chain.HeaderNode) (*chain.HeaderNode, error) {
	hash := b.BlockHash()
	n := s.hc.Node(hash)
	if n == nil {
		var isNew bool
		var err error
		n, isNew, err = s.addHeader(&b.Header)
		if isNew {
			*fresh = append(*fresh, n)
		}
		if err != nil {
			return nil, err
		}
	}
	switch {
	case hasStatus(n, chain.StatusBlockInvalid):
		return nil, &BlockError{Hash: hash, Height: n.Height(), Err: ErrKnownInvalid}
	case hasStatus(n, chain.StatusHaveData):
		return nil, nil
	}
	var parentMTP uint32
	if p := s.hc.Parent(n); p != nil {
		parentMTP = p.MedianTimePast()
	}
	opts := blockCheckOptions(s.params, n.Height(), b.Header.Timestamp, parentMTP)
	if err := chain.CheckBlock(b, nil, opts); err != nil {
		return n, &BlockError{Hash: hash, Height: n.Height(), Err: err}
	}
	return n, nil
}

// readBlock reads and decodes a stored block.
func (s *Store) readBlock(hash wire.Hash) (*wire.MsgBlock, error) {
	raw, err := s.RawBlock(hash)
	if err != nil {
		return nil, err
	}
	b := new(wire.MsgBlock)
	if err := b.Decode(raw, wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
		return nil, fmt.Errorf("%w: block %s: %w", ErrCorrupt, hash, err)
	}
	return b, nil
}

// RawBlock returns a stored block's serialization.
func (s *Store) RawBlock(hash wire.Hash) ([]byte, error) {
	var raw []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBlocks).Get(hash[:])
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNoBlockData, hash)
		}
		// bbolt's memory is valid only inside the transaction.
		raw = append([]byte(nil), v...)
		return nil
	})
	return raw, err
}

// Block returns a stored block.
func (s *Store) Block(hash wire.Hash) (*wire.MsgBlock, error) { return s.readBlock(hash) }
