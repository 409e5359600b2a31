package topic

import "sync"

// seenCache remembers the last size message keys, first seen first
// evicted, with the most hops left of any copy accepted so far and
// whether the message was delivered.
//
// Readers of every peer offer each copy before verifying its signature,
// so that a duplicate costs a map lookup, not a signature check; a copy
// that fails verification is reverted.
//
// The first copy to arrive may have come the long way, with too few hops
// left to reach the nodes beyond, which would then never get the message.
// So while the best copy so far has at most lowWater hops left (half the
// hop limit), a copy with more is handled again: relayed, not delivered.
// Above lowWater a copy already reaches far enough, and racing copies one
// hop better are not worth relaying again (they were in the in-memory
// benchmark: twice the copies). With hop limit L every node within L/2+1
// hops thus gets the message whatever the timing, and every node within L
// when copies travel the shortest paths first, as they usually do.
// A message is relayed at most lowWater+1 times per node, in practice once.
//
// A message evicted while still circulating could be accepted twice; the
// hop limit bounds how long a message circulates, and the cache holds far
// more than a hop limit's worth of traffic.
type seenCache struct {
	lowWater uint8

	mu   sync.Mutex // guards set, ring and next
	set  map[key]seenEntry
	ring []key
	next int
}

type seenEntry struct {
	hops      uint8 // most hops left of a copy offered
	delivered bool
}

// ownHops marks a message this node originated: no copy is ever better.
const ownHops = 255

func newSeenCache(size int, lowWater uint8) *seenCache {
	return &seenCache{lowWater: lowWater, set: make(map[key]seenEntry, size), ring: make([]key, 0, size)}
}

// offer records a copy of k with hops left and reports whether it is
// worth handling: k is new, or the best copy before had at most lowWater
// hops left and this one has more. prev is the previous best (0 if k was
// new), for revert.
func (c *seenCache) offer(k key, hops uint8) (prev uint8, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, seen := c.set[k]
	if seen {
		if hops <= e.hops || e.hops > c.lowWater {
			return e.hops, false
		}
		prev, e.hops = e.hops, hops
		c.set[k] = e
		return prev, true
	}
	c.insert(k, seenEntry{hops: hops})
	return 0, true
}

// revert undoes an offer of k whose copy failed verification, unless a
// later copy has raised the hops since.
func (c *seenCache) revert(k key, hops, prev uint8) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.set[k]
	switch {
	case !ok || e.hops != hops:
	case prev == 0 && !e.delivered:
		// Its slot in the ring stays until evicted; evicting it then
		// forgets k early if k was offered again meanwhile, which costs at
		// most one duplicate far later than any copy travels.
		delete(c.set, k)
	default:
		e.hops = prev
		c.set[k] = e
	}
}

// deliver marks k delivered and reports whether it was not before.
func (c *seenCache) deliver(k key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.set[k]
	if ok && e.delivered {
		return false
	}
	e.delivered = true
	if ok {
		c.set[k] = e
	} else {
		c.insert(k, e)
	}
	return true
}

// own records a message this node originated.
func (c *seenCache) own(k key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(k, seenEntry{hops: ownHops, delivered: true})
}

// insert adds a new key; c.mu is held.
func (c *seenCache) insert(k key, e seenEntry) {
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, k)
	} else {
		delete(c.set, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.set[k] = e
}
