package topic

import "sync"

// seenCache remembers the last size message keys, first seen first
// evicted. Readers of every peer add a key before verifying the message's
// signature (so a duplicate costs a map lookup, not a signature recovery)
// and remove it if the signature fails; the origin adds its own messages
// so that echoes are dropped.
// A message evicted while still circulating could be accepted twice; the
// hop limit bounds how long a message circulates, and the cache holds far
// more than a hop limit's worth of traffic.
type seenCache struct {
	mu   sync.Mutex // guards set, ring and next
	set  map[key]struct{}
	ring []key
	next int
}

func newSeenCache(size int) *seenCache {
	return &seenCache{set: make(map[key]struct{}, size), ring: make([]key, 0, size)}
}

// remove forgets k. Its slot in the ring stays until evicted; evicting
// it then forgets k early if k was added again meanwhile, which costs at
// most one duplicate delivery attempt far later than any copy travels.
func (c *seenCache) remove(k key) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.set, k)
}

// add inserts k and reports whether it was new.
func (c *seenCache) add(k key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.set[k]; ok {
		return false
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, k)
	} else {
		delete(c.set, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.set[k] = struct{}{}
	return true
}
