// Package memnet is an in-memory UDP network for discovery tests and
// simulations: sockets are addresses in a map, datagrams are copied into
// the receiver's bounded queue and dropped when it is full, as UDP drops
// them. Everything is channels, so a network inside a testing/synctest
// bubble runs in virtual time: timeouts fire only when every node is idle,
// however slow the machine.
package memnet

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// QueueLen is each socket's receive queue, in datagrams.
const QueueLen = 512

// Network connects Conns.
type Network struct {
	mu       sync.Mutex // guards conns, nextPort
	conns    map[netip.AddrPort]*Conn
	nextPort uint16

	// Filter, if set, sees every datagram before delivery and drops it by
	// returning false. It runs on the sender's goroutine. Set it before
	// the network is used.
	Filter func(from, to netip.AddrPort, b []byte) bool

	sent, dropped atomic.Uint64
}

// New returns an empty network.
func New() *Network {
	return &Network{conns: make(map[netip.AddrPort]*Conn), nextPort: 30000}
}

// ErrAddrInUse is returned by Listen for a taken address.
var ErrAddrInUse = errors.New("memnet: address in use")

// Listen opens a socket at addr; port 0 picks a free port.
func (n *Network) Listen(addr netip.AddrPort) (*Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if addr.Port() == 0 {
		for {
			n.nextPort++
			if n.nextPort < 1025 {
				n.nextPort = 1025
			}
			a := netip.AddrPortFrom(addr.Addr(), n.nextPort)
			if _, ok := n.conns[a]; !ok {
				addr = a
				break
			}
		}
	}
	if _, ok := n.conns[addr]; ok {
		return nil, ErrAddrInUse
	}
	c := &Conn{net: n, addr: addr, in: make(chan datagram, QueueLen), closed: make(chan struct{})}
	n.conns[addr] = c
	return c, nil
}

// Stats returns the datagrams sent and those dropped (no receiver, full
// queue, or filtered).
func (n *Network) Stats() (sent, dropped uint64) { return n.sent.Load(), n.dropped.Load() }

type datagram struct {
	from netip.AddrPort
	b    []byte
}

// Conn is a socket of a Network. It implements discover.UDPConn.
type Conn struct {
	net       *Network
	addr      netip.AddrPort
	in        chan datagram
	closed    chan struct{}
	closeOnce sync.Once
}

// ReadFromUDPAddrPort blocks until a datagram arrives or the socket closes
// (net.ErrClosed). A datagram larger than b is cut, as a UDP read cuts it.
func (c *Conn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	default:
	}
	select {
	case d := <-c.in:
		return copy(b, d.b), d.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

// WriteToUDPAddrPort delivers a copy of b to addr, if a socket is there and
// its queue has room; otherwise the datagram is lost, without error.
func (c *Conn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	n := c.net
	n.sent.Add(1)
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	if n.Filter != nil && !n.Filter(c.addr, addr, b) {
		n.dropped.Add(1)
		return len(b), nil
	}
	n.mu.Lock()
	dst := n.conns[addr]
	n.mu.Unlock()
	if dst == nil {
		n.dropped.Add(1)
		return len(b), nil
	}
	select {
	case dst.in <- datagram{from: c.addr, b: append([]byte(nil), b...)}:
	default:
		n.dropped.Add(1)
	}
	return len(b), nil
}

// Close closes the socket and frees its address.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.net.mu.Lock()
		if c.net.conns[c.addr] == c {
			delete(c.net.conns, c.addr)
		}
		c.net.mu.Unlock()
	})
	return nil
}

// LocalAddr returns the socket's address as a *net.UDPAddr.
func (c *Conn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }

// AddrPort returns the socket's address.
func (c *Conn) AddrPort() netip.AddrPort { return c.addr }

// Pending returns the number of datagrams waiting to be read.
func (c *Conn) Pending() int { return len(c.in) }
