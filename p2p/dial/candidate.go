package dial

import (
	"encoding/hex"
	"net/netip"
)

// Candidate is a node the scheduler may dial. Discovery sources produce
// candidates; the scheduler never looks inside Node.
type Candidate struct {
	// ID is the node's identity when the network has one: the devp2p node ID
	// (keccak256 of the public key, the same bytes as enode.ID) or the hash of
	// a certificate key. It is zero for Bitcoin addresses, which carry no
	// identity; such candidates are told apart by Addr alone.
	ID [32]byte
	// Addr is the TCP endpoint to dial. IPv4-mapped IPv6 addresses are
	// treated as IPv4.
	Addr netip.AddrPort
	// Node is the source's own record for the candidate (for example an
	// *enode.Node, which carries the public key an RLPx initiator needs). The
	// scheduler passes it to the DialFunc untouched.
	Node any
}

// HasID reports whether the candidate carries a node ID.
func (c Candidate) HasID() bool { return c.ID != [32]byte{} }

// String returns a short form for logs: a prefix of the ID, if any, and the
// address.
func (c Candidate) String() string {
	if c.HasID() {
		return hex.EncodeToString(c.ID[:8]) + "@" + c.Addr.String()
	}
	return c.Addr.String()
}

// key identifies a candidate or a peer: by ID when it is known, by address
// otherwise. Exactly one of the two fields is set.
type key struct {
	id   [32]byte
	addr netip.AddrPort
}

func keyOf(id [32]byte, addr netip.AddrPort) key {
	if id != ([32]byte{}) {
		return key{id: id}
	}
	return key{addr: addr}
}

func (c Candidate) key() key { return keyOf(c.ID, c.Addr) }

// normAddr unmaps IPv4-mapped IPv6 addresses and drops zones, so that one
// endpoint has one representation in every map of the scheduler.
func normAddr(a netip.Addr) netip.Addr {
	return a.Unmap().WithZone("")
}

func normAddrPort(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(normAddr(ap.Addr()), ap.Port())
}

// dialable reports whether an address can be dialled at all: a valid unicast
// IP and a non-zero port.
func dialable(ap netip.AddrPort) bool {
	a := ap.Addr()
	return a.IsValid() && ap.Port() != 0 && !a.IsUnspecified() && !a.IsMulticast()
}

// isLAN reports whether a is a loopback, private or link-local address. Such
// addresses are exempt from the inbound throttle and the subnet limit: a
// local test network puts every node in 127.0.0.0/8, and throttling it would
// only hurt the operator.
func isLAN(a netip.Addr) bool {
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}
