package btcnode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/netsync"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/addrmgr"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/plain"
	"github.com/ledgernet/ledgernet/wire"
)

// Defaults for the zero fields of Config (btcd's and Core's).
const (
	DefaultMaxPeers      = 125
	DefaultMaxOutbound   = 8
	DefaultDialTimeout   = 10 * time.Second
	DefaultMaxHandshakes = 32
	// DefaultConnectBatch is the chain state's blocks per database
	// transaction while catching up: a sync then costs a few fsyncs per
	// thousand blocks (the store's own default is 64).
	DefaultConnectBatch = 1000
)

// Files in the data directory.
const (
	PeersFile = "peers.json"
	BansFile  = "bans.json"
)

// ErrStarted and ErrNotStarted report Start and Stop called out of order.
var (
	ErrStarted    = errors.New("btcnode: already started")
	ErrNotStarted = errors.New("btcnode: not started")
)

// Config configures a Node. Params and DataDir are required; every other
// zero field means its default.
type Config struct {
	// Params is the network profile (mainnet, testnet3/4, signet, regtest,
	// devnet).
	Params *chain.Params
	// DataDir holds the chain state (chain.db), the address tables
	// (peers.json) and the bans (bans.json).
	DataDir string
	// Listen is the TCP address to accept peers on ("127.0.0.1:18444");
	// "" accepts none.
	Listen string
	// ExternalIP is the IP other nodes reach this one at (--nat extip:IP).
	// When it is routable (or the profile is regtest or devnet) and the
	// node listens, it is advertised to every peer with the listening
	// port, soon after the handshake and about once a day.
	ExternalIP netip.Addr
	// Connect, when set, is the only peers dialled (btcd's --connect): no
	// address manager dialling and no DNS seeds. Entries are "host:port"
	// (port defaults to the profile's).
	Connect []string
	// AddPeers are persistent peers dialled besides the address manager's
	// choices, and redialled when they drop (btcd's --addpeer).
	AddPeers []string
	// MaxPeers caps inbound plus outbound peers; MaxOutbound is the outbound
	// target.
	MaxPeers    int
	MaxOutbound int
	// Whitelist holds networks whose peers are never banned (misbehaviour
	// is logged only), are not rate limited in addr gossip, and get deep
	// download pipelines.
	Whitelist []netip.Prefix
	// NetRestrict, when not empty, allows only peers inside these networks,
	// inbound and outbound (--netrestrict); the others are never dialled
	// and are refused on accept.
	NetRestrict []netip.Prefix
	// BanDuration is how long an operator's ban lasts when it names no
	// duration (24 h); BanThreshold is the misbehaviour score that
	// disconnects (100) and discourages the address.
	BanDuration  time.Duration
	BanThreshold int

	// loopbackIsRemote makes the peer policy treat loopback peers as
	// remote ones, so tests on 127.0.0.0/8 can see discouragement.
	loopbackIsRemote bool
	// NoDNSSeed turns DNS seeding off; Resolver replaces the system's
	// (tests pass a fake).
	NoDNSSeed bool
	Resolver  addrmgr.Resolver
	// DialTimeout bounds the TCP dial; MaxHandshakes the inbound
	// connections handshaking at once (more are closed on accept).
	DialTimeout   time.Duration
	MaxHandshakes int
	// UserAgent is sent in version; "" means btcpeer's default.
	UserAgent string

	// Store tunes the chain state (NoSync for tests; ConnectBatch defaults
	// to DefaultConnectBatch here). Now and Logger are set by the node.
	Store store.Config
	// Sync tunes the sync manager; Chain, Pool, Clock and Logger are set
	// by the node.
	Sync netsync.Config
	// Peer tunes every peer (timeouts, queues); Handler, OnMisbehavior,
	// Nonces, BestHeight, Clock, Logger and NoStallDetection are set by the
	// node.
	Peer btcpeer.Config
	// AddrRelay tunes addr gossip; Manager, Exempt, Clock and Logger are
	// set by the node.
	AddrRelay addrmgr.RelayConfig

	Clock  p2p.Clock    // nil means p2p.SystemClock
	Logger *slog.Logger // nil discards logs
}

// Node is a Bitcoin-protocol node: a listener and a dial scheduler bring
// peers; each runs the plain transport and a btcpeer; the sync manager
// keeps the chain state up to date and serves it; the address manager
// chooses whom to dial and gossips addresses; the ban list keeps
// misbehaving peers out. Start starts every goroutine and Stop ends them
// all.
type Node struct {
	cfg    Config
	log    *slog.Logger
	params *chain.Params

	store   *store.Store
	pool    *mempool.Pool
	addrs   *addrmgr.Manager
	bans    *addrmgr.BanList     // the operator's bans, persisted
	discour *addrmgr.Discouraged // addresses whose peers misbehaved
	relay   *addrmgr.Relay
	sync    *netsync.Manager
	sched   *dial.Scheduler
	ln      net.Listener
	nonces  *btcpeer.NonceSet
	peerCfg btcpeer.Config
	unsubs  []func()

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	hs     chan struct{}        // inbound handshake tokens
	perSrc *dial.HandshakeSlots // the tokens one address or group may hold
	// schedSet is closed once sched is set: the scheduler may call the
	// DialFunc before dial.New returns.
	schedSet chan struct{}

	mu      sync.Mutex // guards peers, started, stopped
	peers   map[*btcpeer.Peer]*peerEntry
	started bool
	stopped bool
}

// peerEntry is one connected peer.
type peerEntry struct {
	p      *btcpeer.Peer
	dp     dial.Peer
	static bool
	// ready is closed once the peer is registered with the sync manager
	// and the relay: its handler waits for it, so that no message reaches
	// them before the peer does.
	ready chan struct{}
}

// New checks cfg and returns a node; Start opens its files and runs it.
func New(cfg Config) (*Node, error) {
	if cfg.Params == nil || cfg.DataDir == "" {
		return nil, errors.New("btcnode: Params and DataDir are required")
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = DefaultMaxPeers
	}
	if cfg.MaxOutbound <= 0 {
		cfg.MaxOutbound = DefaultMaxOutbound
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.MaxHandshakes <= 0 {
		cfg.MaxHandshakes = DefaultMaxHandshakes
	}
	if cfg.BanDuration <= 0 {
		cfg.BanDuration = addrmgr.DefaultBanDuration
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Store.ConnectBatch <= 0 {
		cfg.Store.ConnectBatch = DefaultConnectBatch
	}
	return &Node{cfg: cfg, params: cfg.Params, log: cfg.Logger.With("net", cfg.Params.Name), peers: make(map[*btcpeer.Peer]*peerEntry)}, nil
}

// Start opens the data directory and starts the node. On error everything
// opened so far is closed again.
func (n *Node) Start() (err error) {
	n.mu.Lock()
	if n.started {
		n.mu.Unlock()
		return ErrStarted
	}
	n.started = true
	n.mu.Unlock()
	defer func() {
		if err != nil {
			n.shutdown()
		}
	}()
	cfg := n.cfg
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.hs = make(chan struct{}, cfg.MaxHandshakes)
	n.perSrc = dial.NewHandshakeSlots(cfg.MaxHandshakes)
	n.schedSet = make(chan struct{})

	scfg := cfg.Store
	scfg.Now = cfg.Clock.Now
	scfg.Logger = n.log.With("sys", "store")
	if n.store, err = store.Open(filepath.Join(cfg.DataDir, store.FileName), n.params, scfg); err != nil {
		return err
	}
	if n.store.KeepsCoins() {
		if n.pool, err = mempool.New(mempool.Config{Params: n.params, Chain: n.store, Now: cfg.Clock.Now, Logger: n.log.With("sys", "mempool")}); err != nil {
			return err
		}
		n.unsubs = append(n.unsubs, n.store.Subscribe(n.pool.HandleEvent))
	}
	local := n.params.Name == "regtest" || n.params.Name == "devnet"
	if n.addrs, err = addrmgr.New(addrmgr.Config{Path: filepath.Join(cfg.DataDir, PeersFile), AllowLocal: local,
		DefaultPort: n.params.DefaultPort, Clock: cfg.Clock, Logger: n.log.With("sys", "addrmgr")}); err != nil {
		return err
	}
	if n.bans, err = addrmgr.OpenBanList(addrmgr.BanConfig{Path: filepath.Join(cfg.DataDir, BansFile), Whitelist: cfg.Whitelist,
		Clock: cfg.Clock, Logger: n.log.With("sys", "bans"), Observer: cfg.Peer.Observer}); err != nil {
		return err
	}
	n.discour = addrmgr.NewDiscouraged(0)
	rcfg := cfg.AddrRelay
	rcfg.Manager, rcfg.Exempt, rcfg.Clock, rcfg.Logger = n.addrs, n.bans.Whitelisted, cfg.Clock, n.log.With("sys", "addr")
	if ip := cfg.ExternalIP.Unmap(); rcfg.Local == nil && ip.IsValid() && (addrmgr.IsRoutable(ip) || local) {
		rcfg.Local = func() (wire.NetAddress, bool) { return n.localAddr(ip) }
	}
	n.relay = addrmgr.NewRelay(rcfg)

	ycfg := cfg.Sync
	ycfg.Chain = n.store
	if n.pool != nil {
		ycfg.Pool = n.pool
	}
	ycfg.Clock, ycfg.Logger = cfg.Clock, n.log.With("sys", "sync")
	if ycfg.Local == nil {
		ycfg.Local = func(addr string) bool {
			ap, err := netip.ParseAddrPort(addr)
			return err == nil && (ap.Addr().Unmap().IsLoopback() || n.bans.Whitelisted(ap.Addr()))
		}
	}
	if n.sync, err = netsync.New(ycfg); err != nil {
		return err
	}

	n.nonces = btcpeer.NewNonceSet(0)
	pc := cfg.Peer
	pc.Services = wire.SFNodeNetwork | wire.SFNodeWitness
	if cfg.UserAgent != "" {
		pc.UserAgent = cfg.UserAgent
	}
	if cfg.BanThreshold > 0 {
		pc.BanThreshold = cfg.BanThreshold
	}
	pc.Nonces = n.nonces
	pc.BestHeight = func() int32 { return n.store.Tip().Height }
	pc.NoStallDetection = true // netsync keeps its own deadlines
	pc.NoTxRelay = n.pool == nil
	pc.Clock, pc.Logger = cfg.Clock, n.log.With("sys", "peer")
	n.peerCfg = pc

	var static []dial.Candidate
	list := cfg.AddPeers
	if len(cfg.Connect) > 0 {
		list = cfg.Connect
	}
	for _, s := range list {
		ap, err := n.resolve(s)
		if err != nil {
			return err
		}
		static = append(static, dial.Candidate{Addr: ap})
	}
	if cfg.Listen != "" {
		if n.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return err
		}
	}
	dcfg := dial.Config{
		MaxPeers:    cfg.MaxPeers,
		MaxOutbound: cfg.MaxOutbound,
		Static:      static,
		SubnetLimit: 1, // one outbound peer per /16 (IPv4) or /32 (IPv6)
		NetRestrict: cfg.NetRestrict,
		Banned:      n.bans.Banned,
		Discouraged: n.discour.Contains,
		Dial:        n.dial,
		Logger:      n.log.With("sys", "dial"),
	}
	if n.ln != nil {
		if ap, err := netip.ParseAddrPort(n.ln.Addr().String()); err == nil {
			dcfg.SelfAddrs = []netip.AddrPort{ap}
		}
	}
	var it dial.Iterator
	if len(cfg.Connect) == 0 {
		it = n.addrs.Iterator()
	}
	if n.sched, err = dial.New(dcfg, it); err != nil {
		return err
	}
	close(n.schedSet)

	n.addrs.Start()
	n.relay.Start()
	n.sync.Start()
	if n.ln != nil {
		n.wg.Go(n.acceptLoop)
	}
	if len(cfg.Connect) == 0 && !cfg.NoDNSSeed {
		n.wg.Go(n.seed)
	}
	tip := n.store.Tip()
	listen := ""
	if a := n.ListenAddr(); a != nil {
		listen = a.String() // a *net.TCPAddr would log as a JSON object
	}
	n.log.Info("node started", "listen", listen, "height", tip.Height, "tip", tip.Hash, "static", len(static))
	return nil
}

// resolve turns "host:port" (or "host") into an address.
func (n *Node) resolve(s string) (netip.AddrPort, error) {
	if _, _, err := net.SplitHostPort(s); err != nil {
		s = net.JoinHostPort(s, fmt.Sprint(n.params.DefaultPort))
	}
	ta, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("btcnode: peer address %q: %w", s, err)
	}
	ap := ta.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// seed fills an empty address manager from the profile's DNS seeds, then
// its fixed seeds if DNS gave nothing.
func (n *Node) seed() {
	if !n.addrs.NeedMore() {
		return
	}
	ctx, cancel := context.WithTimeout(n.ctx, 30*time.Second)
	defer cancel()
	if n.addrs.SeedFromDNS(ctx, n.cfg.Resolver, n.params.DNSSeeds, n.params.DefaultPort) == 0 {
		n.addrs.AddFixedSeeds(addrmgr.FixedSeeds(n.params))
	}
}

// Stop disconnects every peer, stops every goroutine, saves the address
// tables and closes the chain state.
func (n *Node) Stop() error {
	n.mu.Lock()
	if !n.started {
		n.mu.Unlock()
		return ErrNotStarted
	}
	if n.stopped {
		n.mu.Unlock()
		return nil
	}
	n.stopped = true
	n.mu.Unlock()
	return n.shutdown()
}

func (n *Node) shutdown() error {
	if n.cancel != nil {
		n.cancel()
	}
	if n.ln != nil {
		n.ln.Close()
	}
	if n.sched != nil {
		n.sched.Close()
	}
	n.wg.Wait()
	if n.sync != nil {
		n.sync.Close()
	}
	if n.relay != nil {
		n.relay.Close()
	}
	var err error
	if n.addrs != nil {
		err = n.addrs.Close()
	}
	for _, u := range n.unsubs {
		u()
	}
	if n.store != nil {
		if e := n.store.Close(); err == nil {
			err = e
		}
	}
	n.log.Info("node stopped")
	return err
}

// acceptLoop admits inbound connections: CheckInbound (bans, throttle,
// slots) before anything is read, and a bounded number of handshakes at
// once.
func (n *Node) acceptLoop() {
	for {
		c, err := n.ln.Accept()
		if err != nil {
			if n.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			n.log.Error("accept failed", "err", err)
			return
		}
		ap, _ := netip.ParseAddrPort(c.RemoteAddr().String())
		ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if err := n.sched.CheckInbound(ap.Addr()); err != nil {
			n.log.Debug("inbound refused", "addr", ap, "err", err)
			n.observer().HandshakeFailed(transportName, dial.RefusalReason(err))
			c.Close()
			continue
		}
		// One address or network group may not hold every token.
		if !n.perSrc.Acquire(ap.Addr()) {
			n.log.Debug("inbound refused: too many handshakes from its address or network", "addr", ap)
			n.observer().HandshakeFailed(transportName, "handshakes from source")
			c.Close()
			continue
		}
		select {
		case n.hs <- struct{}{}:
		default:
			n.perSrc.Release(ap.Addr())
			n.log.Debug("inbound refused: too many handshakes", "addr", ap)
			n.observer().HandshakeFailed(transportName, "handshake slots full")
			c.Close()
			continue
		}
		n.wg.Go(func() {
			n.runPeer(n.ctx, c, true, ap, false)
		})
	}
}

// dial is the scheduler's DialFunc.
func (n *Node) dial(ctx context.Context, c dial.Candidate) error {
	select {
	case <-n.schedSet:
	case <-ctx.Done():
		return ctx.Err()
	}
	n.addrs.Attempt(c.Addr)
	d := net.Dialer{Timeout: n.cfg.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", c.Addr.String())
	if err != nil {
		return err
	}
	return n.runPeer(ctx, conn, false, c.Addr, c.Node == nil)
}

// runPeer runs the handshake over c and, once the scheduler admits the
// peer, registers it; the peer then runs on until it disconnects. It
// returns when the peer is admitted or has failed.
func (n *Node) runPeer(ctx context.Context, c net.Conn, inbound bool, addr netip.AddrPort, static bool) error {
	conn, err := plain.New(c, plain.Config{Net: n.params.Net, Commands: btcpeer.Commands(), MaxPayload: btcpeer.MaxPayload, Now: n.cfg.Clock.Now, Observer: n.peerCfg.Observer})
	if err != nil {
		c.Close()
		if inbound {
			n.perSrc.Release(addr.Addr())
			<-n.hs
		}
		return err
	}
	e := &peerEntry{static: static, ready: make(chan struct{}), dp: dial.Peer{Addr: addr, Inbound: inbound}}
	pc := n.peerCfg
	if n.bans.Whitelisted(addr.Addr()) {
		pc.BanThreshold = math.MaxInt32 // logged, never disconnected for it
	}
	pc.OnMisbehavior = func(p *btcpeer.Peer, m btcpeer.Misbehavior) { n.onMisbehavior(p, m, static) }
	pc.Handler = btcpeer.HandlerFunc(func(p *btcpeer.Peer, msg wire.Message) {
		select {
		case <-e.ready:
		case <-p.Closing():
			return
		}
		if n.relay.HandleMessage(p, msg) {
			return
		}
		n.sync.HandleMessage(p, msg)
	})
	p := btcpeer.New(conn, inbound, pc)
	e.p = p
	n.wg.Go(func() { p.Run(n.ctx) })
	select {
	case <-p.Ready():
	case <-p.Done():
	case <-ctx.Done():
		p.Disconnect(p2p.DiscQuitting)
	}
	if inbound {
		n.perSrc.Release(addr.Addr())
		<-n.hs
	}
	select {
	case <-p.Ready():
	default:
		<-p.Done()
		err := p.Err()
		if err == nil {
			err = ctx.Err()
		}
		n.observer().HandshakeFailed(transportName, handshakeReason(err))
		if errors.Is(err, btcpeer.ErrSelfConnection) {
			return fmt.Errorf("%w: %w", dial.ErrSelf, err)
		}
		return err
	}
	if err := n.sched.AddPeer(e.dp); err != nil {
		n.log.Debug("peer refused", "addr", addr, "inbound", inbound, "err", err)
		n.observer().HandshakeFailed(transportName, dial.RefusalReason(err))
		p.Disconnect(fmt.Errorf("%w: %w", p2p.DiscTooManyPeers, err))
		<-p.Done()
		return err
	}
	n.observer().PeerConnected(inbound, transportName)
	n.mu.Lock()
	n.peers[p] = e
	n.mu.Unlock()
	n.sync.AddPeer(p)
	n.relay.AddPeer(p)
	if !inbound {
		n.addrs.Good(addr)
		n.addrs.SetServices(addr, p.Services())
	}
	close(e.ready)
	n.log.Info("peer connected", "addr", addr, "inbound", inbound, "agent", p.Info().UserAgent, "height", p.StartHeight())
	n.wg.Go(func() {
		<-p.Done()
		n.sync.RemovePeer(p)
		n.relay.RemovePeer(p)
		n.sched.RemovePeer(e.dp)
		if !inbound {
			n.addrs.Connected(addr)
		}
		n.mu.Lock()
		delete(n.peers, p)
		n.mu.Unlock()
		n.observer().PeerDisconnected(inbound, transportName)
		n.log.Info("peer disconnected", "addr", addr, "inbound", inbound, "err", p.Err())
	})
	return nil
}

// transportName is the plain transport's name in metrics and peer lists.
const transportName = "plain"

// observer returns the observer of Config.Peer, which the node's metrics
// fill in, or one that does nothing.
func (n *Node) observer() p2p.Observer {
	if o := n.peerCfg.Observer; o != nil {
		return o
	}
	return p2p.NopObserver{}
}

// handshakeReason labels a failed version/verack handshake for the
// observer, in the words the other hosts use.
func handshakeReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, btcpeer.ErrSelfConnection):
		return "self"
	case errors.Is(err, btcpeer.ErrHandshakeTimeout), errors.Is(err, context.DeadlineExceeded):
		return "handshake timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, p2p.DiscQuitting):
		return "quitting"
	case errors.Is(err, btcpeer.ErrNoVersion), errors.Is(err, btcpeer.ErrObsoleteVersion), errors.Is(err, btcpeer.ErrMissingServices),
		errors.Is(err, btcpeer.ErrDuplicateVersion), errors.Is(err, btcpeer.ErrDuplicateVerAck), errors.Is(err, btcpeer.ErrMalformed):
		return "protocol error"
	case errors.Is(err, btcpeer.ErrConnection), errors.Is(err, btcpeer.ErrTruncated), errors.As(err, &ne):
		return "network error"
	}
	return "other"
}

// onMisbehavior applies the peer policy, as Bitcoin Core does, when a
// peer's score reaches the threshold (btcpeer has then disconnected it):
// the address is discouraged (never dialled from the address book; it may
// still connect inbound) unless the peer is manual (--connect, --addpeer,
// the API) or local (loopback), which are only disconnected. Whitelisted
// peers never reach the threshold. Nothing is banned (bans are the
// operator's), and no other connection, from the same address or not, is
// dropped: one address is often many people.
func (n *Node) onMisbehavior(p *btcpeer.Peer, m btcpeer.Misbehavior, manual bool) {
	if !m.Threshold {
		return
	}
	ap, err := netip.ParseAddrPort(p.Addr().String())
	if err != nil {
		return
	}
	ip := ap.Addr().Unmap()
	switch {
	case manual:
		n.log.Info("manual peer misbehaved: disconnected, not discouraged", "addr", ap, "score", m.Score, "reason", m.Reason)
	case isLocal(ip) && !n.cfg.loopbackIsRemote:
		n.log.Info("local peer misbehaved: disconnected, not discouraged", "addr", ap, "score", m.Score, "reason", m.Reason)
	default:
		n.discour.Add(ip)
		n.log.Info("peer misbehaved: disconnected and discouraged", "addr", ap, "score", m.Score, "reason", m.Reason)
	}
}

// isLocal reports the addresses Core never discourages: loopback and
// 0.0.0.0/8.
func isLocal(ip netip.Addr) bool {
	return ip.IsLoopback() || ip.IsUnspecified() || (ip.Is4() && ip.As4()[0] == 0)
}

// Discouraged returns the set of discouraged addresses.
func (n *Node) Discouraged() *addrmgr.Discouraged { return n.discour }

// AddPeer dials addr ("host:port") now and whenever it drops, like
// Config.AddPeers.
func (n *Node) AddPeer(addr string) error {
	ap, err := n.resolve(addr)
	if err != nil {
		return err
	}
	n.sched.AddStatic(dial.Candidate{Addr: ap})
	return nil
}

// SubmitTx offers a transaction to the pool and relays it.
func (n *Node) SubmitTx(tx *wire.MsgTx) error { return n.sync.SubmitTx(tx) }

// localAddr is the address advertised to peers: ip and the listening
// port. The listener is set before the relay starts.
func (n *Node) localAddr(ip netip.Addr) (wire.NetAddress, bool) {
	if n.ln == nil {
		return wire.NetAddress{}, false
	}
	ap, err := netip.ParseAddrPort(n.ln.Addr().String())
	if err != nil {
		return wire.NetAddress{}, false
	}
	return wire.NetAddress{Services: n.peerCfg.Services, IP: ip, Port: ap.Port()}, true
}

// ListenAddr returns the address the node accepts peers on, nil if none.
func (n *Node) ListenAddr() net.Addr {
	if n.ln == nil {
		return nil
	}
	return n.ln.Addr()
}

// DialStats returns the dial scheduler's counters: dials, refusals
// (netrestrict, bans, slots) and skipped candidates.
func (n *Node) DialStats() dial.Stats { return n.sched.Stats() }

// Chain returns the chain state (valid between Start and Stop).
func (n *Node) Chain() *store.Store { return n.store }

// Pool returns the mempool, nil on networks without a coin set.
func (n *Node) Pool() *mempool.Pool { return n.pool }

// Sync returns the sync manager.
func (n *Node) Sync() *netsync.Manager { return n.sync }

// Addrs returns the address manager.
func (n *Node) Addrs() *addrmgr.Manager { return n.addrs }

// Bans returns the ban list.
func (n *Node) Bans() *addrmgr.BanList { return n.bans }

// Peers returns the connected peers.
func (n *Node) Peers() []*btcpeer.Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]*btcpeer.Peer, 0, len(n.peers))
	for p := range n.peers {
		out = append(out, p)
	}
	return out
}

// PeerInfo is one peer as the API shows it.
type PeerInfo struct {
	btcpeer.Info
	Static bool `json:"static"`
	// SyncHeight is the best block the sync manager knows the peer has;
	// InFlight the blocks it owes us.
	SyncHeight int32 `json:"sync_height"`
	InFlight   int   `json:"blocks_in_flight"`
}

// PeersInfo returns a snapshot of every peer, oldest connection first.
func (n *Node) PeersInfo() []PeerInfo {
	n.mu.Lock()
	entries := make([]*peerEntry, 0, len(n.peers))
	for _, e := range n.peers {
		entries = append(entries, e)
	}
	n.mu.Unlock()
	syncs := map[string]netsync.PeerState{}
	for _, s := range n.sync.Peers() {
		syncs[s.Addr] = s
	}
	out := make([]PeerInfo, 0, len(entries))
	for _, e := range entries {
		info := e.p.Info()
		s := syncs[info.Addr]
		out = append(out, PeerInfo{Info: info, Static: e.static, SyncHeight: s.BestHeight, InFlight: s.InFlight})
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return a.ConnectedAt.Compare(b.ConnectedAt) })
	return out
}

// ChainInfo is the chain as the API shows it.
type ChainInfo struct {
	Network      string    `json:"network"`
	Height       int32     `json:"height"`
	Tip          wire.Hash `json:"tip"`
	TipTime      time.Time `json:"tip_time"`
	Headers      int32     `json:"headers"`
	BestHeader   wire.Hash `json:"best_header"`
	Syncing      bool      `json:"syncing"`
	BlocksPerSec float64   `json:"blocks_per_sec"`
	Inbound      int       `json:"inbound"`
	Outbound     int       `json:"outbound"`
	MempoolTxs   int       `json:"mempool_txs"`
	KnownAddrs   int       `json:"known_addrs"`
	Bans         int       `json:"bans"`
}

// ChainInfo returns the chain's state and the node's counts.
func (n *Node) ChainInfo() ChainInfo {
	si := n.sync.Info()
	tip := n.store.Tip()
	in, out := n.sched.PeerCount()
	ci := ChainInfo{
		Network: n.params.Name, Height: tip.Height, Tip: tip.Hash, TipTime: tip.Header.Time(),
		Headers: si.HeaderHeight, BestHeader: si.BestHeader, Syncing: si.Syncing, BlocksPerSec: si.BlocksPerSec,
		Inbound: in, Outbound: out, KnownAddrs: n.addrs.Len(), Bans: len(n.bans.List()),
	}
	if n.pool != nil {
		ci.MempoolTxs = n.pool.Count()
	}
	return ci
}
