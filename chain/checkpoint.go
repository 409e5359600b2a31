package chain

import (
	"sort"

	"github.com/ledgernet/ledgernet/wire"
)

// Checkpoints pin known blocks of a network. A header at a checkpoint's
// height must have its hash, and once a checkpoint is in the index no header
// may fork the chain below it: a peer cannot make a node spend work on a
// long low-difficulty branch from early history (Core's
// bad-fork-prior-to-checkpoint, btcd's checkpoint rule).

// checkpointAt returns the checkpoint at height, if there is one.
func (p *Params) checkpointAt(height int32) (Checkpoint, bool) {
	cps := p.Checkpoints
	i := sort.Search(len(cps), func(i int) bool { return cps[i].Height >= height })
	if i < len(cps) && cps[i].Height == height {
		return cps[i], true
	}
	return Checkpoint{}, false
}

// LatestCheckpoint returns the highest checkpoint, or nil if p has none.
func (p *Params) LatestCheckpoint() *Checkpoint {
	if len(p.Checkpoints) == 0 {
		return nil
	}
	cp := p.Checkpoints[len(p.Checkpoints)-1]
	return &cp
}

// checkpointSet answers "is there a checkpoint at this height?" for every
// header, so the common answer (no) must be cheap: a 1,024-bit filter on the
// low bits of the height rules out nearly every height before the sorted
// list is searched.
type checkpointSet struct {
	filter [16]uint64
	params []Checkpoint
}

func newCheckpointSet(cps []Checkpoint) checkpointSet {
	s := checkpointSet{params: cps}
	for _, cp := range cps {
		b := uint32(cp.Height) & 1023
		s.filter[b/64] |= 1 << (b % 64)
	}
	return s
}

// maybe reports whether height might have a checkpoint.
func (s *checkpointSet) maybe(height int32) bool {
	b := uint32(height) & 1023
	return s.filter[b/64]&(1<<(b%64)) != 0
}

// mismatch reports whether height has a checkpoint that hash does not match.
func (s *checkpointSet) mismatch(height int32, hash *wire.Hash) bool {
	cps := s.params
	i := sort.Search(len(cps), func(i int) bool { return cps[i].Height >= height })
	return i < len(cps) && cps[i].Height == height && cps[i].Hash != *hash
}

// noteCheckpoint records that the header at height, which passed the
// checkpoint check, is indexed.
func (c *HeaderChain) noteCheckpoint(height int32) {
	if _, ok := c.params.checkpointAt(height); ok && height > c.passedCheckpoint {
		c.passedCheckpoint = height
	}
}
