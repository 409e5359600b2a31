package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// AddHeaders verifies headers in order with the header rules (proof of work,
// difficulty, time, checkpoints, version), indexes and stores the new ones in
// one database transaction, and returns how many were accepted (known
// headers count as accepted). The first header that breaks a rule stops the
// batch: its error is a *chain.RuleError, or a *BlockError wrapping
// ErrKnownInvalid for a child of an invalid block (indexed, marked invalid).
func (s *Store) AddHeaders(headers []wire.BlockHeader) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	var fresh []*chain.HeaderNode
	i := 0
	var ruleErr error
	for ; i < len(headers); i++ {
		n, isNew, err := s.addHeader(&headers[i])
		if isNew {
			fresh = append(fresh, n)
		}
		if err != nil {
			ruleErr = err
			break
		}
	}
	if len(fresh) > 0 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, n := range fresh {
				if err := s.putHeader(tx, n, n.Status()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// The headers stay indexed in memory; after a restart they are
			// simply unknown and will be fetched again.
			return i, fmt.Errorf("store: save headers: %w", err)
		}
	}
	return i, ruleErr
}

// addHeader runs the header rules on h and indexes it. isNew reports whether
// it was not indexed before (such a header must be stored by the caller,
// even when err reports that its parent is invalid). mu must be held.
func (s *Store) addHeader(h *wire.BlockHeader) (n *chain.HeaderNode, isNew bool, err error) {
	before := s.hc.Len()
	n, err = s.hc.AddHeader(h)
	if err != nil {
		return nil, false, err
	}
	if s.hc.Len() == before {
		if hasStatus(n, chain.StatusBlockInvalid) {
			return n, false, &BlockError{Hash: n.Hash(), Height: n.Height(), Err: ErrKnownInvalid}
		}
		return n, false, nil
	}
	s.noteHeader(n)
	if p := s.hc.Parent(n); p != nil && hasStatus(p, chain.StatusBlockInvalid) {
		s.markInvalid(n)
		return n, true, &BlockError{Hash: n.Hash(), Height: n.Height(), Err: fmt.Errorf("%w: parent %s", ErrKnownInvalid, p.Hash())}
	}
	return n, true, nil
}

// HaveHeader reports whether a header is in the index.
func (s *Store) HaveHeader(hash wire.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hc.Node(hash) != nil
}

// HaveBlock reports whether a block is stored (connected or not).
func (s *Store) HaveBlock(hash wire.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.hc.Node(hash)
	return n != nil && hasStatus(n, chain.StatusHaveData)
}

// BlockInfo is what the index knows of one block.
type BlockInfo struct {
	Hash   wire.Hash
	Height int32
	Header wire.BlockHeader
	Status chain.HeaderStatus
	// Active reports whether the block is on the connected chain.
	Active bool
}

// BlockInfo returns what the index knows of a block, false when its
// header is unknown.
func (s *Store) BlockInfo(hash wire.Hash) (BlockInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.hc.Node(hash)
	if n == nil {
		return BlockInfo{}, false
	}
	return BlockInfo{Hash: hash, Height: n.Height(), Header: s.hc.Header(n), Status: n.Status(), Active: s.onActive(n)}, true
}

// BlockHashAt returns the hash of the connected chain's block at height.
func (s *Store) BlockHashAt(height int32) (wire.Hash, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if height < 0 || int(height) >= len(s.active) {
		return wire.Hash{}, false
	}
	return s.active[height], true
}

// BestHeader returns the head of the most-work header chain that is not
// known to be invalid: where headers-first sync is heading.
func (s *Store) BestHeader() TipInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tipInfo(s.bestHeader())
}

// Locator returns a block locator from the best header, for a getheaders
// request.
func (s *Store) Locator() []wire.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hc.LocatorFrom(s.bestHeader())
}

// TipLocator returns a block locator from the connected tip.
func (s *Store) TipLocator() []wire.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hc.LocatorFrom(s.tipNode())
}

// HeadersAfter answers a getheaders request as Bitcoin Core does, from the
// connected chain: the headers after the first locator entry on it (genesis
// when none is), up to and including stop, at most max.
func (s *Store) HeadersAfter(locator []wire.Hash, stop wire.Hash, max int) []wire.BlockHeader {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := s.hc.Root()
	for _, h := range locator {
		if n := s.hc.Node(h); n != nil && s.onActive(n) {
			start = n
			break
		}
	}
	var out []wire.BlockHeader
	for h := int(start.Height()) + 1; h < len(s.active) && len(out) < max; h++ {
		n := s.hc.Node(s.active[h])
		out = append(out, s.hc.Header(n))
		if n.Hash() == stop {
			break
		}
	}
	return out
}

// MissingBlocks returns up to max hashes, lowest first, of blocks on the way
// from the connected tip to the best header that are not stored: what block
// download should fetch next. It does not know what is in flight.
func (s *Store) MissingBlocks(max int) []wire.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := s.bestHeader()
	fork := s.fork(best)
	var out []wire.Hash
	for h := fork.Height() + 1; h <= best.Height() && len(out) < max; h++ {
		n := s.hc.Ancestor(best, h)
		if !hasStatus(n, chain.StatusHaveData) {
			out = append(out, n.Hash())
		}
	}
	return out
}
