package tlsconn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
)

// Defaults of HostConfig.
const (
	// DefaultMaxPendingHandshakes bounds inbound handshakes in flight;
	// further connections are closed at once (TLS costs about 1 ms of CPU
	// per handshake, so this bounds what an attacker can make us spend).
	DefaultMaxPendingHandshakes = 32
	// acceptRetryDelay is the pause after a failed Accept (out of file
	// descriptors), so that the loop does not spin.
	acceptRetryDelay = 100 * time.Millisecond
)

// HostConfig configures a Host. CertsDir and Protocols are required.
type HostConfig struct {
	// CertsDir holds node.crt, node.key, ca.crt and optionally crl.pem
	// (see p2p/certs). The CRL is reread when it changes.
	CertsDir string
	// ListenAddr is the TCP address to accept peers on, e.g.
	// "0.0.0.0:30300"; "" means no listener (dial only).
	ListenAddr string
	// Peers is the static peer list, kept connected; UpdatePeers replaces
	// it at run time.
	Peers []peerlist.Peer
	// Protocols run on every peer that shares them.
	Protocols []Protocol
	Logger    *slog.Logger

	// Transport holds the transport's options (network magic, version
	// contents, timeouts, heartbeat, sizes). Its Certificate, Verifier and
	// Protocols are filled in by NewHost.
	Transport Config

	// MaxPeers caps connected peers; zero means dial.DefaultMaxPeers or
	// twice the peer list, whichever is larger.
	MaxPeers int
	// NetRestrict, when not empty, allows only peers inside these networks:
	// a listed peer outside them is not dialled, an inbound connection from
	// outside is refused on accept, before the TLS handshake.
	NetRestrict []netip.Prefix
	// Banned and BannedID, if set, are the operator's bans (by address,
	// by certificate node ID): such peers are neither dialled nor admitted.
	// See dial.Config for the rules these functions follow.
	Banned   func(netip.Addr) bool
	BannedID func([32]byte) bool
	// StaticBackoff and StaticBackoffMax bound the redial delay of a listed
	// peer (zero: the dial scheduler's 1 s and 60 s).
	StaticBackoff, StaticBackoffMax time.Duration
	// MaxPendingHandshakes: see DefaultMaxPendingHandshakes.
	MaxPendingHandshakes int
	// InboxSize bounds each protocol's queue of received messages per peer
	// (zero means DefaultInboxSize); a message that finds it full waits up
	// to QueueTimeout (zero means DefaultQueueTimeout), then the peer is
	// dropped.
	InboxSize    int
	QueueTimeout time.Duration
	// Resolver resolves host names of the peer list; nil means
	// net.DefaultResolver.
	Resolver *net.Resolver
	// Observer, if not nil, is told of peers added and dropped (transport
	// "tls"), every protocol message in and out (protocol name, command
	// from its table, payload size), and messages lost when a protocol's
	// inbox stalls (Dropped "<name> inbox"). It is also the transport's
	// Observer (refusals, skipped messages) unless Transport.Observer is
	// set.
	Observer p2p.Observer
}

// Host is the permissioned profile's network: a listener, the TLS
// transport, and the dial scheduler keeping every listed peer connected.
// Each connection runs the shared Protocols. All methods are safe for
// concurrent use.
type Host struct {
	cfg    HostConfig
	tr     *Transport
	ln     net.Listener
	sched  *dial.Scheduler
	log    *slog.Logger
	slots  chan struct{}        // inbound handshake tokens
	perSrc *dial.HandshakeSlots // the tokens one address or group may hold

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // accept loop, inbound handshakes, peers

	// mu guards peers, static, learned and closed. It is held across calls
	// to the scheduler (which never calls back into Host from its loop), so
	// that admitting a peer is one decision.
	mu      sync.Mutex
	peers   map[enode.ID]*hostPeer
	static  map[string]dial.Candidate // the applied list, by entry key
	learned map[netip.AddrPort]enode.ID
	closed  bool

	queueStalls atomic.Uint64
}

type hostPeer struct {
	peer *Peer
	dp   dial.Peer
	// dialed is the listed address we dialled, for an outbound peer.
	dialed netip.AddrPort
	since  time.Time
	gone   chan struct{} // closed when the host is done with the peer
}

// replaceWait bounds how long a connection that replaced a duplicate waits
// for the duplicate's protocols to end before starting its own.
const replaceWait = 5 * time.Second

// PeerInfo describes a connected peer.
type PeerInfo struct {
	ID        enode.ID
	Addr      netip.AddrPort
	Inbound   bool
	Since     time.Time
	RTT       time.Duration
	UserAgent string
	Height    int32
	Protocols []Cap
}

// HostStats are the Host's counters.
type HostStats struct {
	Transport Stats
	Dial      dial.Stats
	// QueueStalls counts peers dropped because a protocol's inbox stayed
	// full for QueueTimeout.
	QueueStalls uint64
}

// NewHost loads the node's certificates, starts listening and starts
// dialling the listed peers.
func NewHost(cfg HostConfig) (*Host, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.InboxSize <= 0 {
		cfg.InboxSize = DefaultInboxSize
	}
	if cfg.QueueTimeout <= 0 {
		cfg.QueueTimeout = DefaultQueueTimeout
	}
	if cfg.MaxPendingHandshakes <= 0 {
		cfg.MaxPendingHandshakes = DefaultMaxPendingHandshakes
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = max(dial.DefaultMaxPeers, 2*len(cfg.Peers))
	}
	node, err := certs.LoadNode(cfg.CertsDir)
	if err != nil {
		return nil, err
	}
	v, err := certs.NewVerifier(certs.VerifierConfig{Roots: node.Roots, CRLFile: node.CRLFile, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	tcfg := cfg.Transport
	tcfg.Certificate, tcfg.Verifier = node.Certificate, v
	tcfg.Protocols = nil
	for _, p := range cfg.Protocols {
		if p.Run == nil {
			return nil, fmt.Errorf("%w: protocol %s/%d has no Run", ErrConfig, p.Name, p.Version)
		}
		tcfg.Protocols = append(tcfg.Protocols, p.Spec())
	}
	if tcfg.Logger == nil {
		tcfg.Logger = cfg.Logger
	}
	if tcfg.Observer == nil {
		tcfg.Observer = cfg.Observer
	}
	tr, err := NewTransport(tcfg)
	if err != nil {
		return nil, err
	}
	h := &Host{
		cfg:     cfg,
		tr:      tr,
		log:     cfg.Logger.With("id", tr.ID().TerminalString()),
		slots:   make(chan struct{}, cfg.MaxPendingHandshakes),
		perSrc:  dial.NewHandshakeSlots(cfg.MaxPendingHandshakes),
		peers:   map[enode.ID]*hostPeer{},
		static:  map[string]dial.Candidate{},
		learned: map[netip.AddrPort]enode.ID{},
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	cands, err := h.resolve(h.ctx, cfg.Peers)
	if err != nil {
		h.cancel()
		return nil, err
	}
	var selfAddrs []netip.AddrPort
	if cfg.ListenAddr != "" {
		if h.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
			h.cancel()
			return nil, err
		}
		if ap := h.ln.Addr().(*net.TCPAddr).AddrPort(); !ap.Addr().IsUnspecified() {
			selfAddrs = append(selfAddrs, ap)
		}
	}
	h.sched, err = dial.New(dial.Config{
		MaxPeers:         cfg.MaxPeers,
		MaxOutbound:      1, // no dynamic dialling: the listed peers bypass the target
		NetRestrict:      cfg.NetRestrict,
		Banned:           cfg.Banned,
		BannedID:         cfg.BannedID,
		StaticBackoff:    cfg.StaticBackoff,
		StaticBackoffMax: cfg.StaticBackoffMax,
		Self:             tr.ID(),
		SelfAddrs:        selfAddrs,
		Dial:             h.dial,
		Logger:           cfg.Logger,
	}, nil)
	if err != nil {
		h.cancel()
		if h.ln != nil {
			h.ln.Close()
		}
		return nil, err
	}
	h.mu.Lock()
	for k, c := range cands {
		h.static[k] = c
		h.sched.AddStatic(c)
	}
	h.mu.Unlock()
	if h.ln != nil {
		h.wg.Add(1)
		go h.acceptLoop()
	}
	h.log.Info("Permissioned host started", "listen", h.Addr(), "peers", len(cands))
	return h, nil
}

// ID returns this node's ID.
func (h *Host) ID() enode.ID { return h.tr.ID() }

// Addr returns the listening address, nil without a listener.
func (h *Host) Addr() net.Addr {
	if h.ln == nil {
		return nil
	}
	return h.ln.Addr()
}

// Transport returns the host's transport.
func (h *Host) Transport() *Transport { return h.tr }

// Stats returns the transport's and the scheduler's counters.
func (h *Host) Stats() HostStats {
	return HostStats{Transport: h.tr.Stats(), Dial: h.sched.Stats(), QueueStalls: h.queueStalls.Load()}
}

// Peers returns the connected peers, sorted by ID.
func (h *Host) Peers() []PeerInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]PeerInfo, 0, len(h.peers))
	for _, hp := range h.peers {
		v := hp.peer.Version()
		pi := PeerInfo{
			ID: hp.peer.ID(), Addr: hp.dp.Addr, Inbound: hp.dp.Inbound, Since: hp.since,
			RTT: hp.peer.RTT(), UserAgent: v.UserAgent, Height: v.StartHeight,
		}
		for _, s := range hp.peer.Shared() {
			pi.Protocols = append(pi.Protocols, s.Cap())
		}
		out = append(out, pi)
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

// UpdatePeers replaces the static peer list: new entries are dialled,
// removed ones are no longer redialled and their connections are closed
// (a removed peer that still lists us may connect again; its certificate
// decides). Host names are resolved first; if one fails nothing changes.
func (h *Host) UpdatePeers(peers []peerlist.Peer) error {
	cands, err := h.resolve(h.ctx, peers)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	var drop []*hostPeer
	for k, old := range h.static {
		if nc, ok := cands[k]; ok && nc.Addr == old.Addr {
			continue
		}
		delete(h.static, k)
		h.sched.RemoveStatic(old)
		for _, hp := range h.peers {
			if h.matches(hp, old) {
				drop = append(drop, hp)
			}
		}
		if !old.HasID() {
			delete(h.learned, old.Addr)
		}
	}
	added := 0
	for k, c := range cands {
		if _, ok := h.static[k]; ok {
			continue
		}
		h.static[k] = c
		h.sched.AddStatic(c)
		added++
	}
	for _, hp := range drop {
		hp.peer.Disconnect(p2p.DiscRequested)
	}
	h.log.Info("Peer list updated", "peers", len(cands), "added", added, "dropped", len(drop))
	return nil
}

// matches reports whether a connected peer is the one a list entry names:
// by pinned ID, by the ID learnt from its address, or by the address we
// dialled. h.mu is held.
func (h *Host) matches(hp *hostPeer, c dial.Candidate) bool {
	id := hp.peer.ID()
	if c.HasID() {
		return enode.ID(c.ID) == id
	}
	if learned, ok := h.learned[c.Addr]; ok && learned == id {
		return true
	}
	return !hp.dp.Inbound && hp.dialed == c.Addr
}

// resolve turns list entries into dial candidates keyed by entry.
func (h *Host) resolve(ctx context.Context, peers []peerlist.Peer) (map[string]dial.Candidate, error) {
	r := h.cfg.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	out := make(map[string]dial.Candidate, len(peers))
	for _, p := range peers {
		host, port, err := net.SplitHostPort(p.Addr)
		if err != nil {
			return nil, fmt.Errorf("%w: peer %s: %w", ErrConfig, p, err)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			ips, lerr := r.LookupNetIP(ctx, "ip", host)
			if lerr != nil || len(ips) == 0 {
				return nil, fmt.Errorf("%w: peer %s: resolving %q: %v", ErrConfig, p, host, lerr)
			}
			ip = ips[0]
			for _, a := range ips {
				if a.Unmap().Is4() { // prefer IPv4, as most consortium hosts
					ip = a
					break
				}
			}
		}
		ap, err := netip.ParseAddrPort(net.JoinHostPort(ip.Unmap().String(), port))
		if err != nil {
			return nil, fmt.Errorf("%w: peer %s: %w", ErrConfig, p, err)
		}
		out[p.String()] = dial.Candidate{ID: p.ID, Addr: ap, Node: p}
	}
	return out, nil
}

// dial is the scheduler's DialFunc.
func (h *Host) dial(ctx context.Context, c dial.Candidate) error {
	var expected *enode.ID
	if c.HasID() {
		id := enode.ID(c.ID)
		expected = &id
	} else {
		// An entry without ID whose node is already connected (it dialled
		// us) is not dialled: the connection would be a duplicate.
		h.mu.Lock()
		id, ok := h.learned[c.Addr]
		connected := ok && h.peers[id] != nil
		h.mu.Unlock()
		if connected {
			return fmt.Errorf("%w: %v is %v", dial.ErrAlreadyConnected, c.Addr, id.TerminalString())
		}
	}
	conn, err := h.tr.Dial(ctx, c.Addr.String(), expected)
	if err != nil {
		return err
	}
	if !c.HasID() {
		h.mu.Lock()
		h.learned[c.Addr] = conn.ID()
		h.mu.Unlock()
	}
	return h.admit(conn, c.Addr)
}

func (h *Host) acceptLoop() {
	defer h.wg.Done()
	for {
		raw, err := h.ln.Accept()
		if err != nil {
			if h.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			h.log.Warn("Accept failed", "err", err)
			t := time.NewTimer(acceptRetryDelay)
			select {
			case <-t.C:
			case <-h.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		remote := raw.RemoteAddr().(*net.TCPAddr).AddrPort()
		if err := h.sched.CheckInbound(remote.Addr()); err != nil {
			r := h.tr.countRefusal(true, err)
			h.log.Debug("Inbound connection refused", "addr", remote, "reason", r.String())
			raw.Close()
			continue
		}
		// One address or network group may not hold every token.
		if !h.perSrc.Acquire(remote.Addr()) {
			h.tr.countRefusal(true, dial.ErrTooManyPeers)
			h.log.Debug("Inbound connection refused: too many handshakes from its address or network", "addr", remote)
			raw.Close()
			continue
		}
		select {
		case h.slots <- struct{}{}:
		default:
			h.perSrc.Release(remote.Addr())
			h.tr.countRefusal(true, dial.ErrTooManyPeers)
			h.log.Debug("Inbound connection refused: too many handshakes", "addr", remote)
			raw.Close()
			continue
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			defer func() { <-h.slots }()
			defer h.perSrc.Release(remote.Addr())
			conn, err := h.tr.Setup(h.ctx, raw, true, nil)
			if err != nil {
				return
			}
			h.admit(conn, remote)
		}()
	}
}

// admit adds a handshaken connection to the peer set and runs it. Two
// nodes that list each other may dial each other at the same moment; both
// must then keep the same connection, so a duplicate is resolved by a rule
// both sides compute alike: the connection dialled by the node with the
// smaller ID wins, and its protocols start once the loser's have ended.
func (h *Host) admit(conn *Conn, addr netip.AddrPort) error {
	id := conn.ID()
	hp := &hostPeer{
		dp:    dial.Peer{ID: id, Addr: addr, Inbound: conn.Inbound()},
		since: time.Now(),
		gone:  make(chan struct{}),
	}
	if !conn.Inbound() {
		hp.dialed = addr
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		conn.Close(p2p.DiscQuitting)
		return ErrClosed
	}
	old := h.peers[id]
	if old != nil {
		if !h.preferred(conn) || h.preferred(old.peer.conn) {
			h.mu.Unlock()
			return h.refuse(conn, fmt.Errorf("%w: %v", dial.ErrAlreadyConnected, id.TerminalString()))
		}
		delete(h.peers, id)
		h.sched.RemovePeer(old.dp)
	}
	if err := h.sched.AddPeer(hp.dp); err != nil {
		h.mu.Unlock()
		if old != nil {
			old.peer.Disconnect(p2p.DiscAlreadyConnected)
		}
		return h.refuse(conn, err)
	}
	hp.peer = newPeer(conn, h.cfg.Protocols, h.cfg.InboxSize, h.cfg.QueueTimeout, &h.queueStalls, h.cfg.Observer, h.log)
	h.peers[id] = hp
	h.wg.Add(1)
	h.mu.Unlock()
	if old != nil {
		h.log.Debug("Replacing duplicate connection", "peer", id.TerminalString(), "inbound", conn.Inbound())
		old.peer.Disconnect(p2p.DiscAlreadyConnected)
	}
	h.log.Info("Peer added", "peer", id.TerminalString(), "addr", addr, "inbound", conn.Inbound())
	if o := h.cfg.Observer; o != nil {
		o.PeerConnected(conn.Inbound(), transportName)
	}
	go h.runPeer(hp, old)
	return nil
}

// preferred reports whether conn was dialled by the node with the smaller
// ID of the pair.
func (h *Host) preferred(conn *Conn) bool {
	self, peer := h.tr.ID(), conn.ID()
	lowerIsSelf := bytes.Compare(self[:], peer[:]) < 0
	return conn.Inbound() != lowerIsSelf
}

func (h *Host) refuse(conn *Conn, err error) error {
	r := h.tr.countRefusal(conn.Inbound(), err)
	h.log.Debug("Peer refused", "peer", conn.ID().TerminalString(), "addr", conn.RemoteAddr(),
		"inbound", conn.Inbound(), "reason", r.String())
	conn.Close(err)
	return err
}

// runPeer runs hp until it ends. When hp replaced a duplicate (old), its
// protocols start once old's have ended, so that no protocol sees the node
// twice and refuses the connection that is kept.
func (h *Host) runPeer(hp, old *hostPeer) {
	defer h.wg.Done()
	defer close(hp.gone)
	if old != nil {
		t := time.NewTimer(replaceWait)
		select {
		case <-old.gone:
		case <-t.C:
			h.log.Debug("Replaced connection still running", "peer", enode.ID(hp.dp.ID).TerminalString())
		case <-h.ctx.Done():
		}
		t.Stop()
	}
	err := hp.peer.run()
	h.mu.Lock()
	if h.peers[hp.dp.ID] == hp {
		delete(h.peers, hp.dp.ID)
		h.sched.RemovePeer(hp.dp)
	}
	h.mu.Unlock()
	if o := h.cfg.Observer; o != nil {
		o.PeerDisconnected(hp.dp.Inbound, transportName)
	}
	h.log.Info("Peer disconnected", "peer", enode.ID(hp.dp.ID).TerminalString(), "addr", hp.dp.Addr,
		"inbound", hp.dp.Inbound, "duration", time.Since(hp.since).Round(time.Millisecond), "err", err)
}

// Close disconnects every peer, stops listening and dialling, and waits for
// every goroutine.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	peers := make([]*hostPeer, 0, len(h.peers))
	for _, hp := range h.peers {
		peers = append(peers, hp)
	}
	h.mu.Unlock()
	h.cancel()
	if h.ln != nil {
		h.ln.Close()
	}
	for _, hp := range peers {
		hp.peer.Disconnect(p2p.DiscQuitting)
	}
	h.sched.Close()
	h.wg.Wait()
	return nil
}
