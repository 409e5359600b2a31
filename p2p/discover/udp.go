package discover

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// UDPConn is the socket discovery runs on. *net.UDPConn implements it; tests
// use an in-memory network.
type UDPConn interface {
	ReadFromUDPAddrPort(b []byte) (n int, addr netip.AddrPort, err error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (n int, err error)
	Close() error
	LocalAddr() net.Addr
}

var _ UDPConn = (*net.UDPConn)(nil)

// levelTrace is below slog.LevelDebug: one line per packet.
const levelTrace = slog.LevelDebug - 4

// Errors.
var (
	ErrClosed      = errors.New("discover: closed")
	ErrTimeout     = errors.New("discover: RPC timeout")
	errExpired     = errors.New("expired")
	errReplay      = errors.New("replayed packet")
	errRateLimited = errors.New("rate limited")
	errUnknownNode = errors.New("unknown node (no endpoint proof)")
	errOversized   = errors.New("oversized packet")
	errBadRecord   = errors.New("invalid record in ENRRESPONSE")
)

// UDPv4 is a discv4 node: it answers other nodes' packets, keeps the
// routing table, and runs lookups.
//
// Goroutines: readLoop reads, decodes and handles packets (handlers only
// sign and send, or consult the table; nothing on it waits for the network);
// loop owns the pending replies and their timeouts; the table's loop owns
// refresh and revalidation; lookups, iterators and the ping-back of unknown
// nodes run in goroutines tracked by wg. Close stops them all.
type UDPv4 struct {
	conn   UDPConn
	priv   *secp256k1.PrivateKey
	ln     *enode.LocalNode
	db     *nodedb.DB
	ownDB  bool
	tab    *Table
	cfg    Config
	log    *slog.Logger
	clock  dial.Clock
	selfID enode.ID

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	closing   chan struct{}
	closeOnce sync.Once

	spawnMu sync.Mutex // guards closed, and wg.Add against Close's wg.Wait
	closed  bool
	wg      sync.WaitGroup

	addMatcher chan *replyMatcher
	gotReply   chan reply

	// Owned by readLoop.
	replay       *replayCache
	packetLimit  *ipLimiter
	requestLimit *ipLimiter

	sentMu sync.Mutex   // guards sent
	sent   *replayCache // hashes of requests sent in the last seconds

	storedSeq atomic.Uint64
	stats     stats
}

// Listen starts discovery on conn for the node described by ln, whose key
// must be cfg.PrivateKey. The caller sets ln's endpoint entries (ip, udp,
// tcp) and its network entry; the record is served to ENRRequest and its
// sequence number sent in Ping and Pong.
func Listen(conn UDPConn, ln *enode.LocalNode, cfg Config) (*UDPv4, error) {
	if cfg.PrivateKey == nil {
		return nil, errors.New("discover: Config.PrivateKey is required")
	}
	if enode.PubkeyToID(cfg.PrivateKey.PubKey()) != ln.ID() {
		return nil, errors.New("discover: Config.PrivateKey is not the LocalNode's key")
	}
	cfg = cfg.withDefaults()
	for _, n := range cfg.Bootnodes {
		if err := n.ValidateComplete(); err != nil {
			return nil, fmt.Errorf("discover: bootnode %v: %w", n, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &UDPv4{
		conn:         conn,
		priv:         cfg.PrivateKey,
		ln:           ln,
		db:           cfg.DB,
		cfg:          cfg,
		log:          cfg.Log,
		clock:        cfg.Clock,
		selfID:       ln.ID(),
		ctx:          ctx,
		cancel:       cancel,
		closing:      make(chan struct{}),
		addMatcher:   make(chan *replyMatcher),
		gotReply:     make(chan reply),
		replay:       newReplayCache(),
		sent:         newReplayCache(),
		packetLimit:  newIPLimiter(cfg.PacketRate, cfg.PacketBurst),
		requestLimit: newIPLimiter(cfg.RequestRate, cfg.RequestBurst),
	}
	if t.db == nil {
		t.db = nodedb.OpenMemory(nodedb.Config{Clock: cfg.Clock, Log: cfg.Log})
		t.ownDB = true
	}
	t.storedSeq.Store(t.db.LocalSeq(t.selfID))
	t.tab = newTable(t, t.db, cfg)
	t.wg.Add(2)
	go t.loop()
	go t.readLoop()
	t.tab.start()
	return t, nil
}

// Close stops discovery: it aborts lookups and requests, closes the socket,
// and waits for every goroutine. A DB passed in Config stays open.
func (t *UDPv4) Close() {
	t.closeOnce.Do(func() {
		t.spawnMu.Lock()
		t.closed = true
		t.spawnMu.Unlock()
		t.cancel()
		t.tab.close()
		close(t.closing)
		t.conn.Close()
		t.wg.Wait()
		if t.ownDB {
			t.db.Close()
		}
	})
}

// spawn runs f in a goroutine that Close waits for, unless closing.
func (t *UDPv4) spawn(f func()) bool {
	t.spawnMu.Lock()
	defer t.spawnMu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

// withClose returns a context cancelled when ctx is or when t closes.
func (t *UDPv4) withClose(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(t.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// Self returns the local node with its current record.
func (t *UDPv4) Self() *enode.Node { return t.self() }

func (t *UDPv4) self() *enode.Node {
	n := t.ln.Node()
	// The sequence number must never go backwards across restarts: store
	// each new one before it leaves the node.
	if seq := n.Seq(); seq > t.storedSeq.Load() {
		if err := t.db.StoreLocalSeq(t.selfID, seq); err != nil {
			t.log.Warn("Could not store record sequence number", "seq", seq, "err", err)
		}
		t.storedSeq.Store(seq)
	}
	return n
}

// DB returns the node database.
func (t *UDPv4) DB() *nodedb.DB { return t.db }

// TableNodes returns the nodes in the routing table.
func (t *UDPv4) TableNodes() []*enode.Node { return t.tab.nodes() }

// TableLen returns the number of nodes in the routing table.
func (t *UDPv4) TableLen() int { return t.tab.len() }

// WaitInit blocks until the table's first refresh is done, or ctx ends.
func (t *UDPv4) WaitInit(ctx context.Context) error {
	select {
	case <-t.tab.initDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.closing:
		return ErrClosed
	}
}

func (t *UDPv4) now() time.Time { return t.clock.Now() }

func (t *UDPv4) expiration() uint64 {
	return v4wire.Expiration(t.now(), t.cfg.PacketExpiration)
}

func (t *UDPv4) ourEndpoint() v4wire.Endpoint {
	n := t.self()
	return v4wire.Endpoint{IP: n.IP(), UDP: n.UDP(), TCP: n.TCP()}
}

// send encodes, signs and sends p.
func (t *UDPv4) send(to netip.AddrPort, p v4wire.Packet) (v4wire.Hash, error) {
	b, hash, err := v4wire.Encode(t.priv, p)
	if err != nil {
		return hash, err
	}
	return hash, t.write(to, p, b)
}

func (t *UDPv4) write(to netip.AddrPort, p v4wire.Packet, b []byte) error {
	_, err := t.conn.WriteToUDPAddrPort(b, to)
	t.stats.out.Add(1)
	if t.log.Enabled(context.Background(), levelTrace) {
		t.log.Log(context.Background(), levelTrace, ">> "+p.Name(), "addr", to, "err", err)
	}
	return err
}

// encodeRequest encodes a request we send, made unique: a request equal
// byte for byte to one sent in the last two seconds (same content, same
// expiration second; signatures are deterministic) would be dropped as a
// replay by a receiver like us, so its expiration moves a second on until
// the packet is new. exp points into p.
func (t *UDPv4) encodeRequest(p v4wire.Packet, exp *uint64) ([]byte, v4wire.Hash, error) {
	for {
		b, h, err := v4wire.Encode(t.priv, p)
		if err != nil {
			return nil, h, err
		}
		t.sentMu.Lock()
		now := t.now()
		dup := t.sent.contains(h, now)
		if !dup {
			t.sent.add(h, now.Add(2*time.Second), now)
		}
		t.sentMu.Unlock()
		if !dup {
			return b, h, nil
		}
		*exp++
	}
}

// ---- reply matching ----

// replyMatcher is a pending reply: packets of type ptype from node from at
// ip are offered to callback until it says done, or the deadline passes.
// Replies are not tied to one request (Neighbors may come in several
// packets; two identical requests get one answer), so every matcher for
// the sender sees every such packet.
type replyMatcher struct {
	from     enode.ID
	ip       netip.Addr
	ptype    byte
	deadline time.Time
	// callback runs on the loop goroutine and must not block. matched
	// says the packet was an answer to this request; done ends the wait.
	callback func(p v4wire.Packet) (matched, done bool)
	errc     chan error // buffered: receives nil, ErrTimeout or ErrClosed
	reply    v4wire.Packet
}

type reply struct {
	from    enode.ID
	ip      netip.Addr
	p       v4wire.Packet
	matched chan<- bool
}

// pending registers a matcher. When pending returns, the loop holds the
// matcher, so the request may be sent: its answer cannot be missed.
func (t *UDPv4) pending(id enode.ID, ip netip.Addr, ptype byte, cb func(v4wire.Packet) (bool, bool)) *replyMatcher {
	rm := &replyMatcher{from: id, ip: ip.Unmap(), ptype: ptype, callback: cb, errc: make(chan error, 1)}
	select {
	case t.addMatcher <- rm:
	case <-t.closing:
		rm.errc <- ErrClosed
	}
	return rm
}

// handleReply offers a packet to the pending matchers and reports whether
// one accepted it.
func (t *UDPv4) handleReply(from enode.ID, ip netip.Addr, p v4wire.Packet) bool {
	matched := make(chan bool, 1)
	select {
	case t.gotReply <- reply{from, ip.Unmap(), p, matched}:
		return <-matched
	case <-t.closing:
		return false
	}
}

// wait waits for a matcher's result.
func (t *UDPv4) wait(ctx context.Context, rm *replyMatcher) error {
	select {
	case err := <-rm.errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loop owns the pending matchers and their deadlines.
func (t *UDPv4) loop() {
	defer t.wg.Done()
	var (
		plist    []*replyMatcher
		timer    stoppedTimer
		timerAt  time.Time
		timeouts int // in a row, for the clock-drift hint
	)
	defer timer.stop()
	resetTimer := func() {
		if len(plist) == 0 {
			timer.stop()
			timerAt = time.Time{}
			return
		}
		next := plist[0].deadline
		for _, p := range plist[1:] {
			if p.deadline.Before(next) {
				next = p.deadline
			}
		}
		if timer.t == nil || !next.Equal(timerAt) {
			timer.reset(t.clock, max(0, next.Sub(t.now())))
			timerAt = next
		}
	}
	for {
		resetTimer()
		select {
		case <-t.closing:
			for _, p := range plist {
				p.errc <- ErrClosed
			}
			return
		case p := <-t.addMatcher:
			p.deadline = t.now().Add(t.cfg.RespTimeout)
			plist = append(plist, p)
		case r := <-t.gotReply:
			var matched bool
			kept := plist[:0]
			for _, p := range plist {
				if p.from == r.from && p.ptype == r.p.Kind() && p.ip == r.ip {
					ok, done := p.callback(r.p)
					if ok {
						matched = true
						p.reply = r.p
					}
					if done {
						p.errc <- nil
						continue
					}
				}
				kept = append(kept, p)
			}
			clear(plist[len(kept):])
			plist = kept
			if matched {
				timeouts = 0
			}
			r.matched <- matched
		case <-timer.c():
			timer.t = nil
			now := t.now()
			kept := plist[:0]
			for _, p := range plist {
				if !now.Before(p.deadline) {
					p.errc <- ErrTimeout
					t.stats.timeouts.Add(1)
					timeouts++
					continue
				}
				kept = append(kept, p)
			}
			clear(plist[len(kept):])
			plist = kept
			if timeouts >= 32 {
				t.log.Debug("Many discovery timeouts in a row: network down, or local clock off?", "timeouts", timeouts)
				timeouts = 0
			}
		}
	}
}

// ---- reading ----

func (t *UDPv4) readLoop() {
	defer t.wg.Done()
	// One byte more than the largest packet, to tell a packet of exactly
	// MaxPacketSize from a larger one cut short by the read.
	buf := make([]byte, v4wire.MaxPacketSize+1)
	for {
		n, from, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if isTemporary(err) {
				continue
			}
			select {
			case <-t.closing:
			default:
				t.log.Warn("Discovery socket read failed", "err", err)
			}
			return
		}
		t.stats.in.Add(1)
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if n > v4wire.MaxPacketSize {
			t.dropped(from, nil, errOversized)
			continue
		}
		t.handlePacket(from, buf[:n])
	}
}

// isTemporary reports errors after which reading can go on: timeouts, and
// ICMP errors some systems report on unconnected UDP sockets.
func isTemporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// ---- client side ----

// Ping sends a ping to n and waits for the pong. It returns the sequence
// number of n's record announced in the pong.
func (t *UDPv4) Ping(ctx context.Context, n *enode.Node) (uint64, error) {
	ctx, cancel := t.withClose(ctx)
	defer cancel()
	return t.ping(ctx, n)
}

func (t *UDPv4) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	addr, ok := n.UDPEndpoint()
	if !ok {
		return 0, enode.ErrMissingUDPPort
	}
	rm := t.sendPing(n.ID(), addr, nil)
	if err := t.wait(ctx, rm); err != nil {
		return 0, err
	}
	return rm.reply.(*v4wire.Pong).ENRSeq, nil
}

// sendPing pings the node and returns the matcher for its pong; callback,
// if not nil, runs on the loop when the pong arrives.
func (t *UDPv4) sendPing(id enode.ID, addr netip.AddrPort, callback func()) *replyMatcher {
	req := &v4wire.Ping{
		Version:    4,
		From:       t.ourEndpoint(),
		To:         v4wire.NewEndpoint(addr, 0),
		Expiration: t.expiration(),
		ENRSeq:     t.self().Seq(),
	}
	b, hash, err := t.encodeRequest(req, &req.Expiration)
	if err != nil {
		rm := &replyMatcher{errc: make(chan error, 1)}
		rm.errc <- err
		return rm
	}
	rm := t.pending(id, addr.Addr(), v4wire.PongPacket, func(p v4wire.Packet) (bool, bool) {
		matched := string(p.(*v4wire.Pong).ReplyTok) == string(hash[:])
		if matched && callback != nil {
			callback()
		}
		return matched, matched
	})
	t.write(addr, req, b)
	return rm
}

// bonded reports whether the node proved its endpoint at ip: it answered
// our ping from there within BondExpiration.
func (t *UDPv4) bonded(id enode.ID, ip netip.Addr, now time.Time) bool {
	return now.Sub(t.db.LastPongReceived(id, ip)) < t.cfg.BondExpiration
}

// ensureBond makes sure the node will answer our requests: if it has not
// pinged us within BondExpiration (so it may hold no proof of our
// endpoint), ping it, and give it RespTimeout to ping us back, which it
// does when it does not know us. Waiting for that ping replaces
// go-ethereum's fixed sleep: it ends as soon as the ping arrives.
func (t *UDPv4) ensureBond(ctx context.Context, id enode.ID, addr netip.AddrPort) error {
	now := t.now()
	if now.Sub(t.db.LastPingReceived(id, addr.Addr())) < t.cfg.BondExpiration &&
		t.db.FindFails(id, addr.Addr()) <= maxFindnodeFailures {
		return nil
	}
	pingBack := t.pending(id, addr.Addr(), v4wire.PingPacket, func(v4wire.Packet) (bool, bool) { return true, true })
	rm := t.sendPing(id, addr, nil)
	if err := t.wait(ctx, rm); err != nil {
		return err
	}
	if err := t.wait(ctx, pingBack); errors.Is(err, ErrClosed) || ctx.Err() != nil {
		return ErrClosed
	}
	return nil
}

// findnode asks the node for the nodes closest to target. It returns what
// arrived before RespTimeout (up to bucketSize nodes in one or more
// Neighbors packets), and an error only if nothing did.
func (t *UDPv4) findnode(ctx context.Context, n *enode.Node, target v4wire.Pubkey) ([]*enode.Node, error) {
	addr, ok := n.UDPEndpoint()
	if !ok {
		return nil, enode.ErrMissingUDPPort
	}
	if err := t.ensureBond(ctx, n.ID(), addr); err != nil {
		return nil, err
	}
	var (
		nodes     = make([]*enode.Node, 0, bucketSize)
		nreceived int
		packets   int
	)
	rm := t.pending(n.ID(), addr.Addr(), v4wire.NeighborsPacket, func(p v4wire.Packet) (bool, bool) {
		packets++
		rnodes := p.(*v4wire.Neighbors).Nodes
		for _, rn := range rnodes {
			nreceived++
			if nn, err := t.nodeFromRPC(addr, rn); err == nil {
				nodes = append(nodes, nn)
			}
		}
		// Answers come in full packets of MaxNeighbors and then the rest
		// (go-ethereum and us), so a short packet is the last one: no need
		// to wait out RespTimeout when the remote knows fewer than 16.
		return true, nreceived >= bucketSize || len(rnodes) < v4wire.MaxNeighbors
	})
	req := &v4wire.Findnode{Target: target, Expiration: t.expiration()}
	b, _, err := t.encodeRequest(req, &req.Expiration)
	if err != nil {
		return nil, err
	}
	t.write(addr, req, b)
	err = t.wait(ctx, rm)
	if errors.Is(err, ErrTimeout) && packets > 0 {
		err = nil // a short answer is an answer
	}
	if err != nil && !errors.Is(err, ErrTimeout) {
		return nil, err // the callback may still run: don't read nodes
	}
	return nodes, err
}

// nodeFromRPC validates a node from a Neighbors packet of sender.
func (t *UDPv4) nodeFromRPC(sender netip.AddrPort, rn v4wire.Node) (*enode.Node, error) {
	if rn.UDP <= 1024 {
		return nil, errLowPort
	}
	if err := checkRelayIP(sender.Addr(), rn.IP); err != nil {
		return nil, err
	}
	pub, err := v4wire.DecodePubkey(rn.ID)
	if err != nil {
		return nil, err
	}
	n := enode.NewV4(pub, rn.IP, rn.TCP, rn.UDP)
	if n.ID() == t.selfID {
		return nil, errors.New("self")
	}
	return n, n.ValidateComplete()
}

// RequestENR fetches n's current record with ENRRequest, bonding first if
// needed. The record must be signed by n's key and name an endpoint that
// may be relayed from where n answered.
func (t *UDPv4) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	ctx, cancel := t.withClose(ctx)
	defer cancel()
	return t.requestENR(ctx, n)
}

func (t *UDPv4) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	addr, ok := n.UDPEndpoint()
	if !ok {
		return nil, enode.ErrMissingUDPPort
	}
	if err := t.ensureBond(ctx, n.ID(), addr); err != nil {
		return nil, err
	}
	req := &v4wire.ENRRequest{Expiration: t.expiration()}
	b, hash, err := t.encodeRequest(req, &req.Expiration)
	if err != nil {
		return nil, err
	}
	rm := t.pending(n.ID(), addr.Addr(), v4wire.ENRResponsePacket, func(p v4wire.Packet) (bool, bool) {
		matched := p.(*v4wire.ENRResponse).ReplyTok == hash
		return matched, matched
	})
	t.write(addr, req, b)
	if err := t.wait(ctx, rm); err != nil {
		return nil, err
	}
	// Verified here, not in the callback: a signature check costs ~100 µs
	// and the loop serves every request.
	rn, err := enode.New(rm.reply.(*v4wire.ENRResponse).Record)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRecord, err)
	}
	if rn.ID() != n.ID() {
		return nil, fmt.Errorf("%w: record of another node", errBadRecord)
	}
	if rn.Seq() < n.Seq() && n.Record().Signed() {
		return n, nil // older than what we have
	}
	if err := checkRelayIP(addr.Addr(), rn.IP()); err != nil {
		return nil, fmt.Errorf("%w: IP %v: %v", errBadRecord, rn.IP(), err)
	}
	return rn, nil
}

// Resolve returns the most recent record of n it can find: asking n, then
// the table, then a lookup of n's ID. It returns n when all fail.
func (t *UDPv4) Resolve(ctx context.Context, n *enode.Node) *enode.Node {
	ctx, cancel := t.withClose(ctx)
	defer cancel()
	if rn, err := t.requestENR(ctx, n); err == nil {
		return rn
	}
	if tn := t.tab.getNode(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
		if rn, err := t.requestENR(ctx, n); err == nil {
			return rn
		}
	}
	for _, rn := range t.lookup(ctx, v4wire.EncodePubkey(n.Pubkey()), true) {
		if rn.ID() == n.ID() {
			if rn2, err := t.requestENR(ctx, rn); err == nil {
				return rn2
			}
		}
	}
	return n
}

func randomTarget() v4wire.Pubkey {
	var p v4wire.Pubkey
	rand.Read(p[:])
	return p
}

// ---- statistics ----

type stats struct {
	in, out                                    atomic.Uint64
	bad, expired, replayed, rateLimited        atomic.Uint64
	unsolicited, unknownNode, oversized, other atomic.Uint64
	timeouts                                   atomic.Uint64
}

// Stats counts packets, and the packets dropped, by reason.
type Stats struct {
	PacketsIn, PacketsOut uint64
	BadPackets            uint64 // failed to decode: size, hash, signature, type, RLP
	Oversized             uint64
	Expired               uint64
	Replayed              uint64
	RateLimited           uint64
	Unsolicited           uint64 // replies nobody asked for
	UnknownNode           uint64 // requests without endpoint proof
	Timeouts              uint64 // our requests that got no reply in time
}

// Stats returns the packet counters.
func (t *UDPv4) Stats() Stats {
	s := &t.stats
	return Stats{
		PacketsIn: s.in.Load(), PacketsOut: s.out.Load(),
		BadPackets: s.bad.Load(), Oversized: s.oversized.Load(), Expired: s.expired.Load(),
		Replayed: s.replayed.Load(), RateLimited: s.rateLimited.Load(),
		Unsolicited: s.unsolicited.Load(), UnknownNode: s.unknownNode.Load(),
		Timeouts: s.timeouts.Load(),
	}
}

// Dropped returns the total of dropped packets.
func (s Stats) Dropped() uint64 {
	return s.BadPackets + s.Oversized + s.Expired + s.Replayed + s.RateLimited + s.Unsolicited + s.UnknownNode
}

func (t *UDPv4) dropped(from netip.AddrPort, p v4wire.Packet, err error) {
	s := &t.stats
	switch {
	case errors.Is(err, errOversized):
		s.oversized.Add(1)
	case errors.Is(err, errExpired):
		s.expired.Add(1)
	case errors.Is(err, errReplay):
		s.replayed.Add(1)
	case errors.Is(err, errRateLimited):
		s.rateLimited.Add(1)
	case errors.Is(err, errUnsolicited):
		s.unsolicited.Add(1)
	case errors.Is(err, errUnknownNode):
		s.unknownNode.Add(1)
	case p == nil:
		s.bad.Add(1)
	default:
		s.other.Add(1)
	}
	if t.log.Enabled(context.Background(), slog.LevelDebug) {
		name := "packet"
		if p != nil {
			name = p.Name()
		}
		t.log.Debug("Dropped discv4 "+name, "addr", from, "err", err)
	}
}
