package discover

import (
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
)

// replayCache remembers the hashes of packets accepted recently, so that a
// captured packet sent again (from its real source address, or a spoofed
// one) is dropped: otherwise a recorded Findnode of a bonded node could be
// replayed to make us send Neighbors to it over and over. A packet is
// remembered until it expires, at most maxReplayWindow (a sender with a
// clock far ahead could otherwise pin entries forever); past that, the
// expiration check rejects honest senders' packets anyway.
//
// The cache holds at most maxReplayEntries; when full the oldest entry goes
// first. It is owned by the read loop and needs no lock.
type replayCache struct {
	seen  map[v4wire.Hash]time.Time // hash -> forget after
	order []replayEntry             // insertion order, a FIFO
	head  int
}

type replayEntry struct {
	hash  v4wire.Hash
	until time.Time
}

const (
	maxReplayWindow  = 10 * time.Minute
	maxReplayEntries = 1 << 16
)

func newReplayCache() *replayCache {
	return &replayCache{seen: make(map[v4wire.Hash]time.Time)}
}

// contains reports whether h was accepted before and is still remembered.
func (c *replayCache) contains(h v4wire.Hash, now time.Time) bool {
	until, ok := c.seen[h]
	return ok && now.Before(until)
}

// add remembers h until the given time, capped by maxReplayWindow.
func (c *replayCache) add(h v4wire.Hash, until, now time.Time) {
	c.expire(now)
	if limit := now.Add(maxReplayWindow); until.After(limit) {
		until = limit
	}
	if !until.After(now) {
		return
	}
	for len(c.seen) >= maxReplayEntries {
		c.popFront()
	}
	c.seen[h] = until
	c.order = append(c.order, replayEntry{h, until})
}

// expire drops entries from the front of the FIFO while they are past.
// Entries behind a long-lived one wait for it; that only keeps them longer.
func (c *replayCache) expire(now time.Time) {
	for c.head < len(c.order) && !now.Before(c.order[c.head].until) {
		c.popFront()
	}
}

func (c *replayCache) popFront() {
	e := c.order[c.head]
	c.order[c.head] = replayEntry{}
	c.head++
	if until, ok := c.seen[e.hash]; ok && until.Equal(e.until) {
		delete(c.seen, e.hash)
	}
	// Compact once the dead prefix dominates, so the slice stays bounded.
	if c.head > 1024 && c.head*2 > len(c.order) {
		c.order = append(c.order[:0], c.order[c.head:]...)
		c.head = 0
	}
}

func (c *replayCache) len() int { return len(c.seen) }
