package netsync

import (
	"errors"
	"fmt"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Disconnect reasons of the sync manager.
var (
	errStalling       = fmt.Errorf("netsync: stalling the block download: %w", p2p.DiscUselessPeer)
	errBlockTimeout   = fmt.Errorf("netsync: blocks not delivered: %w", p2p.DiscReadTimeout)
	errHeadersTimeout = fmt.Errorf("netsync: headers not delivered: %w", p2p.DiscReadTimeout)
)

// refreshPlan rebuilds the list of blocks to fetch from the chain state:
// the missing blocks from the connected tip towards the best header, at
// most Window of them and none beyond tip+Window. It runs when the best
// header or the tip moved, not per block: each call walks the window.
func (s *loopState) refreshPlan() {
	m := s.m
	s.tip, s.best = m.chain.Tip(), m.chain.BestHeader()
	missing := m.chain.MissingBlocks(m.cfg.Window)
	for _, b := range s.plan {
		b.inPlan = false
	}
	plan := make([]*blockState, 0, len(missing))
	limit := s.tip.Height + int32(m.cfg.Window)
	for _, h := range missing {
		b := s.blocks[h]
		if b == nil {
			info, ok := m.chain.BlockInfo(h)
			if !ok {
				continue
			}
			b = &blockState{hash: h, height: info.Height}
			s.blocks[h] = b
		}
		if b.height > limit {
			break
		}
		b.inPlan = true
		plan = append(plan, b)
	}
	s.plan = plan
	// Forget what left the plan (a reorganisation, a block found invalid),
	// except blocks still in flight or being processed.
	for h, b := range s.blocks {
		if b.inPlan || b.inProcess || b.peer != nil {
			continue
		}
		if b.block != nil {
			s.heldBytes -= b.size
		}
		delete(s.blocks, h)
	}
	s.firstFree = 0
	s.needAssign = true
}

// assign asks peers with free slots for the next blocks of the plan, each
// peer only for blocks at or below the height it is known to have, in one
// getdata per peer. It also notices a window blocked by one slow peer.
func (s *loopState) assign(now time.Time) {
	s.needAssign = false
	m := s.m
	// Skip the plan's head that is already taken.
	for s.firstFree < len(s.plan) {
		b := s.plan[s.firstFree]
		if b.peer == nil && b.block == nil && !b.inProcess {
			break
		}
		s.firstFree++
	}
	var tail int32 = -1
	if len(s.plan) > 0 {
		tail = s.plan[len(s.plan)-1].height
	}
	blocked := false // a peer could take more but the window is used up
	var wanting *peerState
	n := len(s.order)
	if n > 0 {
		s.rot = (s.rot + 1) % n
	}
	for k := range n {
		ps := s.order[(s.rot+k)%n]
		if ps.gone {
			continue
		}
		free := ps.maxInFlight - len(ps.inFlight)
		// Batch requests: wait for a few free slots unless idle.
		if free <= 0 || (len(ps.inFlight) > 0 && free < max(1, ps.maxInFlight/8)) {
			continue
		}
		if s.heldBytes >= m.cfg.MaxHeldBytes {
			break
		}
		var inv []wire.InvVect
		for i := s.firstFree; i < len(s.plan) && len(inv) < free; i++ {
			b := s.plan[i]
			if b.peer != nil || b.block != nil || b.inProcess {
				continue
			}
			if b.height > ps.bestHeight || ps.lacks.has(b.hash) {
				continue
			}
			inv = append(inv, wire.InvVect{Type: blockInvType(ps), Hash: b.hash})
		}
		if len(inv) == 0 {
			if ps.bestHeight > tail && len(s.plan) > 0 && tail >= s.tip.Height+int32(m.cfg.Window)-1 {
				blocked, wanting = true, ps
			}
			continue
		}
		if err := ps.p.Send(&wire.MsgGetData{InvList: inv}); err != nil {
			continue
		}
		if len(ps.inFlight) == 0 {
			ps.lastProgress = now
		}
		for _, iv := range inv {
			b := s.blocks[iv.Hash]
			b.peer, b.requested = ps, now
			ps.inFlight[b.hash] = b
		}
		m.stats.blocksRequested.Add(uint64(len(inv)))
	}
	// Core's staller rule: when the window is full and the block at its
	// start is still owed by another peer, that peer holds everyone up.
	var staller *peerState
	if blocked {
		for _, b := range s.plan {
			if b.block != nil || b.inProcess {
				continue
			}
			if b.peer != nil && b.peer != wanting {
				staller = b.peer
			}
			break
		}
	}
	if staller != s.staller {
		s.staller, s.stallSince = staller, now
	}
}

func blockInvType(ps *peerState) wire.InvType {
	if ps.witness {
		return wire.InvTypeWitnessBlock
	}
	return wire.InvTypeBlock
}

// onBlock takes a block from ps.
func (s *loopState) onBlock(ps *peerState, hash wire.Hash, blk *wire.MsgBlock, size int) {
	m := s.m
	m.stats.blocksReceived.Add(1)
	now := m.clock.Now()
	b := s.blocks[hash]
	if b == nil {
		if m.chain.HaveBlock(hash) {
			m.stats.blocksDuplicate.Add(1)
			return
		}
		// Unsolicited: a miner pushing its block, or a reorganisation's
		// block we stopped wanting. Process it alone, a few at most.
		m.stats.blocksUnsolicited.Add(1)
		if len(s.unsolicited) < maxUnsolicited {
			s.unsolicited = append(s.unsolicited, &blockState{hash: hash, block: blk, size: size, from: ps})
			s.heldBytes += size
		}
		return
	}
	if b.block != nil || b.inProcess {
		m.stats.blocksDuplicate.Add(1)
		return
	}
	if owner := b.peer; owner != nil {
		delete(owner.inFlight, hash)
		b.peer = nil
		if owner == ps {
			ps.lastProgress = now
		}
	}
	if !b.inPlan {
		m.stats.blocksStale.Add(1)
		delete(s.blocks, hash)
		return
	}
	b.block, b.size, b.from = blk, size, ps
	s.heldBytes += size
	if b.height > ps.bestHeight {
		ps.bestHeight = b.height
	}
	if s.stallTimeout > m.cfg.StallTimeout {
		s.stallTimeout = max(m.cfg.StallTimeout, s.stallTimeout*85/100)
	}
	s.needAssign = true
}

// maybeProcess hands the processor the blocks at the head of the plan that
// have arrived (in height order), or the unsolicited ones.
func (s *loopState) maybeProcess() {
	if s.processing != nil {
		return
	}
	var batch []*blockState
	if len(s.unsolicited) > 0 {
		batch, s.unsolicited = s.unsolicited, nil
	} else {
		for _, b := range s.plan {
			if b.block == nil || len(batch) >= s.m.cfg.MaxBatch {
				break
			}
			batch = append(batch, b)
		}
	}
	if len(batch) == 0 {
		return
	}
	blocks := make([]*wire.MsgBlock, len(batch))
	for i, b := range batch {
		b.inProcess = true
		blocks[i] = b.block
	}
	s.processing = batch
	s.m.procIn <- blocks // never blocks: the processor is idle
}

// onProcessed handles the processor's result for the batch it had.
func (s *loopState) onProcessed(err error) {
	m := s.m
	batch := s.processing
	s.processing = nil
	var bad wire.Hash
	var be *store.BlockError
	var re *chain.RuleError
	switch {
	case err == nil:
	case errors.As(err, &be):
		bad = be.Hash
	case errors.As(err, &re):
		bad = re.Hash
	default:
		m.log.Error("cannot process blocks", "err", err)
	}
	for _, b := range batch {
		b.inProcess = false
		if b.hash == bad {
			m.stats.badBlocks.Add(1)
			m.log.Warn("invalid block", "peer", b.from.addr, "hash", b.hash, "height", b.height, "err", err)
			// A mutated copy says nothing of the block: fetch it
			// elsewhere. Any other failure marked it invalid for good.
			b.from.lacks.add(b.hash)
			s.misbehaving(b.from, ScoreInvalidBlock, "invalid block: "+err.Error())
		} else if err != nil && !m.chain.HaveBlock(b.hash) {
			continue // not stored: stays held for the next batch
		}
		s.heldBytes -= b.size
		b.block, b.from = nil, nil
		if b.peer == nil && s.blocks[b.hash] == b {
			delete(s.blocks, b.hash)
		}
	}
	s.refreshPlan()
	if s.tip.Hash != s.lastAnnounced {
		s.announceBlocks()
	}
	s.progress(m.clock.Now(), false)
}

// onNotFound: the peer does not have what we asked for.
func (s *loopState) onNotFound(ps *peerState, inv []wire.InvVect) {
	s.m.stats.notFoundReceived.Add(uint64(len(inv)))
	for _, iv := range inv {
		switch iv.Type &^ wire.InvWitnessFlag {
		case wire.InvTypeBlock:
			b := ps.inFlight[iv.Hash]
			if b == nil {
				continue
			}
			delete(ps.inFlight, iv.Hash)
			b.peer = nil
			ps.lacks.add(iv.Hash)
			// It is on another branch, or behind: ask it for nothing
			// above this block until it announces more.
			if b.height <= ps.bestHeight {
				ps.bestHeight = b.height - 1
			}
			s.firstFree = 0
			s.needAssign = true
		case wire.InvTypeTx, wire.InvTypeWTx:
			if r, ok := s.txReq[iv.Hash]; ok && r.peer == ps {
				delete(s.txReq, iv.Hash)
				ps.txInFlight--
			}
		}
	}
	if len(ps.inFlight) > 0 {
		ps.lastProgress = s.m.clock.Now()
	}
}
