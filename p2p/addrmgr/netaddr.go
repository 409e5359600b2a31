package addrmgr

import (
	"net/netip"
)

// Special ranges that decide routability and network groups (RFCs named as
// Bitcoin Core's netaddress.cpp names them).
var (
	rfc1918    = []netip.Prefix{mustPrefix("10.0.0.0/8"), mustPrefix("192.168.0.0/16"), mustPrefix("172.16.0.0/12")}
	rfc2544    = mustPrefix("198.18.0.0/15")
	rfc3927    = mustPrefix("169.254.0.0/16")
	rfc6598    = mustPrefix("100.64.0.0/10")
	rfc5737    = []netip.Prefix{mustPrefix("192.0.2.0/24"), mustPrefix("198.51.100.0/24"), mustPrefix("203.0.113.0/24")}
	rfc3849    = mustPrefix("2001:db8::/32")
	rfc4193    = mustPrefix("fc00::/7")
	rfc4843    = mustPrefix("2001:10::/28") // ORCHID
	rfc7343    = mustPrefix("2001:20::/28") // ORCHIDv2
	rfc4862    = mustPrefix("fe80::/64")
	rfc3964    = mustPrefix("2002::/16")       // 6to4
	rfc4380    = mustPrefix("2001::/32")       // Teredo
	rfc6052    = mustPrefix("64:ff9b::/96")    // NAT64 well-known
	rfc6145    = mustPrefix("::ffff:0:0:0/96") // SIIT
	heNet      = mustPrefix("2001:470::/32")
	zeroNet4   = mustPrefix("0.0.0.0/8")
	multicast4 = mustPrefix("224.0.0.0/4")
	reserved4  = mustPrefix("240.0.0.0/4")
)

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IsRoutable reports whether a is a public unicast address another node on
// the Internet could reach: not loopback, private, link-local, shared
// (CGNAT), documentation, benchmark, multicast, reserved or unspecified.
func IsRoutable(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() {
		return false
	}
	if a.Is4() {
		return !inAny(a, rfc1918) && !rfc2544.Contains(a) && !rfc3927.Contains(a) &&
			!rfc6598.Contains(a) && !inAny(a, rfc5737) && !zeroNet4.Contains(a) &&
			!multicast4.Contains(a) && !reserved4.Contains(a) && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	return !rfc3849.Contains(a) && !rfc4193.Contains(a) && !rfc4843.Contains(a) &&
		!rfc7343.Contains(a) && !rfc4862.Contains(a) && !a.IsLinkLocalUnicast()
}

// embeddedIPv4 returns the IPv4 address carried inside 6to4, Teredo, NAT64
// and SIIT addresses, so that they group with it.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case rfc6145.Contains(a), rfc6052.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case rfc3964.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case rfc4380.Contains(a):
		// Teredo stores the client's address inverted.
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), true
	}
	return netip.Addr{}, false
}

// Group returns a's network group: the unit over which buckets and outbound
// peers are spread. IPv4 addresses group by /16 and IPv6 by /32 (he.net's
// tunnel range by /36, since one provider hands out so much of it);
// addresses embedding an IPv4 address group with it; local and unroutable
// addresses each form one group of their own.
func Group(a netip.Addr) string {
	a = a.Unmap()
	if v4, ok := embeddedIPv4(a); ok {
		a = v4
	}
	switch {
	case a.IsLoopback():
		return "local"
	case !IsRoutable(a):
		return "unroutable"
	case a.Is4():
		b := a.As4()
		return string([]byte{4, b[0], b[1]})
	}
	b := a.As16()
	if heNet.Contains(a) {
		return string([]byte{6, b[0], b[1], b[2], b[3], b[4] & 0xf0})
	}
	return string([]byte{6, b[0], b[1], b[2], b[3]})
}
