package dial

import "time"

// expSet is a set whose members expire a fixed time after they were added
// (the dial history, the inbound throttle). Because every member lives for
// the same duration, members expire in insertion order and a FIFO queue is
// enough; no heap.
//
// It holds at most limit members: when full, adding a member evicts the
// oldest early. That weakens the history or throttle under a flood of
// distinct addresses, but never lets the flood grow memory.
//
// expSet is not safe for concurrent use; the scheduler's loop owns it.
type expSet[K comparable] struct {
	ttl     time.Duration
	limit   int
	m       map[K]time.Time // member → expiry
	q       []expEntry[K]   // insertion order; may hold stale entries
	head    int
	evicted uint64 // members dropped early because the set was full
}

type expEntry[K comparable] struct {
	k   K
	exp time.Time
}

func newExpSet[K comparable](ttl time.Duration, limit int) *expSet[K] {
	return &expSet[K]{ttl: ttl, limit: limit, m: make(map[K]time.Time)}
}

// contains reports whether k was added less than ttl before now.
func (s *expSet[K]) contains(k K, now time.Time) bool {
	s.expire(now)
	_, ok := s.m[k]
	return ok
}

// add adds k, or renews it, until now+ttl.
func (s *expSet[K]) add(k K, now time.Time) {
	s.expire(now)
	if _, ok := s.m[k]; !ok {
		for len(s.m) >= s.limit && s.head < len(s.q) {
			if s.popOldest() {
				s.evicted++
			}
		}
	}
	exp := now.Add(s.ttl)
	s.m[k] = exp
	s.q = append(s.q, expEntry[K]{k, exp})
}

func (s *expSet[K]) len() int { return len(s.m) }

// expire drops the members whose time is up.
func (s *expSet[K]) expire(now time.Time) {
	for s.head < len(s.q) && !s.q[s.head].exp.After(now) {
		s.popOldest()
	}
}

// popOldest removes the entry at the head of the queue, and the member if the
// entry is current (not superseded by a renewal). It reports whether a member
// was removed.
func (s *expSet[K]) popOldest() bool {
	if s.head >= len(s.q) {
		return false
	}
	e := s.q[s.head]
	s.q[s.head] = expEntry[K]{}
	s.head++
	removed := false
	if exp, ok := s.m[e.k]; ok && exp.Equal(e.exp) {
		delete(s.m, e.k)
		removed = true
	}
	// Compact once the dead prefix dominates, so the queue stays O(members).
	if s.head > 32 && s.head*2 >= len(s.q) {
		n := copy(s.q, s.q[s.head:])
		clear(s.q[n:])
		s.q = s.q[:n]
		s.head = 0
	}
	return removed
}
