package discover

import (
	"errors"
	"net/netip"
)

// isLAN reports whether ip is loopback, private or link-local. Such nodes
// are exempt from the subnet limits (a local network puts every node in one
// /24) and are relayed only to LAN peers.
func isLAN(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// specialNets are the IANA special-purpose ranges that are never the
// address of a public node (RFC 6890 and successors), beyond what netip
// classifies itself.
var specialNets = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"), // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("255.255.255.255/32"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// Errors of checkRelayIP.
var (
	errInvalidIP   = errors.New("invalid IP")
	errSpecialIP   = errors.New("special-purpose IP")
	errLoopbackIP  = errors.New("loopback IP from non-loopback sender")
	errLANIP       = errors.New("LAN IP from non-LAN sender")
	errLowPort     = errors.New("low port")
	errUnsolicited = errors.New("unsolicited reply")
)

// checkRelayIP reports whether a node at ip, named by a sender at sender,
// may be contacted or passed on: never special-purpose addresses, loopback
// only from a loopback sender, LAN only from a LAN sender. This keeps
// remote peers from pointing us at our own network and stops our LAN nodes
// from leaking to the internet.
func checkRelayIP(sender, ip netip.Addr) error {
	sender, ip = sender.Unmap(), ip.Unmap()
	switch {
	case !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast():
		return errInvalidIP
	case ip.IsLoopback():
		if !sender.IsLoopback() {
			return errLoopbackIP
		}
		return nil
	case isLAN(ip):
		if !isLAN(sender) {
			return errLANIP
		}
		return nil
	}
	for _, p := range specialNets {
		if p.Contains(ip) {
			return errSpecialIP
		}
	}
	return nil
}

// subnetOf returns the subnet that the IP limits count: /24 for IPv4, /48
// for IPv6 (go-ethereum uses /24 for both, which lumps a whole IPv6
// provider together; see go-ethereum#20522).
func subnetOf(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 24
	if ip.Is6() {
		bits = 48
	}
	p, _ := ip.Prefix(bits)
	return p
}

// netSet counts nodes per subnet, up to a limit. LAN addresses are not
// counted.
type netSet struct {
	limit  int
	counts map[netip.Prefix]int
}

func newNetSet(limit int) netSet {
	return netSet{limit: limit, counts: make(map[netip.Prefix]int)}
}

func (s *netSet) canAdd(ip netip.Addr) bool {
	return isLAN(ip) || s.counts[subnetOf(ip)] < s.limit
}

func (s *netSet) add(ip netip.Addr) {
	if !isLAN(ip) {
		s.counts[subnetOf(ip)]++
	}
}

func (s *netSet) remove(ip netip.Addr) {
	if isLAN(ip) {
		return
	}
	k := subnetOf(ip)
	if s.counts[k] <= 1 {
		delete(s.counts, k)
	} else {
		s.counts[k]--
	}
}
