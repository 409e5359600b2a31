package btcpeer

import "sync"

// DefaultNonceSetSize is the capacity NewNonceSet uses for 0: far more than
// the handshakes a node has in flight at once (btcd keeps 50).
const DefaultNonceSetSize = 1024

// NonceSet remembers the nonces of the version messages we sent, so that a
// version carrying one of them reveals a connection to ourselves. The node
// owns one set and passes it to every peer's Config. It is bounded: the
// oldest nonce is forgotten first. It is safe for concurrent use.
type NonceSet struct {
	mu   sync.Mutex // guards ring, next and set
	ring []uint64
	next int
	set  map[uint64]struct{}
}

// NewNonceSet returns a set holding up to size nonces (0 means
// DefaultNonceSetSize).
func NewNonceSet(size int) *NonceSet {
	if size <= 0 {
		size = DefaultNonceSetSize
	}
	return &NonceSet{ring: make([]uint64, 0, size), set: make(map[uint64]struct{}, size)}
}

// Add remembers n, forgetting the oldest nonce when the set is full.
func (s *NonceSet) Add(n uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.set[n]; ok {
		return
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, n)
	} else {
		delete(s.set, s.ring[s.next])
		s.ring[s.next] = n
		s.next = (s.next + 1) % len(s.ring)
	}
	s.set[n] = struct{}{}
}

// Contains reports whether n is one of the remembered nonces.
func (s *NonceSet) Contains(n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.set[n]
	return ok
}
