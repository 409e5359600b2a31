package dial

import (
	"net/netip"
	"sync"
)

// HandshakeSlots bounds the inbound handshakes under way per source, so
// that idle or slow connections from one place cannot hold every slot of
// a host's pending-handshake limit: at most PerIP from one address and at
// most PerGroup from one network group (an IPv4 /24, an IPv6 /64). Loopback
// gets no exemption: every connection of a loopback test network, or every
// Tor inbound, shares 127.0.0.1, as an attacker on the same host would.
//
// A host takes a slot right after Accept (before any byte is read) and gives
// it back when the handshake ends; a connection that finds its address or
// group full is closed at once, so a flood drains from the listen backlog in
// moments instead of holding honest peers behind it.
type HandshakeSlots struct {
	perIP, perGroup int

	mu      sync.Mutex // guards byIP, byGroup
	byIP    map[netip.Addr]int
	byGroup map[netip.Prefix]int
}

// NewHandshakeSlots sizes the per-source limits from the host's total of
// pending handshakes: half of it per address and three quarters per group
// (at least 2 and 3), so one address can never take more than half and one
// group never all. (Generous enough that a whole test network on one
// loopback address starts without refusals.)
func NewHandshakeSlots(total int) *HandshakeSlots {
	return &HandshakeSlots{
		perIP:    max(2, total/2),
		perGroup: max(3, total*3/4),
		byIP:     make(map[netip.Addr]int),
		byGroup:  make(map[netip.Prefix]int),
	}
}

// handshakeGroup is the network group of ip for these limits.
func handshakeGroup(ip netip.Addr) netip.Prefix {
	bits := 64
	if ip.Is4() {
		bits = 24
	}
	p, _ := ip.Prefix(bits)
	return p
}

// Acquire takes a slot for a handshake from ip, or reports false when its
// address or its group has all it may have.
func (h *HandshakeSlots) Acquire(ip netip.Addr) bool {
	ip = ip.Unmap()
	g := handshakeGroup(ip)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byIP[ip] >= h.perIP || h.byGroup[g] >= h.perGroup {
		return false
	}
	h.byIP[ip]++
	h.byGroup[g]++
	return true
}

// Release gives back a slot Acquire gave for ip.
func (h *HandshakeSlots) Release(ip netip.Addr) {
	ip = ip.Unmap()
	g := handshakeGroup(ip)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byIP[ip]--; h.byIP[ip] <= 0 {
		delete(h.byIP, ip)
	}
	if h.byGroup[g]--; h.byGroup[g] <= 0 {
		delete(h.byGroup, g)
	}
}
