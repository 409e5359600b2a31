package chain

import (
	"math/big"
	"time"
)

// Difficulty rules follow Bitcoin Core's pow.cpp. A retarget happens at every
// height that is a multiple of RetargetInterval. It measures the time the
// previous period took from its first block to its last block — interval-1
// block gaps, not interval: Core's long-standing off-by-one, which consensus
// now depends on — clamps that timespan to a factor of 4 either way, scales
// the old target by it and caps the result at the proof-of-work limit.

// timespanBounds returns the clamp range of a retarget in seconds.
func timespanBounds(p *Params) (target, lo, hi int64) {
	target = int64(p.TargetTimespan / time.Second)
	return target, target / p.RetargetAdjustmentFactor, target * p.RetargetAdjustmentFactor
}

// CalcNextWorkRequired is Bitcoin Core's CalculateNextWorkRequired: the bits
// of the first block of a new period, given the bits to scale (the last
// block's, or with BIP94 the period's first block's), and the timestamps of
// the period's first and last blocks. On PoWNoRetargeting networks it
// returns bits unchanged.
//
// The arithmetic uses big.Int: it runs once per period. Core does it in a
// 256-bit type that would wrap if PowLimit times four timespans exceeded
// 2^256; no network here comes near that (checked in TestParamsConsistency).
func CalcNextWorkRequired(p *Params, bits uint32, firstTime, lastTime int64) uint32 {
	if p.PoWNoRetargeting {
		return bits
	}
	target, lo, hi := timespanBounds(p)
	actual := min(max(lastTime-firstTime, lo), hi)
	n, _, _ := CompactToBig(bits)
	n.Mul(n, big.NewInt(actual))
	n.Quo(n, big.NewInt(target))
	if n.Cmp(p.PowLimit) > 0 {
		n.Set(p.PowLimit)
	}
	return BigToCompact(n)
}

// PermittedDifficultyTransition is Bitcoin Core's check of how far bits may
// move from one block to the next without knowing the timestamps: on networks
// without the minimum-difficulty exception, bits may change only at a
// retarget height, and then by at most the clamp factor either way (compared
// after rounding through the compact form, as Core does). Networks with the
// exception permit any transition.
func PermittedDifficultyTransition(p *Params, height int32, oldBits, newBits uint32) bool {
	if p.ReduceMinDifficulty {
		return true
	}
	if height%p.RetargetInterval != 0 {
		return oldBits == newBits
	}
	target, lo, hi := timespanBounds(p)
	observed, _, _ := CompactToBig(newBits)
	bound := func(span int64) *big.Int {
		n, _, _ := CompactToBig(oldBits)
		n.Mul(n, big.NewInt(span))
		n.Quo(n, big.NewInt(target))
		if n.Cmp(p.PowLimit) > 0 {
			n.Set(p.PowLimit)
		}
		rounded, _, _ := CompactToBig(BigToCompact(n))
		return rounded
	}
	if bound(hi).Cmp(observed) < 0 {
		return false
	}
	return bound(lo).Cmp(observed) <= 0
}

// nextWork is the outcome of the next-work rule for one child.
type nextWork struct {
	bits uint32
	// known is false when a checkpoint start leaves out the ancestors the
	// rule needs; then bits is only the parent's bits (see nextWorkRequired).
	known bool
}

// nextWorkRequired is Bitcoin Core's GetNextWorkRequired for a child of
// parent with the given timestamp.
//
// On a chain started from a trusted header above genesis, some ancestors are
// missing; known is false when:
//   - a retarget's first block (interval-1 blocks back) is below the start;
//   - on minimum-difficulty networks, the walk back to the last block with
//     real difficulty reaches the start while still on minimum-difficulty
//     blocks.
//
// The caller then skips the exact check (see checkBits).
func (c *HeaderChain) nextWorkRequired(parent *HeaderNode, timestamp uint32) nextWork {
	p := c.params
	height := parent.height + 1
	if height%p.RetargetInterval != 0 {
		if p.ReduceMinDifficulty {
			// The 20-minute rule: strictly more than twice the spacing.
			if int64(timestamp) > int64(parent.timestamp)+int64(p.MinDiffReductionTime/time.Second) {
				return nextWork{p.PowLimitBits, true}
			}
			// Otherwise the bits of the last block that was not mined
			// under the exception; walkBits caches Core's walk back.
			return nextWork{parent.walkBits, parent.flags&flagWalkUnknown == 0}
		}
		return nextWork{parent.bits, true}
	}
	if p.PoWNoRetargeting {
		return nextWork{parent.bits, true}
	}
	first := c.Ancestor(parent, parent.height-(p.RetargetInterval-1))
	if first == nil {
		return nextWork{parent.bits, false}
	}
	scale := parent.bits
	if p.EnforceBIP94 {
		// BIP94: the first block of a period can never be a
		// minimum-difficulty block, so its bits carry the real difficulty.
		scale = first.bits
	}
	return nextWork{CalcNextWorkRequired(p, scale, int64(first.timestamp), int64(parent.timestamp)), true}
}
