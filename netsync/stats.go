package netsync

import (
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// counters are the manager's statistics; any goroutine may add.
type counters struct {
	blocksRequested, blocksReceived, blocksDuplicate, blocksUnsolicited, blocksStale atomic.Uint64
	blocksConnected                                                                  atomic.Uint64
	headersReceived, getHeadersSent                                                  atomic.Uint64
	stalls, blockTimeouts, headersTimeouts, invFloods, badHeaders, badBlocks         atomic.Uint64
	txRequested, txAccepted, txRejected, txAnnounced, txQueueDrops, txFeeFiltered    atomic.Uint64
	blocksServed, headersServed, notFoundSent, notFoundReceived                      atomic.Uint64
}

// Stats are the manager's counters, for metrics and tests.
type Stats struct {
	BlocksRequested   uint64 `json:"blocks_requested"`
	BlocksReceived    uint64 `json:"blocks_received"`
	BlocksDuplicate   uint64 `json:"blocks_duplicate"`
	BlocksUnsolicited uint64 `json:"blocks_unsolicited"`
	BlocksStale       uint64 `json:"blocks_stale"` // arrived after leaving the plan (reorg)
	BlocksConnected   uint64 `json:"blocks_processed"`
	HeadersReceived   uint64 `json:"headers_received"`
	GetHeadersSent    uint64 `json:"getheaders_sent"`
	Stalls            uint64 `json:"stalls"`
	BlockTimeouts     uint64 `json:"block_timeouts"`
	HeadersTimeouts   uint64 `json:"headers_timeouts"`
	InvFloods         uint64 `json:"inv_floods"`
	BadHeaders        uint64 `json:"bad_headers"`
	BadBlocks         uint64 `json:"bad_blocks"`
	TxRequested       uint64 `json:"tx_requested"`
	TxAccepted        uint64 `json:"tx_accepted"`
	TxRejected        uint64 `json:"tx_rejected"`
	TxAnnounced       uint64 `json:"tx_announced"`
	TxQueueDrops      uint64 `json:"tx_queue_drops"`
	TxFeeFiltered     uint64 `json:"tx_fee_filtered"` // not announced: below the peer's feefilter
	BlocksServed      uint64 `json:"blocks_served"`
	HeadersServed     uint64 `json:"headers_served"`
	NotFoundSent      uint64 `json:"notfound_sent"`
	NotFoundReceived  uint64 `json:"notfound_received"`
}

// Stats returns a snapshot of the counters.
func (m *Manager) Stats() Stats {
	c := &m.stats
	return Stats{
		BlocksRequested: c.blocksRequested.Load(), BlocksReceived: c.blocksReceived.Load(),
		BlocksDuplicate: c.blocksDuplicate.Load(), BlocksUnsolicited: c.blocksUnsolicited.Load(),
		BlocksStale: c.blocksStale.Load(), BlocksConnected: c.blocksConnected.Load(),
		HeadersReceived: c.headersReceived.Load(), GetHeadersSent: c.getHeadersSent.Load(),
		Stalls: c.stalls.Load(), BlockTimeouts: c.blockTimeouts.Load(), HeadersTimeouts: c.headersTimeouts.Load(),
		InvFloods: c.invFloods.Load(), BadHeaders: c.badHeaders.Load(), BadBlocks: c.badBlocks.Load(),
		TxRequested: c.txRequested.Load(), TxAccepted: c.txAccepted.Load(), TxRejected: c.txRejected.Load(),
		TxAnnounced: c.txAnnounced.Load(), TxQueueDrops: c.txQueueDrops.Load(), TxFeeFiltered: c.txFeeFiltered.Load(),
		BlocksServed: c.blocksServed.Load(), HeadersServed: c.headersServed.Load(),
		NotFoundSent: c.notFoundSent.Load(), NotFoundReceived: c.notFoundReceived.Load(),
	}
}

// Info is the sync state, for the node's API.
type Info struct {
	Height       int32     `json:"height"`
	Tip          wire.Hash `json:"tip"`
	HeaderHeight int32     `json:"header_height"`
	BestHeader   wire.Hash `json:"best_header"`
	// Syncing is true while the connected tip is behind the best header,
	// or a peer that claims a longer chain is still sending headers.
	Syncing      bool          `json:"syncing"`
	Peers        int           `json:"peers"`
	InFlight     int           `json:"blocks_in_flight"`
	Held         int           `json:"blocks_held"`
	HeldBytes    int           `json:"held_bytes"`
	StallTimeout time.Duration `json:"stall_timeout"`
	// BlocksPerSec is the connect rate over the last progress interval.
	BlocksPerSec float64 `json:"blocks_per_sec"`
}

// PeerState is what the sync manager knows of one peer.
type PeerState struct {
	Addr string `json:"addr"`
	// BestHeight is the best block the peer is known to have: announced
	// by it, or sent to it at its request.
	BestHeight  int32 `json:"best_height"`
	InFlight    int   `json:"blocks_in_flight"`
	HeadersDone bool  `json:"headers_done"`
	Local       bool  `json:"local"`
}

// Info returns the sync state (the zero Info after Close).
func (m *Manager) Info() Info {
	var info Info
	m.query(func(s *loopState) { info = s.info() })
	return info
}

// Peers returns what the manager knows of each peer.
func (m *Manager) Peers() []PeerState {
	var out []PeerState
	m.query(func(s *loopState) {
		for _, ps := range s.order {
			out = append(out, PeerState{Addr: ps.addr, BestHeight: max(ps.bestHeight, ps.servedHeight), InFlight: len(ps.inFlight), HeadersDone: ps.hdrDone, Local: ps.local})
		}
	})
	return out
}
