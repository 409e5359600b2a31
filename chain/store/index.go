package store

import (
	"github.com/ledgernet/ledgernet/chain"
)

// The in-memory index around the header chain. Everything here runs with
// s.mu held.

func hasStatus(n *chain.HeaderNode, f chain.HeaderStatus) bool { return n.Status()&f != 0 }

// noteHeader records a new header in the leaf set.
func (s *Store) noteHeader(n *chain.HeaderNode) {
	if p := s.hc.Parent(n); p != nil {
		delete(s.leaves, p)
	}
	s.leaves[n] = struct{}{}
}

// noteData records that n's block is stored (its status already says so):
// it becomes linked if its parent is, and so do the stored descendants that
// waited for it. With candidates set, each newly linked block becomes a
// candidate for the tip.
func (s *Store) noteData(n *chain.HeaderNode, candidates bool) {
	if p := s.hc.Parent(n); p != nil {
		if _, ok := s.linked[p.Hash()]; !ok {
			ph := p.Hash()
			s.unlinked[ph] = append(s.unlinked[ph], n)
			return
		}
	}
	queue := []*chain.HeaderNode{n}
	for len(queue) > 0 {
		m := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		s.linked[m.Hash()] = struct{}{}
		if candidates {
			s.addCandidate(m)
		}
		h := m.Hash()
		if kids, ok := s.unlinked[h]; ok {
			delete(s.unlinked, h)
			queue = append(queue, kids...)
		}
	}
}

// addCandidate makes n a candidate for the tip if it could be one.
func (s *Store) addCandidate(n *chain.HeaderNode) {
	if hasStatus(n, chain.StatusBlockInvalid) {
		return
	}
	if n.ChainWork().Cmp(s.tipNode().ChainWork()) <= 0 {
		return
	}
	if _, ok := s.candidates[n]; !ok {
		s.candSeq++
		s.candidates[n] = s.candSeq
	}
}

// markInvalid marks n invalid in memory and drops it from the candidates.
// Its descendants are found invalid lazily (invalidAncestor).
func (s *Store) markInvalid(n *chain.HeaderNode) {
	s.hc.SetStatus(n, chain.StatusBlockInvalid)
	s.invalid[n] = struct{}{}
	delete(s.candidates, n)
}

// invalidAncestor returns the lowest block known invalid among n and its
// ancestors, or nil. Invalid blocks are few (each cost its miner a proof of
// work), so this looks each one up as a possible ancestor instead of walking
// n's ancestry, which may be long during a sync.
func (s *Store) invalidAncestor(n *chain.HeaderNode) *chain.HeaderNode {
	var bad *chain.HeaderNode
	for x := range s.invalid {
		if x.Height() > n.Height() || (bad != nil && x.Height() >= bad.Height()) {
			continue
		}
		if s.hc.Ancestor(n, x.Height()) == x {
			bad = x
		}
	}
	return bad
}

// bestCandidate returns the candidate with the most work (the first
// received among equals) that has no invalid ancestor, pruning the
// candidates that can no longer win. Nil when the tip is best.
func (s *Store) bestCandidate() *chain.HeaderNode {
	tipWork := s.tipNode().ChainWork()
	for {
		var best *chain.HeaderNode
		var bestSeq uint64
		for n, seq := range s.candidates {
			w := n.ChainWork()
			if w.Cmp(tipWork) <= 0 || hasStatus(n, chain.StatusBlockInvalid) {
				delete(s.candidates, n)
				continue
			}
			if best == nil {
				best, bestSeq = n, seq
				continue
			}
			switch c := w.Cmp(best.ChainWork()); {
			case c > 0, c == 0 && seq < bestSeq:
				best, bestSeq = n, seq
			}
		}
		if best == nil {
			return nil
		}
		bad := s.invalidAncestor(best)
		if bad == nil {
			return best
		}
		// Everything from best down to the invalid block is invalid too.
		for m := best; m != bad; m = s.hc.Parent(m) {
			s.markInvalid(m)
		}
	}
}

// fork returns the last block n shares with the connected chain.
func (s *Store) fork(n *chain.HeaderNode) *chain.HeaderNode {
	// Jump to the tip's height first: on the header chain's best chain
	// Ancestor is a lookup, where walking parents could take a sync's
	// whole length.
	if tip := s.tipNode(); n.Height() > tip.Height() {
		n = s.hc.Ancestor(n, tip.Height())
	}
	for !s.onActive(n) {
		n = s.hc.Parent(n)
	}
	return n
}

// bestHeader returns the most-work header not known to be invalid.
func (s *Store) bestHeader() *chain.HeaderNode {
	t := s.hc.Tip()
	if len(s.invalid) == 0 || s.invalidAncestor(t) == nil {
		return t
	}
	best := s.tipNode()
	for l := range s.leaves {
		if l.ChainWork().Cmp(best.ChainWork()) <= 0 {
			continue
		}
		n := l
		if bad := s.invalidAncestor(l); bad != nil {
			n = s.hc.Parent(bad)
		}
		if n != nil && n.ChainWork().Cmp(best.ChainWork()) > 0 {
			best = n
		}
	}
	return best
}
