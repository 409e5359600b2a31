package node

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
	"github.com/ledgernet/ledgernet/wire"
)

// The node is the API's backend.
var _ api.Backend = (*Node)(nil)

// ErrNoTopics is returned by the messaging calls while the node has no
// topic layer (the Bitcoin profiles).
var ErrNoTopics = fmt.Errorf("%w: this node has no topic messaging", api.ErrNotReady)

// ready reports whether the node is running, as the API wants it.
func (n *Node) ready() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.started || n.stopped {
		return api.ErrNotReady
	}
	return nil
}

// Node implements api.Backend: who this node is.
func (n *Node) Node(context.Context) (api.NodeInfo, error) {
	if err := n.ready(); err != nil {
		return api.NodeInfo{}, err
	}
	return n.Info(), nil
}

// Info describes the node (its API's /node).
func (n *Node) Info() api.NodeInfo {
	info := api.NodeInfo{Profile: n.cfg.Profile, Version: version.Version}
	if id := n.ID(); !id.IsZero() {
		info.ID = id.String()
	}
	if self := n.Self(); self != nil {
		info.Enode = self.URLv4()
		info.ENR = self.String()
	}
	if a := n.ListenAddr(); a != nil {
		info.Listen = append(info.Listen, "tcp://"+a.String())
	}
	if n.disc != nil {
		if ap, ok := n.disc.Self().UDPEndpoint(); ok {
			info.Listen = append(info.Listen, "udp://"+ap.String())
		}
	}
	return info
}

// Peers implements api.Backend: the connected chain protocol peers.
func (n *Node) Peers(context.Context) ([]api.PeerInfo, error) {
	if err := n.ready(); err != nil {
		return nil, err
	}
	return n.PeersInfo(), nil
}

// PeersInfo returns the connected peers, as the API shows them.
func (n *Node) PeersInfo() []api.PeerInfo {
	out := []api.PeerInfo{}
	if n.btc != nil {
		for _, p := range n.btc.PeersInfo() {
			out = append(out, api.PeerInfo{
				Addr: p.Addr, Inbound: p.Inbound, Version: uint32(p.Version), UserAgent: p.UserAgent,
				Services: uint64(p.Services), Height: int64(max(p.SyncHeight, p.StartHeight)), PingMS: p.PingMs,
				Transport: config.TransportPlain,
			})
		}
		return out
	}
	heights := map[string]int32{}
	if n.sync != nil {
		for _, s := range n.sync.Peers() {
			heights[s.Addr] = s.BestHeight
		}
	}
	for _, c := range n.chainPeers.list() {
		bi := c.bp.Info()
		pi := api.PeerInfo{
			Addr: bi.Addr, ID: c.id.String(), Inbound: bi.Inbound, Version: uint32(bi.Version),
			UserAgent: bi.UserAgent, Services: uint64(bi.Services),
			Height: int64(max(heights[bi.Addr], bi.StartHeight)), PingMS: bi.PingMs, Transport: c.transport,
		}
		if tp, ok := c.tp.(interface{ RTT() time.Duration }); ok && pi.PingMS == 0 {
			pi.PingMS = float64(tp.RTT()) / float64(time.Millisecond)
		}
		for _, cp := range c.tp.Caps() {
			pi.Caps = append(pi.Caps, cp.String())
		}
		out = append(out, pi)
	}
	return out
}

// Chain implements api.Backend: the local chain and sync state.
func (n *Node) Chain(context.Context) (api.ChainInfo, error) {
	if err := n.ready(); err != nil {
		return api.ChainInfo{}, err
	}
	return n.ChainInfo(), nil
}

// ChainInfo describes the local chain.
func (n *Node) ChainInfo() api.ChainInfo {
	tip := n.store.Tip()
	best := n.store.BestHeader()
	ci := api.ChainInfo{Height: int64(tip.Height), Tip: tip.Hash.String(), Headers: int64(best.Height), Progress: 1}
	ci.Syncing = best.Height > tip.Height
	if best.Height > 0 {
		ci.Progress = min(1, float64(tip.Height)/float64(best.Height))
	}
	return ci
}

// Status implements api.Backend: the status records the node knows.
func (n *Node) Status(context.Context) ([]api.StatusRecord, error) {
	if err := n.ready(); err != nil {
		return nil, err
	}
	out := []api.StatusRecord{}
	if n.status == nil {
		return out, nil
	}
	for _, r := range n.status.Known() {
		out = append(out, api.StatusRecord{
			NodeID: r.ID.String(), Seq: r.Seq, Height: int64(r.Height), Tip: r.Hash.String(),
			Topics: append([]string{}, r.Topics...), Services: r.Services, Version: r.Version, Updated: r.Heard,
		})
	}
	return out, nil
}

// Mempool implements api.Backend.
func (n *Node) Mempool(context.Context) (api.MempoolInfo, error) {
	if err := n.ready(); err != nil {
		return api.MempoolInfo{}, err
	}
	mi := api.MempoolInfo{TxIDs: []string{}}
	if n.pool == nil {
		return mi, nil
	}
	st := n.pool.Stats()
	mi.Count, mi.Bytes = st.Count, int64(st.Bytes)
	for _, h := range n.pool.TxHashes() {
		mi.TxIDs = append(mi.TxIDs, h.String())
	}
	return mi, nil
}

// Network implements api.Backend: Options.Network's view when set (a
// devnet knows all its nodes), else this node, its peers and the nodes
// its status table knows.
func (n *Node) Network(ctx context.Context) (api.NetworkInfo, error) {
	if err := n.ready(); err != nil {
		return api.NetworkInfo{}, err
	}
	if n.opts.Network != nil {
		return n.opts.Network(ctx)
	}
	return n.LocalNetwork(), nil
}

// LocalNetwork is the peer graph as this node knows it.
func (n *Node) LocalNetwork() api.NetworkInfo {
	ni := api.NetworkInfo{Nodes: []api.NetworkNode{}, Links: []api.NetworkLink{}}
	self := n.NetworkNode()
	self.Self = true
	ni.Nodes = append(ni.Nodes, self)
	ni.MsgInRate, ni.MsgOutRate = self.MsgInRate, self.MsgOutRate
	seen := map[string]bool{self.ID: true}
	for _, p := range n.PeersInfo() {
		id := p.ID
		if id == "" {
			id = p.Addr
		}
		ni.Links = append(ni.Links, api.NetworkLink{From: self.ID, To: id, Transport: p.Transport})
		if !seen[id] {
			seen[id] = true
			ni.Nodes = append(ni.Nodes, api.NetworkNode{ID: id, Addr: p.Addr, Height: p.Height, Progress: 1})
		}
	}
	if n.status != nil {
		for _, r := range n.status.Known() {
			id := r.ID.String()
			if id == self.ID {
				continue
			}
			i := slices.IndexFunc(ni.Nodes, func(x api.NetworkNode) bool { return x.ID == id })
			if i < 0 {
				ni.Nodes = append(ni.Nodes, api.NetworkNode{ID: id, Progress: 1})
				i = len(ni.Nodes) - 1
			}
			ni.Nodes[i].Height = int64(r.Height)
		}
	}
	return ni
}

// NetworkNode describes this node as a node of the network graph.
func (n *Node) NetworkNode() api.NetworkNode {
	ci := n.ChainInfo()
	in, out := n.MsgRates()
	nn := api.NetworkNode{
		ID: n.ID().String(), Height: ci.Height, Headers: ci.Headers, Syncing: ci.Syncing,
		Progress: ci.Progress, Peers: n.PeerCount(), MsgInRate: in, MsgOutRate: out,
	}
	if n.ID().IsZero() {
		nn.ID = ""
	}
	if a := n.ListenAddr(); a != nil {
		nn.Addr = a.String()
		if nn.ID == "" {
			nn.ID = nn.Addr
		}
	}
	return nn
}

// MsgCounts returns the messages received and sent since start, every
// protocol together (the chain protocol's only on the Bitcoin profiles,
// counted over the connected peers).
func (n *Node) MsgCounts() (in, out uint64) {
	if n.btc != nil {
		for _, p := range n.btc.PeersInfo() {
			in += p.MsgsIn
			out += p.MsgsOut
		}
		return in, out
	}
	t := n.metrics.Totals()
	return t.MsgsIn, t.MsgsOut
}

// MsgRates returns the messages per second received and sent, over the
// last second or more.
func (n *Node) MsgRates() (in, out float64) { return n.metrics.Rates(time.Now()) }

// SubmitTx implements api.Backend: decode, validate, pool and relay.
func (n *Node) SubmitTx(_ context.Context, raw []byte) (string, error) {
	if err := n.ready(); err != nil {
		return "", err
	}
	var tx wire.MsgTx
	if err := tx.Decode(raw, wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
		return "", fmt.Errorf("%w: transaction: %v", api.ErrInvalid, err)
	}
	hash := tx.TxHash()
	if err := n.SubmitMsgTx(&tx); err != nil {
		return "", apiTxError(err)
	}
	return hash.String(), nil
}

func apiTxError(err error) error {
	switch {
	case errors.Is(err, mempool.ErrAlreadyHave):
		return fmt.Errorf("%w: %v", api.ErrDuplicate, err)
	case errors.Is(err, ErrNotStarted):
		return fmt.Errorf("%w: %v", api.ErrNotReady, err)
	case strings.Contains(err.Error(), "no transaction pool"):
		return fmt.Errorf("%w: this network relays no transactions", api.ErrInvalid)
	}
	return fmt.Errorf("%w: %v", api.ErrInvalid, err)
}

// AddPeer implements api.Backend: a static peer, kept connected. The
// devnet takes an enode URL, the permissioned profile "[ID@]HOST:PORT",
// the Bitcoin profiles "HOST:PORT".
func (n *Node) AddPeer(_ context.Context, addr string) error {
	if err := n.ready(); err != nil {
		return err
	}
	switch {
	case n.srv != nil:
		nd, err := enode.Parse(addr)
		if err != nil {
			return fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
		if nd.ID() == n.ID() {
			return fmt.Errorf("%w: that is this node", api.ErrInvalid)
		}
		if slices.ContainsFunc(n.chainPeers.list(), func(c chainPeer) bool { return c.id == nd.ID() }) {
			return fmt.Errorf("%w: %s", api.ErrDuplicate, nd.ID().TerminalString())
		}
		if err := n.srv.AddPeer(nd); err != nil {
			return fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
		n.mu.Lock()
		if n.static == nil {
			n.static = map[enode.ID]*enode.Node{}
		}
		n.static[nd.ID()] = nd
		n.mu.Unlock()
		return nil
	case n.host != nil:
		p, err := peerlist.Parse(addr)
		if err != nil {
			return fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		list, err := peerList(n.cfg.Peers)
		if err != nil {
			return err
		}
		list = append(list, n.extraPeers...)
		if slices.ContainsFunc(list, func(q peerlist.Peer) bool { return q.Addr == p.Addr }) {
			return fmt.Errorf("%w: %s", api.ErrDuplicate, p.Addr)
		}
		if err := n.host.UpdatePeers(append(list, p)); err != nil {
			return fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
		n.extraPeers = append(n.extraPeers, p)
		return nil
	case n.btc != nil:
		if err := n.btc.AddPeer(addr); err != nil {
			return fmt.Errorf("%w: %v", api.ErrInvalid, err)
		}
		return nil
	}
	return api.ErrNotReady
}

// RemovePeer implements api.Backend: disconnect a peer by node ID or
// address, and stop redialling it if it was added with AddPeer.
func (n *Node) RemovePeer(_ context.Context, idOrAddr string) error {
	if err := n.ready(); err != nil {
		return err
	}
	var id enode.ID
	byID := false
	if parsed, err := enode.ParseID(idOrAddr); err == nil {
		id, byID = parsed, true
	}
	found := false
	n.mu.Lock()
	if nd, ok := n.static[id]; byID && ok && n.srv != nil {
		n.srv.RemovePeer(nd)
		delete(n.static, id)
		found = true
	}
	if n.host != nil && !byID {
		if i := slices.IndexFunc(n.extraPeers, func(q peerlist.Peer) bool { return q.Addr == idOrAddr }); i >= 0 {
			n.extraPeers = slices.Delete(n.extraPeers, i, i+1)
			if list, err := peerList(n.cfg.Peers); err == nil {
				n.host.UpdatePeers(append(list, n.extraPeers...))
			}
			found = true
		}
	}
	n.mu.Unlock()
	for _, c := range n.chainPeers.list() {
		if (byID && c.id == id) || sameAddr(c.tp.RemoteAddr().String(), idOrAddr) {
			c.tp.Disconnect(p2p.DiscRequested)
			found = true
		}
	}
	if n.btc != nil {
		for _, p := range n.btc.Peers() {
			if sameAddr(p.Addr().String(), idOrAddr) {
				p.Disconnect(p2p.DiscRequested)
				found = true
			}
		}
	}
	if !found {
		return fmt.Errorf("%w: peer %s", api.ErrNotFound, idOrAddr)
	}
	return nil
}

func sameAddr(a, b string) bool {
	pa, err1 := netip.ParseAddrPort(a)
	pb, err2 := netip.ParseAddrPort(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return pa.Addr().Unmap() == pb.Addr().Unmap() && pa.Port() == pb.Port()
}
