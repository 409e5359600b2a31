package netsync

import (
	"errors"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

// startHeaders sends the first getheaders to peers that have not had one.
// A peer claiming a longer chain than our best header gets it only while no
// other such peer is sending us headers: during the initial sync one peer
// at a time fills the header chain, as in Core. Peers that claim no more
// are asked at once; their answer (often empty) costs nothing.
func (s *loopState) startHeaders() {
	for _, ps := range s.order {
		if ps.hdrAsked || ps.gone {
			continue
		}
		if ps.bestHeight > s.best.Height {
			if s.headersPeer != nil {
				continue
			}
			s.headersPeer = ps
		}
		ps.hdrAsked = true
		s.getHeaders(ps, s.m.chain.Locator())
	}
}

// getHeaders asks ps for the headers after locator.
func (s *loopState) getHeaders(ps *peerState, locator []wire.Hash) {
	if len(locator) > wire.MaxBlockLocatorsPerMsg {
		locator = locator[:wire.MaxBlockLocatorsPerMsg]
	}
	err := ps.p.Send(&wire.MsgGetHeaders{ProtocolVersion: wire.ProtocolVersion, BlockLocatorHashes: locator})
	if err != nil {
		return
	}
	s.m.stats.getHeadersSent.Add(1)
	ps.hdrInFlight = true
	ps.hdrDeadline = s.m.clock.Now().Add(s.m.cfg.HeadersTimeout)
}

// onHeaders takes a headers message: the reply to our getheaders, or an
// announcement of new blocks.
func (s *loopState) onHeaders(ps *peerState, headers []wire.BlockHeader) {
	m := s.m
	m.stats.headersReceived.Add(uint64(len(headers)))
	wasAsked := ps.hdrInFlight
	ps.hdrInFlight = false
	if len(headers) == 0 {
		s.headersDone(ps)
		return
	}
	// A reply must be one chain; checked before the chain state spends
	// proof-of-work checks on it.
	hashes := make([]wire.Hash, len(headers))
	for i := range headers {
		hashes[i] = headers[i].BlockHash()
		if i > 0 && headers[i].PrevBlock != hashes[i-1] {
			m.stats.badHeaders.Add(1)
			s.misbehaving(ps, ScoreBadHeaders, "headers are not a chain")
			return
		}
	}
	last := hashes[len(hashes)-1]
	if !m.chain.HaveHeader(headers[0].PrevBlock) {
		// An honest reply starts at a block of our locator. A single
		// header may announce a block whose parents we lack: ask for them,
		// and count it.
		if len(headers) > 1 || wasAsked {
			m.stats.badHeaders.Add(1)
			s.misbehaving(ps, ScoreBadHeaders, "headers do not connect")
			return
		}
		ps.unconnecting++
		s.misbehaving(ps, ScoreUnconnecting, "announced header does not connect")
		if !ps.gone {
			s.getHeaders(ps, m.chain.Locator())
		}
		return
	}
	_, err := m.chain.AddHeaders(headers)
	if err != nil {
		var re *chain.RuleError
		var be *store.BlockError
		if errors.As(err, &re) || errors.As(err, &be) {
			m.stats.badHeaders.Add(1)
			s.misbehaving(ps, ScoreInvalidHeader, "invalid header: "+err.Error())
		} else {
			m.log.Error("cannot store headers", "err", err)
		}
		return
	}
	if info, ok := m.chain.BlockInfo(last); ok {
		if info.Height >= ps.bestHeight {
			ps.bestHeight, ps.bestHash = info.Height, last
		}
		ps.noteHeader(last, info.Height)
	}
	ps.unconnecting = 0
	best := m.chain.BestHeader()
	if best.Hash != s.best.Hash {
		s.refreshPlan()
	}
	if len(headers) == wire.MaxBlockHeadersPerMsg {
		// More to come: continue from the last header it sent.
		s.getHeaders(ps, append([]wire.Hash{last}, m.chain.Locator()...))
		return
	}
	if wasAsked {
		s.headersDone(ps)
	}
	s.needAssign = true
}

// headersDone ends ps's header exchange and starts the next one.
func (s *loopState) headersDone(ps *peerState) {
	ps.hdrDone = true
	if s.headersPeer == ps {
		s.headersPeer = nil
	}
	s.startHeaders()
	s.progress(s.m.clock.Now(), false)
}

// onInv takes announcements. Unknown blocks lead to a getheaders (the
// headers, then the blocks, follow the normal path); unknown transactions
// are asked for, a bounded number at a time.
func (s *loopState) onInv(ps *peerState, inv []wire.InvVect) {
	m := s.m
	now := m.clock.Now()
	// Token bucket over inventory entries.
	ps.invTokens = min(ps.invTokens+now.Sub(ps.invRefill).Seconds()*m.cfg.InvRate, m.cfg.InvBurst)
	ps.invRefill = now
	if float64(len(inv)) > ps.invTokens {
		m.stats.invFloods.Add(1)
		s.misbehaving(ps, ScoreInvFlood, "inventory flood")
		return
	}
	ps.invTokens -= float64(len(inv))
	unknownBlock := false
	var txs []wire.InvVect
	for _, iv := range inv {
		switch iv.Type &^ wire.InvWitnessFlag {
		case wire.InvTypeBlock:
			info, ok := m.chain.BlockInfo(iv.Hash)
			if !ok {
				unknownBlock = true
				continue
			}
			if info.Height > ps.bestHeight {
				ps.bestHeight, ps.bestHash = info.Height, iv.Hash
				s.needAssign = true
			}
			ps.noteHeader(iv.Hash, info.Height)
		case wire.InvTypeTx, wire.InvTypeWTx:
			ps.known.add(iv.Hash)
			if m.pool == nil || s.syncing() || ps.txInFlight >= txInFlightMax {
				continue
			}
			if _, asked := s.txReq[iv.Hash]; asked || s.rejected.has(iv.Hash) || m.pool.Has(iv.Hash) {
				continue
			}
			s.txReq[iv.Hash] = txRequest{peer: ps, at: now}
			ps.txInFlight++
			txs = append(txs, iv)
		}
	}
	if unknownBlock && !ps.hdrInFlight {
		s.getHeaders(ps, m.chain.Locator())
	}
	if len(txs) > 0 {
		m.stats.txRequested.Add(uint64(len(txs)))
		ps.p.Send(&wire.MsgGetData{InvList: txs})
	}
}
