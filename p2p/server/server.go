package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

// Defaults for the zero fields of Config: go-ethereum's.
const (
	DefaultHandshakeTimeout     = 5 * time.Second
	DefaultDialTimeout          = 15 * time.Second
	DefaultPingInterval         = 15 * time.Second
	DefaultReadTimeout          = 30 * time.Second
	DefaultWriteTimeout         = 20 * time.Second
	DefaultMaxPendingHandshakes = 50
	// DefaultProtocolQueue and DefaultQueueTimeout bound each protocol's
	// inbound queue; see Peer.
	DefaultProtocolQueue = 16
	DefaultQueueTimeout  = 10 * time.Second
)

// Errors returned by the Server.
var (
	ErrNotRunning  = errors.New("server: not running")
	ErrRunning     = errors.New("server: already started")
	ErrUselessPeer = errors.New("server: no capability in common")
	ErrWrongID     = errors.New("server: peer is not the node dialled")
	ErrConfig      = errors.New("server: bad config")
)

// Dialer opens outbound TCP connections; *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Config configures a Server. Zero fields take the defaults.
type Config struct {
	// PrivateKey is the node key. It is required unless Transport is set:
	// the default transport (RLPx) and Self's record are made from it.
	PrivateKey *secp256k1.PrivateKey
	// ClientName is the name sent to peers (RLPx Hello). Empty means
	// version.ClientName().
	ClientName string

	// ListenAddr is the TCP address to listen on, such as ":30303" or
	// "127.0.0.1:0". Empty means no listening (unless Listener is set).
	ListenAddr string
	// Listener, if set, is used instead of ListenAddr; the server owns it
	// and closes it on Stop.
	Listener net.Listener
	// MaxPendingHandshakes caps inbound connections in their handshake at
	// once; while it is reached the server does not accept. Default 50.
	MaxPendingHandshakes int

	// MaxPeers caps the peer set (dial's default, 50, when zero).
	MaxPeers int
	// NetRestrict, when not empty, allows only these networks, inbound and
	// outbound.
	NetRestrict []netip.Prefix
	// NoDial turns outbound dialling off, static peers included.
	NoDial bool
	// Scheduler tunes the dial scheduler (DialRatio, MaxOutbound,
	// MaxPendingDials, DialHistory, InboundThrottle, SubnetLimit, Banned,
	// static backoff, ...). The server sets MaxPeers, NetRestrict, NoDial,
	// Static, Self, SelfAddrs, Dial, Clock and Logger itself.
	Scheduler dial.Config

	// Protocols are the capability protocols offered to every peer. A peer
	// sharing none of them is disconnected with p2p.DiscUselessPeer.
	Protocols []Protocol

	// StaticNodes are dialled and kept connected (redialled with backoff);
	// more can be added with AddPeer.
	StaticNodes []*enode.Node
	// BootstrapNodes are dialled once each as ordinary candidates, ahead
	// of Discovery. (Discovery takes them as its own seeds too.)
	BootstrapNodes []*enode.Node
	// Discovery is the stream of dial candidates (discv4's random nodes,
	// DNS seeds...). The server owns it and closes it on Stop. Its
	// candidates' Node must be what Transport expects (*enode.Node for
	// RLPx).
	Discovery dial.Iterator

	// Transport makes sessions out of connections. Nil means an
	// RLPxTransport for PrivateKey.
	Transport Transport
	// Dialer opens outbound connections. Nil means a net.Dialer with
	// DialTimeout.
	Dialer      Dialer
	DialTimeout time.Duration // default 15 s

	// HandshakeTimeout bounds the transport handshake of each connection
	// (for RLPx: encryption handshake and Hello). Default 5 s.
	HandshakeTimeout time.Duration
	// PingInterval, ReadTimeout and WriteTimeout: keepalive period (when
	// the session has one; negative turns pings off), idle read limit, and
	// limit of each write. Defaults 15 s, 30 s, 20 s.
	PingInterval time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// ProtocolQueue and QueueTimeout bound each protocol's inbound queue
	// per peer: see Peer. Defaults 16 messages, 10 s.
	ProtocolQueue int
	QueueTimeout  time.Duration

	// LocalNode is this node's record; the server sets its IP (the
	// listener's, 127.0.0.1 when that is unspecified) and TCP port. Nil
	// means a fresh one for PrivateKey.
	LocalNode *enode.LocalNode

	// Logger defaults to discarding. Clock defaults to dial.SystemClock;
	// it drives the scheduler, pings, queue timeouts and the deadlines set
	// on sockets, so with real sockets it must follow real time (or the
	// time of a testing/synctest bubble).
	Logger *slog.Logger
	Clock  dial.Clock

	// Observer, if not nil, is told of peers added and dropped (with the
	// transport's name), failed handshakes and refused admissions (with a
	// short reason: the transport's, if it is a FailureReasoner),
	// every protocol message in and out (protocol name, command from
	// Protocol.Commands or the code in decimal, payload size) and messages
	// lost when a protocol's inbound queue stalls (queue "<name> inbox").
	// Keepalive messages of the transport are not reported.
	Observer p2p.Observer
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.PrivateKey == nil && cfg.Transport == nil {
		return cfg, fmt.Errorf("%w: PrivateKey or Transport required", ErrConfig)
	}
	if err := validateProtocols(cfg.Protocols); err != nil {
		return cfg, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.MaxPendingHandshakes < 0 || cfg.ProtocolQueue < 0 {
		return cfg, fmt.Errorf("%w: negative value", ErrConfig)
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	def(&cfg.DialTimeout, DefaultDialTimeout)
	def(&cfg.ReadTimeout, DefaultReadTimeout)
	def(&cfg.WriteTimeout, DefaultWriteTimeout)
	def(&cfg.QueueTimeout, DefaultQueueTimeout)
	switch {
	case cfg.PingInterval == 0:
		cfg.PingInterval = DefaultPingInterval
	case cfg.PingInterval < 0:
		cfg.PingInterval = 0
	}
	if cfg.MaxPendingHandshakes == 0 {
		cfg.MaxPendingHandshakes = DefaultMaxPendingHandshakes
	}
	if cfg.ProtocolQueue == 0 {
		cfg.ProtocolQueue = DefaultProtocolQueue
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = dial.SystemClock{}
	}
	if cfg.Dialer == nil {
		cfg.Dialer = &net.Dialer{Timeout: cfg.DialTimeout}
	}
	if cfg.LocalNode == nil && cfg.PrivateKey != nil {
		cfg.LocalNode = enode.NewLocalNode(cfg.PrivateKey, uint64(time.Now().UnixMilli()))
	}
	return cfg, nil
}

// Stats are the server's counters, for metrics.
type Stats struct {
	// Accepted inbound connections; InboundRefused of them refused before
	// any handshake (dial.CheckInbound: netrestrict, ban, throttle, full);
	// HandshakeSlotsFull counts the times the listener paused because
	// MaxPendingHandshakes handshakes were running.
	Accepted, InboundRefused, HandshakeSlotsFull uint64
	// PendingHandshakes is the number of inbound handshake slots in use,
	// counting the one the listener holds while it waits in Accept.
	PendingHandshakes int
	// Handshakes started (both directions), failed, and timed out (a
	// subset of the failures).
	Handshakes, HandshakeErrors, HandshakeTimeouts uint64
	// UselessPeers shared no capability; PeersRefused were refused by the
	// peer set (self, duplicate, too many).
	UselessPeers, PeersRefused uint64
	PeersAdded, PeersDropped   uint64
	// QueueFull counts messages that found their protocol's queue full,
	// QueueStalls the peers dropped because it stayed full.
	QueueFull, QueueStalls uint64
	// EventsDropped did not fit in a subscriber's buffer.
	EventsDropped uint64
	// Dial is the scheduler's snapshot.
	Dial dial.Stats
}

// Server accepts and dials connections, runs the transport handshake on
// each, matches capabilities, and runs the protocols with every peer. See
// the package documentation.
type Server struct {
	cfg       Config
	transport Transport
	caps      []Cap
	log       *slog.Logger
	pcfg      *peerConfig
	stats     counters
	feed      feed

	ctx    context.Context // handshakes; cancelled by Stop
	cancel context.CancelFunc
	ready  chan struct{}  // closed when Start has set sched and transport
	wg     sync.WaitGroup // listen loop, inbound handshakes, peers

	mu       sync.Mutex // guards the fields below
	started  bool
	stopped  bool
	peers    map[*Peer]struct{}
	ln       net.Listener
	sched    *dial.Scheduler
	tokens   chan struct{}        // inbound handshake slots
	perSrc   *dial.HandshakeSlots // the slots one address or group may hold
	stopOnce sync.Once
}

// New checks cfg and returns a Server that has not started. Subscribe
// before Start to see every event.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, caps: localCaps(cfg.Protocols), log: cfg.Logger, ctx: ctx, cancel: cancel,
		ready: make(chan struct{}), peers: make(map[*Peer]struct{})}
	s.feed.stats = &s.stats
	s.pcfg = &peerConfig{
		pingInterval: cfg.PingInterval, readTimeout: cfg.ReadTimeout, writeTimeout: cfg.WriteTimeout,
		queueSize: cfg.ProtocolQueue, queueTimeout: cfg.QueueTimeout, clock: cfg.Clock, stats: &s.stats,
		obs: cfg.Observer,
	}
	return s, nil
}

// Start listens (if configured) and starts dialling.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return ErrRunning
	}
	if s.stopped {
		return ErrNotRunning
	}
	cfg := s.cfg
	ln := cfg.Listener
	if ln == nil && cfg.ListenAddr != "" {
		var err error
		if ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
			return fmt.Errorf("server: %w", err)
		}
	}
	var listenAP netip.AddrPort
	if ln != nil {
		if ta, ok := ln.Addr().(*net.TCPAddr); ok {
			listenAP = ta.AddrPort()
		}
	}
	if local := cfg.LocalNode; local != nil {
		ip := listenAP.Addr().Unmap()
		if !ip.IsValid() || ip.IsUnspecified() {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		local.SetIP(ip)
		if listenAP.Port() != 0 {
			local.Set(enr.TCP(listenAP.Port()))
		}
	}
	s.transport = cfg.Transport
	if s.transport == nil {
		s.transport = NewRLPxTransport(cfg.PrivateKey, RLPxConfig{ClientName: cfg.ClientName, ListenPort: listenAP.Port()})
	}

	dc := cfg.Scheduler
	dc.MaxPeers, dc.NetRestrict, dc.NoDial = cfg.MaxPeers, cfg.NetRestrict, cfg.NoDial
	dc.Self = s.transport.LocalID()
	dc.SelfAddrs = selfAddrs(listenAP)
	dc.Dial, dc.Clock, dc.Logger = s.dial, cfg.Clock, cfg.Logger
	dc.Static = nil
	for _, n := range cfg.StaticNodes {
		if c, ok := candidateOf(n); ok {
			dc.Static = append(dc.Static, c)
		}
	}
	sched, err := dial.New(dc, s.candidates())
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	s.sched, s.ln, s.started = sched, ln, true
	close(s.ready) // dial tasks may have started already; they wait for this
	if ln != nil {
		s.tokens = make(chan struct{}, cfg.MaxPendingHandshakes)
		s.perSrc = dial.NewHandshakeSlots(cfg.MaxPendingHandshakes)
		s.wg.Add(1)
		go s.listenLoop(ln, s.tokens)
	}
	s.log.Info("P2P server started", "id", s.transport.LocalID().TerminalString(), "transport", s.transport.Name(), "listen", listenAP, "protocols", len(cfg.Protocols))
	return nil
}

// candidates merges the bootstrap nodes and the discovery iterator.
func (s *Server) candidates() dial.Iterator {
	var boot []dial.Candidate
	for _, n := range s.cfg.BootstrapNodes {
		if c, ok := candidateOf(n); ok {
			boot = append(boot, c)
		}
	}
	switch {
	case len(boot) == 0:
		return s.cfg.Discovery // may be nil
	case s.cfg.Discovery == nil:
		return dial.NewSliceIter(boot)
	}
	mix := dial.NewFairMix(0, s.cfg.Clock)
	mix.AddSource(dial.NewSliceIter(boot))
	mix.AddSource(s.cfg.Discovery)
	return mix
}

// candidateOf returns the dial candidate for n, if n has a TCP endpoint.
func candidateOf(n *enode.Node) (dial.Candidate, bool) {
	if n == nil {
		return dial.Candidate{}, false
	}
	ap, ok := n.TCPEndpoint()
	return dial.Candidate{ID: n.ID(), Addr: ap, Node: n}, ok
}

// selfAddrs lists the addresses that reach this node, so the scheduler never
// dials them.
func selfAddrs(ap netip.AddrPort) []netip.AddrPort {
	if ap.Port() == 0 {
		return nil
	}
	if a := ap.Addr().Unmap(); a.IsUnspecified() {
		return []netip.AddrPort{
			netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), ap.Port()),
			netip.AddrPortFrom(netip.IPv6Loopback(), ap.Port()),
		}
	}
	return []netip.AddrPort{ap}
}

// Stop disconnects every peer with p2p.DiscQuitting, stops listening and
// dialling, and returns when every goroutine the server started has ended.
// Subscriptions are closed. Calls after the first wait for it.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopped = true
		peers := make([]*Peer, 0, len(s.peers))
		for p := range s.peers {
			peers = append(peers, p)
		}
		ln, sched := s.ln, s.sched
		s.mu.Unlock()

		s.cancel() // handshakes in progress give up
		if ln != nil {
			ln.Close()
		}
		if sched != nil {
			sched.Close() // waits for dial tasks
		}
		for _, p := range peers {
			p.Disconnect(p2p.DiscQuitting)
		}
		s.wg.Wait()
		s.feed.close()
		s.log.Info("P2P server stopped")
	})
}

// listenLoop accepts connections while it holds a handshake slot.
func (s *Server) listenLoop(ln net.Listener, tokens chan struct{}) {
	defer s.wg.Done()
	for {
		select {
		case tokens <- struct{}{}:
		default:
			s.stats.handshakeSlotsFull.Add(1)
			select {
			case tokens <- struct{}{}:
			case <-s.ctx.Done():
				return
			}
		}
		fd, err := ln.Accept()
		if err != nil {
			<-tokens
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: back off a little instead of spinning.
			s.log.Debug("Accept failed", "err", err)
			t := s.cfg.Clock.NewTimer(50 * time.Millisecond)
			select {
			case <-t.C():
			case <-s.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		s.stats.accepted.Add(1)
		var ip netip.Addr
		if ta, ok := fd.RemoteAddr().(*net.TCPAddr); ok {
			ip = ta.AddrPort().Addr()
		}
		if err := s.sched.CheckInbound(ip); err != nil {
			s.stats.inboundRefused.Add(1)
			s.handshakeFailed(admissionReason(err))
			s.log.Debug("Inbound connection refused", "addr", fd.RemoteAddr(), "err", err)
			fd.Close()
			<-tokens
			continue
		}
		// One address or network group may not hold every slot: closed at
		// once, a flood from one place drains from the backlog quickly.
		if !s.perSrc.Acquire(ip) {
			s.stats.inboundRefused.Add(1)
			s.handshakeFailed(reasonSourceBusy)
			s.log.Debug("Inbound connection refused: too many handshakes from its address or network", "addr", fd.RemoteAddr())
			fd.Close()
			<-tokens
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-tokens }()
			defer s.perSrc.Release(ip)
			if err := s.setupConn(fd, nil); err != nil {
				s.log.Debug("Inbound connection failed", "addr", fd.RemoteAddr(), "err", err)
			}
		}()
	}
}

// dial is the scheduler's DialFunc.
func (s *Server) dial(ctx context.Context, c dial.Candidate) error {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	fd, err := s.cfg.Dialer.DialContext(dctx, "tcp", c.Addr.String())
	cancel()
	if err != nil {
		return err
	}
	return s.setupConn(fd, &c)
}

// setupConn runs the handshake on fd, admits the peer and starts it. dest
// is nil for inbound connections.
func (s *Server) setupConn(fd net.Conn, dest *dial.Candidate) error {
	s.stats.handshakes.Add(1)
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.HandshakeTimeout)
	sess, err := s.transport.Handshake(ctx, fd, dest, s.caps)
	cancel()
	if err != nil {
		s.stats.handshakeErrors.Add(1)
		if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			s.stats.handshakeTimeouts.Add(1)
		}
		if s.cfg.Observer != nil && s.ctx.Err() == nil { // not the server's own Stop
			s.handshakeFailed(handshakeReason(s.transport, err))
		}
		return fmt.Errorf("server: handshake: %w", err)
	}
	if dest != nil && dest.HasID() && dest.ID != sess.ID {
		s.handshakeFailed(reasonUnexpectedID)
		sess.Conn.Close(p2p.DiscUnexpectedIdentity)
		return fmt.Errorf("%w: dialled %x…, got %s", ErrWrongID, dest.ID[:8], sess.ID.TerminalString())
	}
	ms := matchProtocols(s.cfg.Protocols, sess.Caps)
	if len(ms) == 0 {
		s.stats.uselessPeers.Add(1)
		s.handshakeFailed(reasonNoShared)
		sess.Conn.Close(p2p.DiscUselessPeer)
		return fmt.Errorf("%w: peer %s offers %v", ErrUselessPeer, sess.ID.TerminalString(), sess.Caps)
	}
	// The scheduler may replace this connection with a simultaneous one the
	// other way (see dial.Scheduler.AddPeer); it then calls Close, possibly
	// before the Peer below exists.
	closer := new(peerCloser)
	dp := dial.Peer{ID: sess.ID, Inbound: dest == nil, Close: closer.close}
	if dest != nil {
		dp.Addr = dest.Addr
	} else if ta, ok := sess.Conn.RemoteAddr().(*net.TCPAddr); ok {
		dp.Addr = ta.AddrPort()
	}
	if err := s.sched.AddPeer(dp); err != nil {
		s.stats.peersRefused.Add(1)
		s.handshakeFailed(admissionReason(err))
		sess.Conn.Close(discReasonFor(err))
		return err
	}
	p := newPeer(sess, s.transport.Name(), dest == nil, dp, ms, s.pcfg, s.log)
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.sched.RemovePeer(dp)
		sess.Conn.Close(p2p.DiscQuitting)
		return ErrNotRunning
	}
	// A connection to the same node that this one replaced (a simultaneous
	// dial) may still be running its protocols: they end when it is
	// disconnected, and this one's start after, so that no protocol sees
	// the node twice and refuses the connection that is kept.
	var prev *Peer
	for q := range s.peers {
		if q.id == p.id {
			prev = q
		}
	}
	s.peers[p] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	closer.set(p)
	go s.runPeer(p, prev)
	return nil
}

// peerCloser disconnects a peer the scheduler replaced, whether the
// replacement comes before or after the Peer is made.
type peerCloser struct {
	mu     sync.Mutex // guards p and closed
	p      *Peer
	closed bool
}

func (c *peerCloser) close() {
	c.mu.Lock()
	c.closed = true
	p := c.p
	c.mu.Unlock()
	if p != nil {
		p.Disconnect(p2p.DiscAlreadyConnected)
	}
}

func (c *peerCloser) set(p *Peer) {
	c.mu.Lock()
	c.p = p
	closed := c.closed
	c.mu.Unlock()
	if closed {
		p.Disconnect(p2p.DiscAlreadyConnected)
	}
}

// handshakeFailed tells the observer, if any, of a refused connection.
func (s *Server) handshakeFailed(reason string) {
	if o := s.cfg.Observer; o != nil {
		o.HandshakeFailed(s.transport.Name(), reason)
	}
}

// discReasonFor maps the scheduler's refusals to the reason sent.
func discReasonFor(err error) p2p.DiscReason {
	switch {
	case errors.Is(err, dial.ErrSelf):
		return p2p.DiscSelf
	case errors.Is(err, dial.ErrAlreadyConnected):
		return p2p.DiscAlreadyConnected
	case errors.Is(err, dial.ErrTooManyPeers), errors.Is(err, dial.ErrThrottled):
		return p2p.DiscTooManyPeers
	case errors.Is(err, dial.ErrClosed):
		return p2p.DiscQuitting
	}
	return p2p.DiscUselessPeer // ErrNotAllowed, ErrBanned
}

func (s *Server) runPeer(p *Peer, prev *Peer) {
	defer s.wg.Done()
	defer close(p.gone)
	if prev != nil {
		// Bounded: a protocol that ignores the disconnect must not hold
		// the kept connection back for long.
		t := s.cfg.Clock.NewTimer(s.cfg.HandshakeTimeout)
		select {
		case <-prev.gone:
		case <-t.C():
			p.log.Debug("Replaced connection still running")
		case <-s.ctx.Done():
		}
		t.Stop()
	}
	s.stats.peersAdded.Add(1)
	if o := s.cfg.Observer; o != nil {
		o.PeerConnected(p.inbound, p.transport)
	}
	info := p.Info()
	p.log.Debug("Peer added", "name", p.name, "protocols", info.Running)
	s.feed.send(PeerEvent{Type: PeerAdded, Peer: info})

	cause := p.run()

	s.mu.Lock()
	delete(s.peers, p)
	s.mu.Unlock()
	s.sched.RemovePeer(p.dialPeer)
	s.stats.dropped.Add(1)
	if o := s.cfg.Observer; o != nil {
		o.PeerDisconnected(p.inbound, p.transport)
	}
	p.log.Debug("Peer dropped", "reason", cause.reason, "remote", cause.remote, "err", cause.err,
		"duration", s.cfg.Clock.Now().Sub(p.since))
	s.feed.send(PeerEvent{Type: PeerDropped, Peer: info, Reason: cause.reason, Remote: cause.remote, Err: cause.err})
}

// Subscribe returns a subscription to peer events with a buffer of buffer
// events (at least 1).
func (s *Server) Subscribe(buffer int) *Subscription { return s.feed.subscribe(buffer) }

// Peers returns the connected peers, oldest first.
func (s *Server) Peers() []PeerInfo {
	s.mu.Lock()
	ps := make([]*Peer, 0, len(s.peers))
	for p := range s.peers {
		ps = append(ps, p)
	}
	sched := s.sched
	s.mu.Unlock()
	static := make(map[enode.ID]bool)
	if sched != nil {
		for _, dp := range sched.Peers() {
			if dp.Static {
				static[dp.ID] = true
			}
		}
	}
	infos := make([]PeerInfo, len(ps))
	for i, p := range ps {
		infos[i] = p.Info()
		infos[i].Static = static[p.id]
	}
	slices.SortFunc(infos, func(a, b PeerInfo) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.ID.String(), b.ID.String()))
	})
	return infos
}

// PeerCount returns the number of connected peers.
func (s *Server) PeerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.peers)
}

// AddPeer adds a static peer: it is dialled and kept connected.
func (s *Server) AddPeer(n *enode.Node) error {
	sched, err := s.scheduler()
	if err != nil {
		return err
	}
	c, ok := candidateOf(n)
	if !ok {
		return fmt.Errorf("server: node %v has no TCP endpoint", n)
	}
	sched.AddStatic(c)
	return nil
}

// RemovePeer stops redialling a static peer and disconnects it, if
// connected, with p2p.DiscRequested.
func (s *Server) RemovePeer(n *enode.Node) error {
	if n == nil {
		return nil
	}
	sched, err := s.scheduler()
	if err != nil {
		return err
	}
	if c, ok := candidateOf(n); ok {
		sched.RemoveStatic(c)
	}
	s.mu.Lock()
	for p := range s.peers {
		if p.id == n.ID() {
			p.Disconnect(p2p.DiscRequested)
		}
	}
	s.mu.Unlock()
	return nil
}

func (s *Server) scheduler() (*dial.Scheduler, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.stopped {
		return nil, ErrNotRunning
	}
	return s.sched, nil
}

// Self returns this node's record with its listening endpoint, or nil when
// the server has no PrivateKey (a transport with other identities).
func (s *Server) Self() *enode.Node {
	if s.cfg.LocalNode == nil {
		return nil
	}
	return s.cfg.LocalNode.Node()
}

// LocalID returns this node's ID as the transport proves it.
func (s *Server) LocalID() enode.ID {
	if s.cfg.Transport != nil {
		return s.cfg.Transport.LocalID()
	}
	return enode.PubkeyToID(s.cfg.PrivateKey.PubKey())
}

// ListenAddr returns the address the server listens on, or nil.
func (s *Server) ListenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	c := &s.stats
	st := Stats{
		Accepted: c.accepted.Load(), InboundRefused: c.inboundRefused.Load(), HandshakeSlotsFull: c.handshakeSlotsFull.Load(),
		Handshakes: c.handshakes.Load(), HandshakeErrors: c.handshakeErrors.Load(), HandshakeTimeouts: c.handshakeTimeouts.Load(),
		UselessPeers: c.uselessPeers.Load(), PeersRefused: c.peersRefused.Load(),
		PeersAdded: c.peersAdded.Load(), PeersDropped: c.dropped.Load(),
		QueueFull: c.queueFull.Load(), QueueStalls: c.queueStalls.Load(), EventsDropped: c.eventsDropped.Load(),
	}
	s.mu.Lock()
	sched, tokens, stopped := s.sched, s.tokens, s.stopped
	s.mu.Unlock()
	if tokens != nil {
		st.PendingHandshakes = len(tokens)
	}
	if sched != nil && !stopped {
		st.Dial = sched.Stats()
	}
	return st
}
