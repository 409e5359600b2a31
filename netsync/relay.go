package netsync

import (
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// onTxResult follows the pool's verdict on a transaction: an accepted one
// is queued for every peer that does not know it yet.
func (s *loopState) onTxResult(ev event) {
	src := s.peers[ev.peer] // nil for our own
	if r, ok := s.txReq[ev.hash]; ok {
		delete(s.txReq, ev.hash)
		r.peer.txInFlight--
	}
	if !ev.accepted {
		// A transaction that arrived before its parent is not remembered as
		// refused (as Core keeps orphans out of its reject filter): the
		// next peer to announce it, once the parent is here, is asked.
		if !ev.orphan {
			s.rejected.add(ev.hash)
		}
		return
	}
	for _, ps := range s.order {
		if ps == src || ps.gone || !ps.relay || ps.known.has(ev.hash) {
			continue
		}
		ps.known.add(ev.hash)
		if len(ps.txQueue) >= txQueuePerPeer {
			s.m.stats.txQueueDrops.Add(1)
			continue
		}
		ps.txQueue = append(ps.txQueue, ev.hash)
	}
}

// trickle sends each peer whose random timer is due the transactions
// queued for it, in one inv.
func (s *loopState) trickle(now time.Time) {
	m := s.m
	for _, ps := range s.order {
		if len(ps.txQueue) == 0 || now.Before(ps.nextTrickle) || ps.gone {
			continue
		}
		ps.nextTrickle = now.Add(s.trickleDelay(ps))
		n := min(len(ps.txQueue), txInvPerTrickle)
		inv := make([]wire.InvVect, 0, n)
		wtx := ps.p.WTxIDRelay()
		minFee := ps.p.FeeFilter() // BIP133: what the peer does not want
		for _, h := range ps.txQueue[:n] {
			if m.pool == nil {
				continue
			}
			rate, ok := m.pool.FeeRate(h)
			if !ok {
				continue // mined or evicted meanwhile
			}
			if rate < minFee {
				m.stats.txFeeFiltered.Add(1)
				continue
			}
			iv := wire.InvVect{Type: wire.InvTypeTx, Hash: h}
			if wtx {
				if tx := m.pool.Get(h); tx != nil {
					iv = wire.InvVect{Type: wire.InvTypeWTx, Hash: tx.WitnessHash()}
				}
			}
			inv = append(inv, iv)
		}
		ps.txQueue = ps.txQueue[n:]
		if len(ps.txQueue) == 0 {
			ps.txQueue = nil
		}
		if len(inv) > 0 {
			m.stats.txAnnounced.Add(uint64(len(inv)))
			ps.p.Send(&wire.MsgInv{InvList: inv})
		}
	}
}

// onMemPool answers a mempool request by queueing the pool's transactions
// for the next trickle, at most once a minute per peer.
func (s *loopState) onMemPool(ps *peerState) {
	now := s.m.clock.Now()
	if s.m.pool == nil || (!ps.lastMempool.IsZero() && now.Sub(ps.lastMempool) < mempoolInterval) {
		return
	}
	ps.lastMempool = now
	for _, h := range s.m.pool.TxHashes() {
		if len(ps.txQueue) >= txQueuePerPeer {
			break
		}
		ps.known.add(h)
		ps.txQueue = append(ps.txQueue, h)
	}
}

// announceBlocks tells peers about a new tip once we are synced: with the
// headers of the new blocks (up to eight) to peers that sent sendheaders
// and whose best block is on our chain, otherwise with an inv of the tip.
func (s *loopState) announceBlocks() {
	m := s.m
	tip := s.tip
	if tip.Hash == s.lastAnnounced || s.syncing() {
		return
	}
	s.lastAnnounced = tip.Hash
	for _, ps := range s.order {
		if ps.gone || ps.bestHash == tip.Hash || ps.announced == tip.Hash {
			continue
		}
		ps.announced = tip.Hash
		if ps.p.WantsHeaders() && !ps.hdrHash.IsZero() && ps.hdrHeight < tip.Height && tip.Height-ps.hdrHeight <= maxAnnounceHdrs {
			if h, ok := m.chain.BlockHashAt(ps.hdrHeight); ok && h == ps.hdrHash {
				var hs []wire.BlockHeader
				for height := ps.hdrHeight + 1; height <= tip.Height; height++ {
					hash, ok := m.chain.BlockHashAt(height)
					info, ok2 := m.chain.BlockInfo(hash)
					if !ok || !ok2 {
						hs = nil
						break
					}
					hs = append(hs, info.Header)
				}
				if len(hs) > 0 {
					ps.p.Send(&wire.MsgHeaders{Headers: hs})
					ps.noteHeader(tip.Hash, tip.Height)
					continue
				}
			}
		}
		ps.p.Send(&wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: tip.Hash}}})
	}
}
