package status

import "sync/atomic"

// Stats are the Service's counters since it started.
type Stats struct {
	Peers   int // connected now
	Records int // known now, our own excluded

	OwnChanges    uint64 // our record re-signed with a new seq
	AnnounceSent  uint64 // Announce messages
	AnnounceRecv  uint64
	RequestsSent  uint64 // GetStatus messages
	RequestsRecv  uint64
	RecordsRecv   uint64 // records in Records messages
	Accepted      uint64 // records stored as new or newer
	Stale         uint64 // records received not newer than held
	Expired       uint64 // records removed after the TTL
	Evicted       uint64 // records removed to make room for a peer's
	TableFull     uint64 // records not stored: MaxRecords reached
	Timeouts      uint64 // GetStatus unanswered within RequestTimeout
	BadSignature  uint64
	Unsigned      uint64 // records without signature refused (Require)
	Unsolicited   uint64 // records we had not asked the peer for, dropped unchecked
	Malformed     uint64 // undecodable, oversized or unknown messages
	RateLimited   uint64 // messages dropped over a peer's rate limit
	PeerQueueFull uint64 // messages not sent: peer's send queue full
	EventsDropped uint64 // events not delivered: subscriber's channel full
	Disconnects   uint64 // peers ended for misbehaviour
}

type counters struct {
	ownChanges, announceSent, announceRecv, requestsSent, requestsRecv atomic.Uint64
	recordsRecv, accepted, stale, expired, evicted, tableFull          atomic.Uint64
	requestTimeouts, badSignature, unsigned, malformed, rateLimited    atomic.Uint64
	peerQueueFull, eventsDropped, disconnects, unsolicited             atomic.Uint64
	peers                                                              atomic.Int64
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	c := &s.stats
	snap := s.snap.Load()
	st := Stats{
		Records:    len(snap.records) - 1,
		OwnChanges: c.ownChanges.Load(), AnnounceSent: c.announceSent.Load(), AnnounceRecv: c.announceRecv.Load(),
		RequestsSent: c.requestsSent.Load(), RequestsRecv: c.requestsRecv.Load(), RecordsRecv: c.recordsRecv.Load(),
		Accepted: c.accepted.Load(), Stale: c.stale.Load(), Expired: c.expired.Load(), Evicted: c.evicted.Load(),
		TableFull: c.tableFull.Load(), Timeouts: c.requestTimeouts.Load(), BadSignature: c.badSignature.Load(),
		Unsigned: c.unsigned.Load(), Malformed: c.malformed.Load(), RateLimited: c.rateLimited.Load(),
		PeerQueueFull: c.peerQueueFull.Load(), EventsDropped: c.eventsDropped.Load(), Disconnects: c.disconnects.Load(),
		Unsolicited: c.unsolicited.Load(),
	}
	st.Peers = int(c.peers.Load())
	return st
}
