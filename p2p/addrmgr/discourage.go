package addrmgr

import (
	"net/netip"
	"sync"
)

// DefaultDiscouraged is how many addresses a Discouraged set remembers:
// Bitcoin Core's rolling filter of discouraged addresses holds about
// 50,000.
const DefaultDiscouraged = 50_000

// Discouraged is the bounded set of addresses whose peers misbehaved, as
// Bitcoin Core keeps it: a discouraged address is never dialled, and may
// still connect inbound while there is room (one address is often many
// people: NAT, a cloud provider, a Tor exit). Nothing is persisted, and
// when the set is full the oldest address leaves it. Safe for concurrent
// use; Contains fits the dial scheduler's loop.
type Discouraged struct {
	mu    sync.RWMutex // guards set, order, next
	max   int
	set   map[netip.Addr]struct{}
	order []netip.Addr // a ring, oldest at next once full
	next  int
}

// NewDiscouraged returns an empty set of at most max addresses
// (DefaultDiscouraged if max <= 0).
func NewDiscouraged(max int) *Discouraged {
	if max <= 0 {
		max = DefaultDiscouraged
	}
	return &Discouraged{max: max, set: make(map[netip.Addr]struct{})}
}

// Add discourages ip.
func (d *Discouraged) Add(ip netip.Addr) {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.set[ip]; ok {
		return
	}
	if len(d.order) < d.max {
		d.order = append(d.order, ip)
	} else {
		delete(d.set, d.order[d.next])
		d.order[d.next] = ip
		d.next = (d.next + 1) % d.max
	}
	d.set[ip] = struct{}{}
}

// Contains reports whether ip is discouraged.
func (d *Discouraged) Contains(ip netip.Addr) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, ok := d.set[ip.Unmap()]
	return ok
}

// Len returns how many addresses are discouraged.
func (d *Discouraged) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.set)
}

// Clear forgets every discouraged address.
func (d *Discouraged) Clear() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.set, d.order, d.next = make(map[netip.Addr]struct{}), nil, 0
}
