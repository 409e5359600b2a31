// Package apitest provides an in-memory api.Backend for tests of the API,
// its clients and the dashboard.
//
// Backend pretends to be node 0 of a network of n nodes linked in a ring
// (plus a chord every third node), all at the same height. Mine adds a block
// to every node; Publish delivers to the local subscribers, as if the
// message had come back from the network; Send and Broadcast are recorded.
package apitest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/api"
)

// SubBuffer is the buffer of a subscription channel; messages beyond it are
// dropped, as a node would.
const SubBuffer = 16

// Delivery is a recorded Send, Publish or Broadcast.
type Delivery struct {
	Kind    string // "send", "publish" or "broadcast"
	To      string // node ID (send) or topic (publish)
	Payload []byte
}

// Backend is a fake node. Its methods are safe for concurrent use.
type Backend struct {
	mu         sync.Mutex // guards all below
	ready      bool
	nodes      []api.NetworkNode
	links      []api.NetworkLink
	tip        string
	mempool    map[string]int // txid -> size
	txOrder    []string
	static     []string
	bans       []api.BanInfo
	deliveries []Delivery
	subs       map[string]map[*sub]struct{}
	dropped    int
	closed     bool
}

type sub struct {
	ch   chan api.Message
	once sync.Once
}

// New returns a ready fake network of n nodes (n >= 1) at height 100.
func New(n int) *Backend {
	b := &Backend{ready: true, mempool: map[string]int{}, subs: map[string]map[*sub]struct{}{}}
	for i := range n {
		b.nodes = append(b.nodes, api.NetworkNode{
			ID:         NodeID(i),
			Name:       fmt.Sprintf("node%d", i),
			Addr:       fmt.Sprintf("127.0.0.1:%d", 30300+i),
			Self:       i == 0,
			Height:     100,
			Headers:    100,
			Progress:   1,
			MsgInRate:  float64(3 + i),
			MsgOutRate: float64(2 + i),
		})
	}
	link := func(a, c int) {
		b.links = append(b.links, api.NetworkLink{From: NodeID(a), To: NodeID(c), Transport: "rlpx"})
		b.nodes[a].Peers++
		b.nodes[c].Peers++
	}
	if n == 2 {
		link(0, 1)
	} else if n > 2 {
		for i := range n {
			link(i, (i+1)%n)
		}
		for i := 0; i+n/2 < n && n > 5; i += 3 {
			link(i, i+n/2)
		}
	}
	b.tip = blockHash(100)
	return b
}

// NodeID is the fake node ID of node i.
func NodeID(i int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "apitest node %d", i))
	return hex.EncodeToString(h[:])
}

func blockHash(h int64) string {
	d := sha256.Sum256(fmt.Appendf(nil, "apitest block %d", h))
	d[31], d[30], d[29] = 0, 0, 0 // looks like proof of work once reversed
	slices.Reverse(d[:])
	return hex.EncodeToString(d[:])
}

// SetReady makes every call fail with api.ErrNotReady while false.
func (b *Backend) SetReady(ok bool) {
	b.mu.Lock()
	b.ready = ok
	b.mu.Unlock()
}

func (b *Backend) check() error {
	if !b.ready {
		return fmt.Errorf("fake node starting: %w", api.ErrNotReady)
	}
	return nil
}

// Mine adds a block on every node and returns the new height.
func (b *Backend) Mine() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.nodes {
		b.nodes[i].Height++
		b.nodes[i].Headers = b.nodes[i].Height
	}
	b.tip = blockHash(b.nodes[0].Height)
	clear(b.mempool)
	b.txOrder = nil
	return b.nodes[0].Height
}

// SetHeight sets node i's height (to show a node behind).
func (b *Backend) SetHeight(i int, h int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nodes[i].Height = h
	b.nodes[i].Syncing = h < b.nodes[i].Headers
	b.nodes[i].Progress = float64(h) / float64(max(b.nodes[i].Headers, 1))
}

// Deliveries returns the recorded sends, publishes and broadcasts.
func (b *Backend) Deliveries() []Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.deliveries)
}

// StaticPeers returns the peers added with AddPeer.
func (b *Backend) StaticPeers() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.static)
}

// Subscribers returns how many subscriptions follow topic.
func (b *Backend) Subscribers(topic string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[topic])
}

// Deliver hands a message from origin to the subscribers of topic.
func (b *Backend) Deliver(origin, topic string, payload []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := api.Message{Origin: origin, Topic: topic, Payload: slices.Clone(payload), Received: time.Now().UTC()}
	for s := range b.subs[topic] {
		select {
		case s.ch <- m:
		default:
			b.dropped++
		}
	}
}

// Close ends every subscription.
func (b *Backend) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for topic, set := range b.subs {
		for s := range set {
			s.once.Do(func() { close(s.ch) })
		}
		delete(b.subs, topic)
	}
}

// Node implements api.Backend.
func (b *Backend) Node(context.Context) (api.NodeInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return api.NodeInfo{}, err
	}
	self := b.nodes[0]
	return api.NodeInfo{
		ID:      self.ID,
		Enode:   "enode://" + strings.Repeat("ab", 64) + "@" + self.Addr,
		ENR:     "enr:-fake",
		Listen:  []string{self.Addr},
		Profile: "devnet",
		Version: "ledgernet/v0.0.0-test",
	}, nil
}

// Peers implements api.Backend: the nodes linked to node 0.
func (b *Backend) Peers(context.Context) ([]api.PeerInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return nil, err
	}
	var out []api.PeerInfo
	for _, l := range b.links {
		var other string
		switch b.nodes[0].ID {
		case l.From:
			other = l.To
		case l.To:
			other = l.From
		default:
			continue
		}
		n := b.node(other)
		out = append(out, api.PeerInfo{
			Addr: n.Addr, ID: n.ID, Inbound: l.To == b.nodes[0].ID, Version: 5,
			UserAgent: "/ledgernet:test/", Services: 0x409, Height: n.Height, PingMS: 1.5,
			Caps: []string{"chain/1", "topic/1"}, Transport: l.Transport,
		})
	}
	return out, nil
}

func (b *Backend) node(id string) api.NetworkNode {
	for _, n := range b.nodes {
		if n.ID == id {
			return n
		}
	}
	return api.NetworkNode{}
}

// Chain implements api.Backend.
func (b *Backend) Chain(context.Context) (api.ChainInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return api.ChainInfo{}, err
	}
	n := b.nodes[0]
	return api.ChainInfo{Height: n.Height, Tip: b.tip, Headers: n.Headers, Syncing: n.Syncing, Progress: n.Progress}, nil
}

// Status implements api.Backend: one record per node.
func (b *Backend) Status(context.Context) ([]api.StatusRecord, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return nil, err
	}
	var out []api.StatusRecord
	for i, n := range b.nodes {
		out = append(out, api.StatusRecord{
			NodeID: n.ID, Seq: uint64(n.Height), Height: n.Height, Tip: blockHash(n.Height),
			Topics: []string{"news", fmt.Sprintf("t%d", i%3)}, Services: 0x409, Version: "ledgernet/v0.0.0-test",
			Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		})
	}
	return out, nil
}

// Mempool implements api.Backend.
func (b *Backend) Mempool(context.Context) (api.MempoolInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return api.MempoolInfo{}, err
	}
	m := api.MempoolInfo{Count: len(b.txOrder), TxIDs: slices.Clone(b.txOrder)}
	for _, size := range b.mempool {
		m.Bytes += int64(size)
	}
	return m, nil
}

// Network implements api.Backend.
func (b *Backend) Network(context.Context) (api.NetworkInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return api.NetworkInfo{}, err
	}
	return api.NetworkInfo{
		Nodes: slices.Clone(b.nodes), Links: slices.Clone(b.links),
		MsgInRate: b.nodes[0].MsgInRate, MsgOutRate: b.nodes[0].MsgOutRate,
	}, nil
}

// SubmitTx implements api.Backend: a transaction is any 10 bytes or more;
// its txid is the reversed double SHA-256, as Bitcoin's.
func (b *Backend) SubmitTx(_ context.Context, raw []byte) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return "", err
	}
	if len(raw) < 10 {
		return "", fmt.Errorf("transaction of %d bytes: %w", len(raw), api.ErrInvalid)
	}
	h1 := sha256.Sum256(raw)
	h := sha256.Sum256(h1[:])
	slices.Reverse(h[:])
	txid := hex.EncodeToString(h[:])
	if _, ok := b.mempool[txid]; ok {
		return "", fmt.Errorf("transaction %s: %w", txid, api.ErrDuplicate)
	}
	b.mempool[txid] = len(raw)
	b.txOrder = append(b.txOrder, txid)
	return txid, nil
}

// AddPeer implements api.Backend.
func (b *Backend) AddPeer(_ context.Context, addr string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	if !strings.HasPrefix(addr, "enode://") && !strings.Contains(addr, ":") {
		return fmt.Errorf("peer address %q: %w", addr, api.ErrInvalid)
	}
	if slices.Contains(b.static, addr) {
		return fmt.Errorf("peer %s: %w", addr, api.ErrDuplicate)
	}
	b.static = append(b.static, addr)
	return nil
}

// RemovePeer implements api.Backend: it removes a static peer, or the link
// from node 0 to the node with that ID or address.
func (b *Backend) RemovePeer(_ context.Context, idOrAddr string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	if i := slices.Index(b.static, idOrAddr); i >= 0 {
		b.static = slices.Delete(b.static, i, i+1)
		return nil
	}
	self := b.nodes[0].ID
	for i, l := range b.links {
		if l.From != self && l.To != self {
			continue
		}
		other := b.node(l.From)
		if l.From == self {
			other = b.node(l.To)
		}
		if other.ID == idOrAddr || other.Addr == idOrAddr {
			b.links = slices.Delete(b.links, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("peer %s: %w", idOrAddr, api.ErrNotFound)
}

// Send implements api.Backend: the node must be one of the network's.
func (b *Backend) Send(_ context.Context, nodeID string, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	if b.node(nodeID).ID == "" {
		return fmt.Errorf("node %s: %w", nodeID, api.ErrNotFound)
	}
	b.deliveries = append(b.deliveries, Delivery{"send", nodeID, slices.Clone(payload)})
	return nil
}

// Publish implements api.Backend.
func (b *Backend) Publish(_ context.Context, topic string, payload []byte) error {
	b.mu.Lock()
	if err := b.check(); err != nil {
		b.mu.Unlock()
		return err
	}
	b.deliveries = append(b.deliveries, Delivery{"publish", topic, slices.Clone(payload)})
	origin := b.nodes[0].ID
	b.mu.Unlock()
	b.Deliver(origin, topic, payload)
	return nil
}

// Broadcast implements api.Backend.
func (b *Backend) Broadcast(_ context.Context, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	b.deliveries = append(b.deliveries, Delivery{"broadcast", "", slices.Clone(payload)})
	return nil
}

// Subscribe implements api.Backend.
func (b *Backend) Subscribe(_ context.Context, topic string) (<-chan api.Message, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return nil, nil, err
	}
	s := &sub{ch: make(chan api.Message, SubBuffer)}
	if b.closed {
		close(s.ch)
		return s.ch, func() {}, nil
	}
	if b.subs[topic] == nil {
		b.subs[topic] = map[*sub]struct{}{}
	}
	b.subs[topic][s] = struct{}{}
	cancel := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs[topic], s)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		s.once.Do(func() { close(s.ch) })
	}
	return s.ch, cancel, nil
}

var _ api.Backend = (*Backend)(nil)

// Bans implements api.Backend.
func (b *Backend) Bans(context.Context) ([]api.BanInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return nil, err
	}
	return slices.Clone(b.bans), nil
}

// Ban implements api.Backend: targets are IPs, CIDR networks or node IDs,
// checked as the node checks them.
func (b *Backend) Ban(_ context.Context, target string, d time.Duration, reason string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	_, errP := netip.ParsePrefix(target)
	_, errA := netip.ParseAddr(target)
	_, errID := hex.DecodeString(target)
	if errP != nil && errA != nil && (errID != nil || len(target) != 64) {
		return fmt.Errorf("%w: %q is not an IP address, a CIDR network or a node ID", api.ErrInvalid, target)
	}
	if d <= 0 {
		d = 24 * time.Hour
	}
	now := time.Now().UTC()
	b.bans = append(b.bans, api.BanInfo{Target: target, Created: now, Until: now.Add(d), Reason: reason})
	return nil
}

// Unban implements api.Backend.
func (b *Backend) Unban(_ context.Context, target string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	i := slices.IndexFunc(b.bans, func(x api.BanInfo) bool { return x.Target == target })
	if i < 0 {
		return fmt.Errorf("%w: no ban of %s", api.ErrNotFound, target)
	}
	b.bans = slices.Delete(b.bans, i, i+1)
	return nil
}

// ClearBans implements api.Backend.
func (b *Backend) ClearBans(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(); err != nil {
		return err
	}
	b.bans = nil
	return nil
}
