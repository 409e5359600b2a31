package topic

import "sync/atomic"

// KindStats are the counters of one kind of message.
type KindStats struct {
	Sent       uint64 // originated here
	Received   uint64 // first copies accepted from peers
	Duplicates uint64 // further copies, dropped before verification
	Delivered  uint64 // handed to this node's subscribers (once per message)
	Forwarded  uint64 // copies relayed to peers
	// Improved counts later copies with more hops left than a first copy
	// that had used over half the hop limit, relayed again (not
	// delivered): see seenCache.
	Improved uint64
}

// Stats are the Service's counters since it started.
type Stats struct {
	Unicast, Multicast, Broadcast KindStats

	Peers int // connected now

	// Dropped on receipt.
	RateLimited  uint64 // over the peer's token buckets
	BadSignature uint64
	Unsigned     uint64 // no signature, policy Require
	HopLimit     uint64 // arrived with no hops left
	Malformed    uint64 // undecodable, oversized, unknown code
	// Dropped on the way out.
	PeerQueueFull  uint64 // a peer's send queue was full
	SubscriberFull uint64 // a subscription's channel was full: oldest dropped
	NoSubscriber   uint64 // delivered to this node, nobody subscribed
	Disconnects    uint64 // peers ended for misbehaviour or rate

	// Routed counts unicasts sent along a learnt route instead of flooded.
	Routed uint64
}

// Dropped is the sum of every drop.
func (s Stats) Dropped() uint64 {
	return s.RateLimited + s.BadSignature + s.Unsigned + s.HopLimit + s.Malformed +
		s.PeerQueueFull + s.SubscriberFull + s.NoSubscriber
}

type kindCounters struct {
	sent, received, duplicates, delivered, forwarded, improved atomic.Uint64
}

type counters struct {
	kinds                                                    [Broadcast + 1]kindCounters
	rateLimited, badSignature, unsigned, hopLimit, malformed atomic.Uint64
	peerQueueFull, subscriberFull, noSubscriber, disconnects atomic.Uint64
	routed                                                   atomic.Uint64
	peers                                                    atomic.Int64
}

func (c *counters) kind(k Kind) *kindCounters {
	if k > Broadcast {
		k = 0
	}
	return &c.kinds[k]
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	c := &s.stats
	ks := func(k Kind) KindStats {
		x := &c.kinds[k]
		return KindStats{Sent: x.sent.Load(), Received: x.received.Load(), Duplicates: x.duplicates.Load(),
			Delivered: x.delivered.Load(), Forwarded: x.forwarded.Load(), Improved: x.improved.Load()}
	}
	return Stats{
		Unicast: ks(Unicast), Multicast: ks(Multicast), Broadcast: ks(Broadcast),
		Peers:       int(c.peers.Load()),
		RateLimited: c.rateLimited.Load(), BadSignature: c.badSignature.Load(), Unsigned: c.unsigned.Load(),
		HopLimit: c.hopLimit.Load(), Malformed: c.malformed.Load(),
		PeerQueueFull: c.peerQueueFull.Load(), SubscriberFull: c.subscriberFull.Load(),
		NoSubscriber: c.noSubscriber.Load(), Disconnects: c.disconnects.Load(), Routed: c.routed.Load(),
	}
}
