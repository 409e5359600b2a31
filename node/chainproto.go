package node

import (
	"math"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
	"github.com/ledgernet/ledgernet/wire"
)

// The chain protocol: Bitcoin's messages as one capability.
const (
	ChainProtocol        = "chain"
	ChainProtocolVersion = 1
)

// transportPeer is what the chain protocol needs of a transport's peer;
// *server.Peer and *tlsconn.Peer have it.
type transportPeer interface {
	ID() enode.ID
	Inbound() bool
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
	Caps() []devp2p.Cap
	Disconnect(p2p.DiscReason)
}

var (
	_ transportPeer = (*server.Peer)(nil)
	_ transportPeer = (*tlsconn.Peer)(nil)
	_ p2p.Conn      = (*protoConn)(nil)
)

// protoConn is a p2p.Conn over one protocol's slice of a transport peer, so
// that a btcpeer can run inside a capability. Reads and writes pass
// through; Close disconnects the transport's peer (every protocol of it:
// a chain peer that ends takes the connection with it); deadlines are
// no-ops because the transport keeps its own (keepalive, write timeout).
type protoConn struct {
	p  transportPeer
	rw p2p.MsgReadWriter
}

func (c *protoConn) ReadMsg() (p2p.Msg, error) { return c.rw.ReadMsg() }
func (c *protoConn) WriteMsg(m p2p.Msg) error  { return c.rw.WriteMsg(m) }
func (c *protoConn) RemoteAddr() net.Addr      { return c.p.RemoteAddr() }
func (c *protoConn) LocalAddr() net.Addr       { return c.p.LocalAddr() }

func (c *protoConn) SetReadDeadline(time.Time) error  { return nil }
func (c *protoConn) SetWriteDeadline(time.Time) error { return nil }

// Close disconnects the peer with the p2p.DiscReason in reason's chain.
func (c *protoConn) Close(reason error) error {
	r := p2p.DiscRequested
	if reason != nil {
		r = p2p.DiscReasonOf(reason)
	}
	c.p.Disconnect(r)
	return nil
}

// chainPeer is a running chain protocol peer.
type chainPeer struct {
	bp        *btcpeer.Peer
	tp        transportPeer
	id        enode.ID
	transport string
}

// chainPeers is the node's set of chain protocol peers, for Info and the
// API. mu guards m.
type chainPeers struct {
	mu sync.Mutex
	m  map[*btcpeer.Peer]chainPeer
}

func (cp *chainPeers) add(c chainPeer) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.m == nil {
		cp.m = make(map[*btcpeer.Peer]chainPeer)
	}
	cp.m[c.bp] = c
}

func (cp *chainPeers) remove(bp *btcpeer.Peer) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	delete(cp.m, bp)
}

func (cp *chainPeers) list() []chainPeer {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	out := make([]chainPeer, 0, len(cp.m))
	for _, c := range cp.m {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b chainPeer) int { return compareIDs(a.id, b.id) })
	return out
}

func compareIDs(a, b enode.ID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

// runChain speaks the chain protocol with p over rw: a btcpeer, handed to
// the sync manager once its handshake is done. Its handler waits until the
// sync manager knows the peer, so no message reaches it first. runChain
// returns when the peer ends, with the reason.
func (n *Node) runChain(p transportPeer, rw p2p.MsgReadWriter, transport string) error {
	ready := make(chan struct{})
	pc := n.peerCfg
	if ap, err := netip.ParseAddrPort(p.RemoteAddr().String()); err == nil && n.whitelisted(ap.Addr()) {
		// As on the Bitcoin profiles: a whitelisted peer's misbehaviour is
		// logged, never a reason to disconnect it.
		pc.BanThreshold = math.MaxInt32
	}
	if tp, ok := p.(*tlsconn.Peer); ok {
		// The TLS transport ran version/verack and keeps the link alive.
		v := tp.Version()
		pc.Handshaken = &v
	}
	pc.Handler = btcpeer.HandlerFunc(func(bp *btcpeer.Peer, msg wire.Message) {
		select {
		case <-ready:
		case <-bp.Closing():
			return
		}
		n.sync.HandleMessage(bp, msg)
	})
	bp := btcpeer.New(&protoConn{p: p, rw: rw}, p.Inbound(), pc)
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-bp.Ready():
		case <-bp.Done():
			return
		}
		// The peer gauge is the host's (p2p/server, tlsconn.Host): counted
		// there once per connection, not again per protocol.
		n.chainPeers.add(chainPeer{bp: bp, tp: p, id: p.ID(), transport: transport})
		n.sync.AddPeer(bp)
		close(ready)
		<-bp.Done()
		n.sync.RemovePeer(bp)
		n.chainPeers.remove(bp)
	})
	err := bp.Run(n.ctx)
	wg.Wait()
	return err
}
