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

// checkpointMismatch reports whether height has a checkpoint that hash
// does not match.
func (c *HeaderChain) checkpointMismatch(height int32, hash *wire.Hash) bool {
	cp, ok := c.params.checkpointAt(height)
	return ok && cp.Hash != *hash
}

// noteCheckpoint records that the header at height, which passed the
// checkpoint check, is indexed.
func (c *HeaderChain) noteCheckpoint(height int32) {
	if _, ok := c.params.checkpointAt(height); ok && height > c.passedCheckpoint {
		c.passedCheckpoint = height
	}
}
