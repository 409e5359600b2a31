package enode

import (
	"errors"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

// Node is another node of the network as this node knows it: identity and
// endpoint, and the record they came from. A Node is immutable and safe for
// concurrent use.
type Node struct {
	rec *enr.Record // signed, or unsigned for nodes from enode URLs
	id  ID
	pub *secp256k1.PublicKey
	ip  netip.Addr // invalid when the node is incomplete
	tcp uint16
	udp uint16
}

// New returns the Node described by a signed record, after verifying the
// signature. The record is copied.
func New(r *enr.Record) (*Node, error) {
	if err := r.Verify(); err != nil {
		return nil, err
	}
	return newNode(r.Clone())
}

// newNode builds a Node from a record that is owned by the node from now on
// and whose signature, if any, is already verified.
func newNode(r *enr.Record) (*Node, error) {
	pub, err := r.PublicKey()
	if err != nil {
		return nil, err
	}
	n := &Node{rec: r, pub: pub, id: PubkeyToID(pub)}
	n.pickEndpoint()
	return n, nil
}

// pickEndpoint chooses between the record's IPv4 and IPv6 addresses as
// go-ethereum does: the more global one, IPv4 on a tie; IPv6 ports fall back
// to the IPv4 ports when tcp6/udp6 are absent.
func (n *Node) pickEndpoint() {
	var ip4 enr.IPv4
	var ip6 enr.IPv6
	n.rec.Load(&ip4)
	n.rec.Load(&ip6)
	a4, a6 := netip.Addr(ip4), netip.Addr(ip6).Unmap()
	valid4, valid6 := validIP(a4), validIP(a6)
	switch {
	case valid4 && valid6 && localityScore(a4) >= localityScore(a6):
		n.setIPv4(a4)
	case valid4 && valid6:
		n.setIPv6(a6)
	case valid4:
		n.setIPv4(a4)
	case valid6:
		n.setIPv6(a6)
	default:
		n.loadIPv4Ports()
	}
}

func validIP(ip netip.Addr) bool { return ip.IsValid() && !ip.IsMulticast() }

// localityScore ranks addresses from local to global.
func localityScore(ip netip.Addr) int {
	switch {
	case ip.IsUnspecified():
		return 0
	case ip.IsLoopback():
		return 1
	case ip.IsLinkLocalUnicast():
		return 2
	case ip.IsPrivate():
		return 3
	default:
		return 4
	}
}

func (n *Node) setIPv4(ip netip.Addr) {
	n.ip = ip
	n.loadIPv4Ports()
}

func (n *Node) loadIPv4Ports() {
	var tcp enr.TCP
	var udp enr.UDP
	n.rec.Load(&tcp)
	n.rec.Load(&udp)
	n.tcp, n.udp = uint16(tcp), uint16(udp)
}

func (n *Node) setIPv6(ip netip.Addr) {
	if ip.Is4() { // an IPv4-mapped "ip6" entry
		n.setIPv4(ip)
		return
	}
	n.ip = ip
	n.loadIPv4Ports()
	var tcp6 enr.TCP6
	var udp6 enr.UDP6
	if n.rec.Load(&tcp6) == nil {
		n.tcp = uint16(tcp6)
	}
	if n.rec.Load(&udp6) == nil {
		n.udp = uint16(udp6)
	}
}

// NewV4 returns a Node for an enode URL's content. Its record is unsigned
// and holds the public key, the IP address ("ip" or "ip6") and the ports
// that are not zero. An invalid ip makes an incomplete node.
func NewV4(pub *secp256k1.PublicKey, ip netip.Addr, tcp, udp uint16) *Node {
	var r enr.Record
	r.Set(enr.Secp256k1(*pub))
	if ip.IsValid() {
		ip = ip.Unmap()
		if ip.Is4() {
			r.Set(enr.IPv4(ip))
		} else {
			r.Set(enr.IPv6(ip))
		}
	}
	if udp != 0 {
		r.Set(enr.UDP(udp))
	}
	if tcp != 0 {
		r.Set(enr.TCP(tcp))
	}
	n := &Node{rec: &r, pub: pub, id: PubkeyToID(pub)}
	n.pickEndpoint()
	return n
}

// ID returns the node ID.
func (n *Node) ID() ID { return n.id }

// Pubkey returns the node's public key.
func (n *Node) Pubkey() *secp256k1.PublicKey {
	pub := *n.pub
	return &pub
}

// IP returns the node's IP address; it is invalid for an incomplete node.
func (n *Node) IP() netip.Addr { return n.ip }

// TCP returns the TCP (RLPx) port, 0 if unknown.
func (n *Node) TCP() uint16 { return n.tcp }

// UDP returns the UDP (discovery) port, 0 if unknown.
func (n *Node) UDP() uint16 { return n.udp }

// Incomplete reports whether the node has no IP address.
func (n *Node) Incomplete() bool { return !n.ip.IsValid() }

// TCPEndpoint returns the address to dial, if the node has an IP and a TCP
// port.
func (n *Node) TCPEndpoint() (netip.AddrPort, bool) {
	if !n.ip.IsValid() || n.tcp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.tcp), true
}

// UDPEndpoint returns the discovery address, if the node has an IP and a UDP
// port.
func (n *Node) UDPEndpoint() (netip.AddrPort, bool) {
	if !n.ip.IsValid() || n.udp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.udp), true
}

// Seq returns the sequence number of the node's record.
func (n *Node) Seq() uint64 { return n.rec.Seq() }

// Record returns a copy of the node's record.
func (n *Node) Record() *enr.Record { return n.rec.Clone() }

// Load decodes an entry of the node's record.
func (n *Node) Load(e enr.EntryDecoder) error { return n.rec.Load(e) }

// Network returns the network named by the record's "ledgernet" entry, and
// whether there is one.
func (n *Node) Network() (string, bool) {
	var nw enr.Network
	if n.rec.Load(&nw) != nil {
		return "", false
	}
	return string(nw), true
}

// String returns the record's text form for a node from a signed record, or
// the enode URL for a node from a URL.
func (n *Node) String() string {
	if n.rec.Signed() {
		return n.rec.String()
	}
	return n.URLv4()
}

// Errors from ValidateComplete.
var (
	ErrMissingIP      = errors.New("enode: missing IP address")
	ErrInvalidIP      = errors.New("enode: invalid IP (multicast/unspecified)")
	ErrMissingUDPPort = errors.New("enode: missing UDP port")
)

// ValidateComplete checks that the node has what discovery needs to talk to
// it: a usable IP address and a UDP port.
func (n *Node) ValidateComplete() error {
	switch {
	case n.Incomplete():
		return ErrMissingIP
	case n.ip.IsMulticast() || n.ip.IsUnspecified():
		return ErrInvalidIP
	case n.udp == 0:
		return ErrMissingUDPPort
	}
	return nil
}
