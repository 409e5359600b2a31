package addrmgr

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Gossip constants (Bitcoin Core's net_processing, except where noted).
const (
	// DefaultAddrRate and DefaultAddrBurst: a peer may send us 0.1 address
	// a second, with at most 1,000 tokens saved up (Core #22387).
	DefaultAddrRate  = 0.1
	DefaultAddrBurst = 1000
	// DefaultFlushInterval is the mean of the random delay between two
	// addr messages to a peer (Core's AVG_ADDRESS_BROADCAST_INTERVAL).
	DefaultFlushInterval = 30 * time.Second
	// relayFanout is how many peers a fresh address is forwarded to.
	relayFanout = 2
	// maxRelayBatch: only messages this small are self-announcements worth
	// forwarding; getaddr replies are not.
	maxRelayBatch = 10
	// relayFresh: only addresses stamped this recently are forwarded.
	relayFresh = 10 * time.Minute
	// knownPerPeer bounds the addresses remembered as known to a peer
	// (btcd's 5,000).
	knownPerPeer = 5000
	// queuePerPeer bounds addresses waiting to be sent to a peer; the
	// oldest is dropped when full.
	queuePerPeer = wire.MaxAddrPerMsg
	// getAddrCacheLife: a getaddr reply is reused for about a day, so that
	// repeated queries cannot scrape the whole table (Core: 21–27 h).
	getAddrCacheLife = 21 * time.Hour
)

// RelayPeer is what Relay needs of a connected peer (*btcpeer.Peer has it).
type RelayPeer interface {
	Send(msg wire.Message) error
	Inbound() bool
	WantsAddrV2() bool
	Addr() net.Addr
}

// RelayConfig configures a Relay.
type RelayConfig struct {
	// Manager receives the addresses peers send; required.
	Manager *Manager
	// Rate and Burst are each peer's token bucket; zero means Core's.
	Rate  float64
	Burst float64
	// FlushInterval: see DefaultFlushInterval.
	FlushInterval time.Duration
	// Exempt, if set, reports peers (by IP) not rate limited: the node's
	// whitelist.
	Exempt func(netip.Addr) bool
	// Local, if set, returns the address this node is reachable at (a
	// routable IP and the listening port) when it has one. Every peer is
	// sent it soon after the handshake and again about once a day (Core's
	// AdvertiseLocal), so that the network learns the node.
	Local func() (wire.NetAddress, bool)
	// Clock is the time source; nil means p2p.SystemClock.
	Clock  p2p.Clock
	Logger *slog.Logger
}

// localInterval is the mean time between two advertisements of our own
// address to a peer (Core: AVG_LOCAL_ADDRESS_BROADCAST_INTERVAL).
const localInterval = 24 * time.Hour

// RelayStats counts the gossip.
type RelayStats struct {
	Received    uint64 // addresses received
	RateLimited uint64 // dropped by the token bucket
	Added       uint64 // new to the manager
	Forwarded   uint64 // queued for other peers
	QueueDrops  uint64 // dropped from a full send queue
	Sent        uint64 // addresses sent
	GetAddrs    uint64 // getaddr answered
	GetAddrsIgn uint64 // getaddr ignored (outbound peer, or repeated)
	LocalSent   uint64 // our own address advertised
}

// Relay handles the addr gossip of a node's peers. See the package doc.
type Relay struct {
	cfg RelayConfig
	log *slog.Logger
	key [32]byte

	mu         sync.Mutex // guards the fields below
	peers      map[RelayPeer]*relayPeer
	nextID     uint64
	stats      RelayStats
	cache      []wire.NetAddress
	cacheUntil time.Time
	rng        *mrand.Rand
	closed     bool

	wake chan struct{} // buffered 1: the queues or their times changed
	stop chan struct{}
	wg   sync.WaitGroup
}

// relayPeer is one peer's gossip state. Guarded by Relay.mu.
type relayPeer struct {
	p           RelayPeer
	id          uint64
	ip          netip.Addr
	tokens      float64
	refilled    time.Time
	getAddrSent bool // we asked; its reply is not rate limited
	answered    bool // we answered its getaddr
	known       *knownSet
	queue       []wire.NetAddress
	nextFlush   time.Time
	nextLocal   time.Time // when to advertise our own address next
	exempt      bool
}

// NewRelay returns a relay; Start runs its sending goroutine.
func NewRelay(cfg RelayConfig) *Relay {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultAddrRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultAddrBurst
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Relay{cfg: cfg, log: cfg.Logger, peers: make(map[RelayPeer]*relayPeer),
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	rand.Read(r.key[:])
	var seed [32]byte
	rand.Read(seed[:])
	r.rng = mrand.New(mrand.NewChaCha8(seed))
	return r
}

// Start starts the goroutine that sends queued addresses.
func (r *Relay) Start() { r.wg.Go(r.flushLoop) }

// Close stops the relay's goroutine and waits for it.
func (r *Relay) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	close(r.stop)
	r.mu.Unlock()
	r.wg.Wait()
}

func peerIP(p RelayPeer) netip.Addr {
	if a := p.Addr(); a != nil {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return ap.Addr().Unmap()
		}
	}
	return netip.Addr{}
}

// AddPeer starts gossip with a peer after its handshake. An outbound peer
// is asked for addresses (getaddr) when the manager wants more.
func (r *Relay) AddPeer(p RelayPeer) {
	now := r.cfg.Clock.Now()
	rp := &relayPeer{p: p, ip: peerIP(p), tokens: 1, refilled: now, known: newKnownSet(knownPerPeer)}
	rp.exempt = r.cfg.Exempt != nil && r.cfg.Exempt(rp.ip)
	ask := !p.Inbound() && r.cfg.Manager.NeedMore()
	r.mu.Lock()
	r.nextID++
	rp.id = r.nextID
	rp.nextFlush = now.Add(r.expDelay())
	rp.nextLocal = now // in the first flush
	if ask {
		rp.getAddrSent = true
		rp.tokens += wire.MaxAddrPerMsg // the reply is not held against it
	}
	r.peers[p] = rp
	r.mu.Unlock()
	if ask {
		p.Send(&wire.MsgGetAddr{})
	}
	if r.cfg.Local != nil {
		select { // our address goes in the next flush
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// RemovePeer forgets a peer.
func (r *Relay) RemovePeer(p RelayPeer) {
	r.mu.Lock()
	delete(r.peers, p)
	r.mu.Unlock()
}

// HandleMessage handles addr, addrv2 and getaddr from p and reports whether
// msg was one of them.
func (r *Relay) HandleMessage(p RelayPeer, msg wire.Message) bool {
	switch m := msg.(type) {
	case *wire.MsgAddr:
		r.onAddr(p, m.AddrList)
	case *wire.MsgAddrV2:
		list := make([]wire.NetAddress, 0, len(m.AddrList))
		for i := range m.AddrList {
			a := &m.AddrList[i]
			// Only IPv4 and IPv6 can be dialled by this node.
			if a.Network != wire.NetIPv4 && a.Network != wire.NetIPv6 {
				continue
			}
			if ip, ok := a.IP(); ok {
				list = append(list, wire.NetAddress{Timestamp: a.Timestamp, Services: a.Services, IP: ip.Unmap(), Port: a.Port})
			}
		}
		r.onAddr(p, list)
	case *wire.MsgGetAddr:
		r.onGetAddr(p)
	default:
		return false
	}
	return true
}

func (r *Relay) onAddr(p RelayPeer, addrs []wire.NetAddress) {
	now := r.cfg.Clock.Now()
	r.mu.Lock()
	rp := r.peers[p]
	if rp == nil {
		r.mu.Unlock()
		return
	}
	// Refill the bucket for the time since the last message.
	if rp.tokens < r.cfg.Burst {
		rp.tokens = min(rp.tokens+now.Sub(rp.refilled).Seconds()*r.cfg.Rate, r.cfg.Burst)
	}
	rp.refilled = now
	reply := rp.getAddrSent
	if len(addrs) < wire.MaxAddrPerMsg {
		rp.getAddrSent = false // the reply is over
	}
	r.stats.Received += uint64(len(addrs))
	keep := addrs[:0:0]
	for _, a := range addrs {
		if !rp.exempt {
			if rp.tokens < 1 {
				r.stats.RateLimited++
				continue
			}
			rp.tokens--
		}
		ap := normal(a.AddrPort())
		rp.known.add(ap)
		keep = append(keep, a)
		ts := time.Unix(int64(a.Timestamp), 0)
		if !reply && len(addrs) <= maxRelayBatch && now.Sub(ts) < relayFresh && ts.Before(now.Add(futureSlack)) &&
			r.cfg.Manager.acceptable(ap) {
			r.forwardLocked(rp, a, ap, now)
		}
	}
	r.mu.Unlock()
	if n := r.cfg.Manager.Add(keep, rp.ip); n > 0 {
		r.mu.Lock()
		r.stats.Added += uint64(n)
		r.mu.Unlock()
	}
}

// forwardLocked queues a fresh address for the relayFanout peers whose
// keyed hash of (address, day, peer) is highest: the same peers for a day,
// so an address cannot be bounced around the network by repetition. mu
// must be held.
func (r *Relay) forwardLocked(from *relayPeer, a wire.NetAddress, ap netip.AddrPort, now time.Time) {
	day := uint64(now.Unix() / 86400)
	var best [relayFanout]*relayPeer
	var bestKey [relayFanout]uint64
	for _, rp := range r.peers {
		if rp == from {
			continue
		}
		h := sha256.New()
		h.Write(r.key[:])
		b, _ := ap.MarshalBinary()
		h.Write(b)
		h.Write(binary.LittleEndian.AppendUint64(nil, day))
		h.Write(binary.LittleEndian.AppendUint64(nil, rp.id))
		var sum [32]byte
		k := binary.LittleEndian.Uint64(h.Sum(sum[:0]))
		for i := range best {
			if best[i] == nil || k > bestKey[i] {
				copy(best[i+1:], best[i:relayFanout-1])
				copy(bestKey[i+1:], bestKey[i:relayFanout-1])
				best[i], bestKey[i] = rp, k
				break
			}
		}
	}
	for _, rp := range best {
		if rp == nil || rp.known.has(ap) {
			continue
		}
		rp.known.add(ap)
		if len(rp.queue) >= queuePerPeer {
			rp.queue = rp.queue[1:]
			r.stats.QueueDrops++
		}
		rp.queue = append(rp.queue, a)
		r.stats.Forwarded++
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Relay) onGetAddr(p RelayPeer) {
	now := r.cfg.Clock.Now()
	r.mu.Lock()
	rp := r.peers[p]
	// Only inbound peers, once: an outbound peer asking is how an attacker
	// would fingerprint the node we connected to (Core).
	if rp == nil || !p.Inbound() || rp.answered {
		r.stats.GetAddrsIgn++
		r.mu.Unlock()
		return
	}
	rp.answered = true
	r.stats.GetAddrs++
	if now.After(r.cacheUntil) {
		r.cache = nil
	}
	r.mu.Unlock()
	addrs := r.cache
	if addrs == nil {
		addrs = r.cfg.Manager.GetAddr()
		r.mu.Lock()
		r.cache = addrs
		r.cacheUntil = now.Add(getAddrCacheLife + time.Duration(r.rng.Int64N(int64(6*time.Hour))))
		r.mu.Unlock()
	}
	r.mu.Lock()
	for _, a := range addrs {
		rp.known.add(normal(a.AddrPort()))
	}
	r.stats.Sent += uint64(len(addrs))
	r.mu.Unlock()
	sendAddrs(p, addrs)
}

// sendAddrs sends addrs as addr, or addrv2 to a peer that asked for it.
func sendAddrs(p RelayPeer, addrs []wire.NetAddress) {
	for len(addrs) > 0 {
		n := min(len(addrs), wire.MaxAddrPerMsg)
		if p.WantsAddrV2() {
			m := &wire.MsgAddrV2{AddrList: make([]wire.NetAddressV2, 0, n)}
			for _, a := range addrs[:n] {
				ip := a.IP.Unmap()
				v2 := wire.NetAddressV2{Timestamp: a.Timestamp, Services: a.Services, Port: a.Port}
				if ip.Is4() {
					b := ip.As4()
					v2.Network, v2.Addr = wire.NetIPv4, b[:]
				} else {
					b := ip.As16()
					v2.Network, v2.Addr = wire.NetIPv6, b[:]
				}
				m.AddrList = append(m.AddrList, v2)
			}
			p.Send(m)
		} else {
			p.Send(&wire.MsgAddr{AddrList: addrs[:n]})
		}
		addrs = addrs[n:]
	}
}

// expDelay draws the next flush delay from an exponential distribution, so
// that an observer cannot match arrivals across peers (Core's Poisson timer).
func (r *Relay) expDelay() time.Duration {
	d := -math.Log(1-r.rng.Float64()) * float64(r.cfg.FlushInterval)
	return time.Duration(min(d, float64(10*r.cfg.FlushInterval)))
}

// localDelay is the random wait before our address goes to a peer again:
// exponential with mean localInterval. r.mu must be held.
func (r *Relay) localDelay() time.Duration {
	return time.Duration(-math.Log(1-r.rng.Float64()) * float64(localInterval))
}

// flushLoop sends each peer's queued addresses when its random timer is due.
func (r *Relay) flushLoop() {
	for {
		now := r.cfg.Clock.Now()
		type job struct {
			p     RelayPeer
			addrs []wire.NetAddress
		}
		var jobs []job
		var next time.Time
		var local wire.NetAddress
		haveLocal := false
		if r.cfg.Local != nil {
			local, haveLocal = r.cfg.Local()
			local.Timestamp = uint32(now.Unix())
		}
		r.mu.Lock()
		for _, rp := range r.peers {
			if haveLocal && !now.Before(rp.nextLocal) {
				rp.queue = append([]wire.NetAddress{local}, rp.queue...)
				if len(rp.queue) > queuePerPeer {
					rp.queue = rp.queue[:queuePerPeer]
				}
				rp.known.add(normal(local.AddrPort()))
				rp.nextLocal = now.Add(r.localDelay())
				r.stats.LocalSent++
			}
			if haveLocal && (next.IsZero() || rp.nextLocal.Before(next)) {
				next = rp.nextLocal
			}
			if len(rp.queue) == 0 {
				continue
			}
			if !now.Before(rp.nextFlush) {
				jobs = append(jobs, job{rp.p, rp.queue})
				r.stats.Sent += uint64(len(rp.queue))
				rp.queue = nil
				rp.nextFlush = now.Add(r.expDelay())
				continue
			}
			if next.IsZero() || rp.nextFlush.Before(next) {
				next = rp.nextFlush
			}
		}
		r.mu.Unlock()
		for _, j := range jobs {
			sendAddrs(j.p, j.addrs)
		}
		var tc <-chan time.Time
		var t p2p.Timer
		if !next.IsZero() {
			t = r.cfg.Clock.NewTimer(next.Sub(now))
			tc = t.C()
		}
		select {
		case <-r.stop:
			if t != nil {
				t.Stop()
			}
			return
		case <-r.wake:
		case <-tc:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// Stats returns the counters.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// knownSet is a bounded set that forgets its oldest member first.
type knownSet struct {
	m    map[netip.AddrPort]struct{}
	ring []netip.AddrPort
	next int
}

func newKnownSet(n int) *knownSet {
	return &knownSet{m: make(map[netip.AddrPort]struct{}), ring: make([]netip.AddrPort, 0, n)}
}

func (s *knownSet) has(a netip.AddrPort) bool { _, ok := s.m[a]; return ok }

func (s *knownSet) add(a netip.AddrPort) {
	if s.has(a) {
		return
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, a)
	} else {
		delete(s.m, s.ring[s.next])
		s.ring[s.next] = a
		s.next = (s.next + 1) % len(s.ring)
	}
	s.m[a] = struct{}{}
}
