package dial

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Peer is a connected peer as the peer set knows it.
type Peer struct {
	// ID is the authenticated node ID, zero if the network has none.
	ID [32]byte
	// Addr is the remote endpoint of the connection. For an outbound peer
	// it is the dialled address.
	Addr    netip.AddrPort
	Inbound bool
	// Static and Since are filled in by the scheduler in the values Peers
	// returns; AddPeer ignores them.
	Static bool
	Since  time.Time
	// Close, if set, ends this connection. The scheduler calls it, outside
	// its loop, when it replaces the connection with one to the same node
	// that both sides prefer (see AddPeer). It must not block.
	Close func() `json:"-"`
}

// Stats are the scheduler's counters, for metrics.
type Stats struct {
	Inbound, Outbound, Dialing int
	Dials, DialFailures        uint64
	// Candidates skipped, by reason.
	SkipInvalid, SkipSelf, SkipStatic, SkipRestrict, SkipBanned,
	SkipDiscouraged, SkipConnected, SkipHistory, SkipSubnet uint64
	// Refusals by CheckInbound and AddPeer.
	RefusedInbound, RefusedPeers uint64
	// Replaced counts connections replaced by a simultaneous one both sides prefer.
	Replaced uint64
	// Entries the dial history and the inbound throttle forgot early
	// because they were full.
	HistoryEvicted, ThrottleEvicted uint64
}

// Scheduler keeps the node's peer count between its targets. It owns the
// peer set: every connection, inbound or outbound, is admitted with AddPeer
// and reported gone with RemovePeer. See the package documentation.
//
// All methods are safe for concurrent use.
type Scheduler struct {
	cfg         Config
	maxOutbound int
	maxInbound  int
	it          Iterator
	log         *slog.Logger

	ops       chan op         // requests from the API methods
	nodesIn   chan Candidate  // from readCandidates
	doneCh    chan *task      // from finished dial tasks
	quit      chan struct{}   // closed by Close
	ctx       context.Context // passed to DialFunc; cancelled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup // loop, readCandidates, dial tasks

	// Everything below belongs to loop.
	peers        map[key]*peerEntry
	peerAddrs    map[netip.AddrPort]int
	inbound      int
	outbound     int
	groups       map[netip.Prefix]int // outbound peers and dials per subnet
	dialing      map[key]*task
	dialingAddrs map[netip.AddrPort]int
	history      *expSet[key]
	throttle     *expSet[netip.Addr]
	static       map[key]*staticEntry
	self         map[netip.AddrPort]struct{}
	stats        Stats
}

// maxSelfAddrs bounds the addresses learnt to be our own from ErrSelf.
const maxSelfAddrs = 64

type op struct {
	f    func(now time.Time)
	done chan struct{}
}

type peerEntry struct {
	Peer
	group   netip.Prefix
	grouped bool
	static  *staticEntry
}

type task struct {
	c       Candidate
	static  *staticEntry
	group   netip.Prefix
	grouped bool
	err     error
}

type staticState uint8

const (
	staticWaiting   staticState = iota // until retryAt
	staticDialing                      // a task is running
	staticConnected                    // a peer matching it is in the set
)

type staticEntry struct {
	c        Candidate
	state    staticState
	failures int
	retryAt  time.Time // staticWaiting
	since    time.Time // staticConnected
}

// New starts a scheduler that dials candidates from it (nil for none: only
// static peers and inbound connections). The scheduler owns it and closes it
// on Close, or at once if New fails.
func New(cfg Config, it Iterator) (*Scheduler, error) {
	cfg, maxOut, maxIn, err := cfg.withDefaults()
	if err != nil {
		if it != nil {
			it.Close()
		}
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		cfg:          cfg,
		maxOutbound:  maxOut,
		maxInbound:   maxIn,
		it:           it,
		log:          cfg.Logger,
		ops:          make(chan op),
		nodesIn:      make(chan Candidate),
		doneCh:       make(chan *task),
		quit:         make(chan struct{}),
		ctx:          ctx,
		cancel:       cancel,
		peers:        make(map[key]*peerEntry),
		peerAddrs:    make(map[netip.AddrPort]int),
		groups:       make(map[netip.Prefix]int),
		dialing:      make(map[key]*task),
		dialingAddrs: make(map[netip.AddrPort]int),
		history:      newExpSet[key](cfg.DialHistory, cfg.SetLimit),
		throttle:     newExpSet[netip.Addr](cfg.InboundThrottle, cfg.SetLimit),
		static:       make(map[key]*staticEntry),
		self:         make(map[netip.AddrPort]struct{}),
	}
	for _, a := range cfg.SelfAddrs {
		s.addSelf(a)
	}
	now := cfg.Clock.Now()
	for _, c := range cfg.Static {
		s.addStatic(c, now) // before loop starts, so no race
	}
	s.wg.Add(1)
	go s.loop()
	if it != nil {
		s.wg.Add(1)
		go s.readCandidates()
	}
	return s, nil
}

// MaxOutbound returns the outbound target and MaxInbound the inbound cap
// derived from the Config.
func (s *Scheduler) MaxOutbound() int { return s.maxOutbound }

// MaxInbound: see MaxOutbound.
func (s *Scheduler) MaxInbound() int { return s.maxInbound }

// Close stops dialling, cancels the dial tasks' context, closes the
// iterator, and waits for every goroutine the scheduler started, including
// running DialFuncs. The peer set is forgotten; closing the peers'
// connections is the caller's business. Later calls return ErrClosed.
func (s *Scheduler) Close() {
	s.closeOnce.Do(func() {
		close(s.quit)
		s.cancel()
		if s.it != nil {
			s.it.Close()
		}
	})
	s.wg.Wait()
}

// CheckInbound decides whether to accept a new inbound connection from ip
// before any handshake: it applies NetRestrict (ErrNotAllowed), Banned
// (ErrBanned), the per-IP throttle (ErrThrottled; the attempt is recorded
// whatever the later outcome) and the inbound slot cap (ErrTooManyPeers).
// The listener calls it on accept and closes the connection on error.
func (s *Scheduler) CheckInbound(ip netip.Addr) error {
	var err error
	if e := s.do(func(now time.Time) { err = s.checkInbound(ip, now) }); e != nil {
		return e
	}
	return err
}

// AddPeer admits a connection after its handshakes, when the remote
// identity is known, and adds it to the peer set. It refuses with ErrSelf,
// ErrAlreadyConnected, ErrTooManyPeers, and for inbound peers ErrNotAllowed
// or ErrBanned. On success the caller must call RemovePeer with the same
// Peer when the connection ends.
//
// Two nodes that dial each other at the same moment end up with two
// connections, one each way. Both sides keep the one dialled by the node
// with the smaller ID: when that is the new connection, the old one is
// replaced and its Close is called. Refusing the newer connection instead
// would let each side keep its own outbound connection, which the other
// side had refused, and lose both.
func (s *Scheduler) AddPeer(p Peer) error {
	var err error
	var replaced *Peer
	if e := s.do(func(now time.Time) { replaced, err = s.addPeer(p, now) }); e != nil {
		return e
	}
	if replaced != nil && replaced.Close != nil {
		replaced.Close()
	}
	if err != nil {
		s.log.Debug("Peer refused", "addr", p.Addr, "inbound", p.Inbound, "err", err)
	}
	return err
}

// RemovePeer reports that a peer added with AddPeer has disconnected. A
// Peer that is not in the set (same ID or address, direction and address)
// is ignored.
func (s *Scheduler) RemovePeer(p Peer) {
	s.do(func(now time.Time) { s.removePeer(p, now) })
}

// AddStatic adds a static peer (see Config.Static), or updates the Node of
// one already known.
func (s *Scheduler) AddStatic(c Candidate) {
	s.do(func(now time.Time) { s.addStatic(c, now) })
}

// RemoveStatic stops redialling a static peer. It does not disconnect it:
// it stays connected as an ordinary peer.
func (s *Scheduler) RemoveStatic(c Candidate) {
	s.do(func(time.Time) { s.removeStatic(c) })
}

// Peers returns the peer set, oldest first.
func (s *Scheduler) Peers() []Peer {
	var ps []Peer
	s.do(func(time.Time) {
		ps = make([]Peer, 0, len(s.peers))
		for _, pe := range s.peers {
			ps = append(ps, pe.Peer)
		}
	})
	slices.SortFunc(ps, func(a, b Peer) int {
		return cmp.Or(a.Since.Compare(b.Since), a.Addr.Compare(b.Addr))
	})
	return ps
}

// PeerCount returns the number of inbound and outbound peers.
func (s *Scheduler) PeerCount() (inbound, outbound int) {
	s.do(func(time.Time) { inbound, outbound = s.inbound, s.outbound })
	return inbound, outbound
}

// Stats returns a snapshot of the counters.
func (s *Scheduler) Stats() Stats {
	var st Stats
	s.do(func(time.Time) {
		st = s.stats
		st.Inbound, st.Outbound, st.Dialing = s.inbound, s.outbound, len(s.dialing)
		st.HistoryEvicted, st.ThrottleEvicted = s.history.evicted, s.throttle.evicted
	})
	return st
}

// do runs f on the loop and waits for it.
func (s *Scheduler) do(f func(now time.Time)) error {
	o := op{f: f, done: make(chan struct{})}
	select {
	case s.ops <- o:
		<-o.done // the loop runs f before it looks at quit again
		return nil
	case <-s.quit:
		return ErrClosed
	}
}

// readCandidates moves candidates from the iterator to the loop. The loop
// reads nodesIn only while it has free dial slots, so the iterator is pulled
// at the pace of dialling and at most one candidate waits here.
func (s *Scheduler) readCandidates() {
	defer s.wg.Done()
	for s.it.Next() {
		select {
		case s.nodesIn <- s.it.Candidate():
		case <-s.quit:
			return
		}
	}
}

func (s *Scheduler) loop() {
	defer s.wg.Done()
	var (
		timer  Timer
		timerC <-chan time.Time
		wake   time.Time // when timer fires; zero if no timer
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		now := s.cfg.Clock.Now()
		s.startStaticDials(now)
		// Wake up for the next static retry. Retries already due but
		// waiting for a dial slot are started when a task ends.
		if next := s.nextStaticRetry(now); !next.Equal(wake) {
			if timer != nil {
				timer.Stop()
				timer, timerC = nil, nil
			}
			wake = next
			if !next.IsZero() {
				timer = s.cfg.Clock.NewTimer(next.Sub(now))
				timerC = timer.C()
			}
		}
		var nodesIn chan Candidate // nil: no free slot, leave candidates in the iterator
		if s.freeDialSlots() > 0 {
			nodesIn = s.nodesIn
		}
		select {
		case c := <-nodesIn:
			s.candidate(c, s.cfg.Clock.Now())
		case t := <-s.doneCh:
			s.taskDone(t, s.cfg.Clock.Now())
		case o := <-s.ops:
			o.f(s.cfg.Clock.Now())
			close(o.done)
		case <-timerC:
			timer, timerC, wake = nil, nil, time.Time{}
		case <-s.quit:
			return
		}
	}
}

// freeDialSlots is the number of dynamic dials that may start now. Like
// geth, it dials up to twice the missing outbound peers, because many dials
// fail; AddPeer refuses the surplus if more succeed than needed.
func (s *Scheduler) freeDialSlots() int {
	if s.cfg.NoDial {
		return 0
	}
	slots := min(2*(s.maxOutbound-s.outbound), s.cfg.MaxPendingDials)
	return slots - len(s.dialing)
}

// candidate handles a candidate from the iterator: dial it, or drop it.
func (s *Scheduler) candidate(c Candidate, now time.Time) {
	c.Addr = normAddrPort(c.Addr)
	if skip := s.checkDynamic(c, now); skip != nil {
		*skip++
		return
	}
	s.startDial(c, nil, now)
}

// checkDynamic returns the counter of the reason to skip c, or nil to dial.
func (s *Scheduler) checkDynamic(c Candidate, now time.Time) *uint64 {
	k := c.key()
	switch {
	case !dialable(c.Addr):
		return &s.stats.SkipInvalid
	case s.isSelf(c):
		return &s.stats.SkipSelf
	case s.static[k] != nil || s.static[key{addr: c.Addr}] != nil:
		return &s.stats.SkipStatic // the static path dials it
	case !s.allowed(c.Addr.Addr()):
		return &s.stats.SkipRestrict
	case s.banned(c.Addr.Addr()), c.HasID() && s.bannedID(c.ID):
		return &s.stats.SkipBanned
	case s.cfg.Discouraged != nil && s.cfg.Discouraged(c.Addr.Addr()):
		return &s.stats.SkipDiscouraged
	case s.connectedOrDialing(c):
		return &s.stats.SkipConnected
	case s.cfg.DialHistory > 0 && s.history.contains(k, now):
		return &s.stats.SkipHistory
	}
	if g, ok := s.groupOf(c.Addr.Addr()); ok && s.groups[g] >= s.cfg.SubnetLimit {
		return &s.stats.SkipSubnet
	}
	return nil
}

func (s *Scheduler) startStaticDials(now time.Time) {
	if s.cfg.NoDial {
		return
	}
	for _, e := range s.static {
		if len(s.dialing) >= s.cfg.MaxPendingDials {
			return
		}
		if e.state != staticWaiting || e.retryAt.After(now) {
			continue
		}
		if s.dialing[e.c.key()] != nil {
			continue // a dynamic dial got there first; its AddPeer will match e
		}
		if err := s.checkStatic(e.c); err != nil {
			s.log.Debug("Static peer not dialled", "node", e.c, "err", err)
			s.staticFailed(e, now)
			continue
		}
		s.startDial(e.c, e, now)
	}
}

func (s *Scheduler) checkStatic(c Candidate) error {
	switch {
	case !dialable(c.Addr):
		return errors.New("dial: address not dialable")
	case s.isSelf(c):
		return ErrSelf
	case !s.allowed(c.Addr.Addr()):
		return ErrNotAllowed
	case s.banned(c.Addr.Addr()), c.HasID() && s.bannedID(c.ID):
		return ErrBanned
	case s.connectedOrDialing(c):
		return ErrAlreadyConnected
	}
	return nil
}

// nextStaticRetry returns the earliest future retry time of a static peer,
// or zero if there is none.
func (s *Scheduler) nextStaticRetry(now time.Time) time.Time {
	var next time.Time
	if s.cfg.NoDial {
		return next
	}
	for _, e := range s.static {
		if e.state == staticWaiting && e.retryAt.After(now) && (next.IsZero() || e.retryAt.Before(next)) {
			next = e.retryAt
		}
	}
	return next
}

func (s *Scheduler) startDial(c Candidate, e *staticEntry, now time.Time) {
	t := &task{c: c, static: e}
	if e == nil && s.cfg.DialHistory > 0 {
		s.history.add(c.key(), now)
	}
	if e != nil {
		e.state = staticDialing
	}
	t.group, t.grouped = s.groupOf(c.Addr.Addr())
	if t.grouped {
		s.groups[t.group]++
	}
	s.dialing[c.key()] = t
	s.dialingAddrs[c.Addr]++
	s.stats.Dials++
	s.log.Debug("Dialing", "node", c, "static", e != nil)
	s.wg.Add(1) // loop is running, so the count is not zero
	go s.runTask(t)
}

func (s *Scheduler) runTask(t *task) {
	defer s.wg.Done()
	t.err = s.cfg.Dial(s.ctx, t.c)
	select {
	case s.doneCh <- t:
	case <-s.quit:
	}
}

func (s *Scheduler) taskDone(t *task, now time.Time) {
	k := t.c.key()
	delete(s.dialing, k)
	decr(s.dialingAddrs, t.c.Addr)
	if t.grouped {
		decr(s.groups, t.group)
	}
	if t.err != nil {
		s.stats.DialFailures++
		s.log.Debug("Dial failed", "node", t.c, "err", t.err)
		if errors.Is(t.err, ErrSelf) {
			s.addSelf(t.c.Addr)
		}
	}
	// A static dial that ended while still in staticDialing did not produce
	// a peer (it failed, was refused, or the peer was added and removed, in
	// which case removePeer already moved it on).
	if e := t.static; e != nil && s.static[e.c.key()] == e && e.state == staticDialing {
		s.staticFailed(e, now)
	}
}

func (s *Scheduler) addPeer(p Peer, now time.Time) (replaced *Peer, err error) {
	p.Addr = normAddrPort(p.Addr)
	p.Static, p.Since = false, now
	var carried *staticEntry // the replaced connection's static entry
	old := s.peers[keyOf(p.ID, p.Addr)]
	if old != nil && s.preferNew(p, old.Peer) {
		s.dropEntry(old)
	} else {
		old = nil
	}
	if err := s.admit(p); err != nil {
		if old != nil {
			s.addEntry(old) // keep the connection we have
		}
		s.stats.RefusedPeers++
		return nil, err
	}
	if old != nil {
		carried, replaced = old.static, &old.Peer
		s.stats.Replaced++
	}
	pe := &peerEntry{Peer: p}
	if carried != nil {
		pe.static, pe.Static = carried, true
	} else if e := s.matchStatic(p); e != nil {
		pe.static, pe.Static = e, true
		e.state, e.since = staticConnected, now
	}
	if p.Inbound {
		s.inbound++
	} else {
		s.outbound++
		if pe.group, pe.grouped = s.groupOf(p.Addr.Addr()); pe.grouped {
			s.groups[pe.group]++
		}
	}
	s.peers[keyOf(p.ID, p.Addr)] = pe
	s.peerAddrs[p.Addr]++
	return replaced, nil
}

// preferNew reports whether a new connection to a node we are already
// connected to should replace the old one: only when they go opposite ways
// (a simultaneous dial) and the new one was dialled by the node with the
// smaller ID. Both sides compute the same answer.
func (s *Scheduler) preferNew(p, old Peer) bool {
	var zero [32]byte
	if p.ID == zero || s.cfg.Self == zero || p.Inbound == old.Inbound {
		return false
	}
	selfSmaller := bytes.Compare(s.cfg.Self[:], p.ID[:]) < 0
	newDialledBySelf := !p.Inbound
	return newDialledBySelf == selfSmaller
}

// addEntry puts a peer taken out by dropEntry back.
func (s *Scheduler) addEntry(pe *peerEntry) {
	s.peers[keyOf(pe.ID, pe.Addr)] = pe
	s.peerAddrs[pe.Addr]++
	if pe.Inbound {
		s.inbound++
	} else {
		s.outbound++
	}
	if pe.grouped {
		s.groups[pe.group]++
	}
}

// dropEntry takes a connected peer out of the set and its counts, leaving
// its static entry as it is (the connection replacing it takes it over).
func (s *Scheduler) dropEntry(pe *peerEntry) {
	delete(s.peers, keyOf(pe.ID, pe.Addr))
	decr(s.peerAddrs, pe.Addr)
	if pe.Inbound {
		s.inbound--
	} else {
		s.outbound--
	}
	if pe.grouped {
		decr(s.groups, pe.group)
	}
}

func (s *Scheduler) admit(p Peer) error {
	if p.ID != ([32]byte{}) && p.ID == s.cfg.Self {
		return ErrSelf
	}
	if s.peers[keyOf(p.ID, p.Addr)] != nil {
		return ErrAlreadyConnected
	}
	if p.ID != ([32]byte{}) && s.bannedID(p.ID) {
		return ErrBanned
	}
	if p.Inbound {
		// Also checked by CheckInbound; again here in case the listener
		// did not, or the ban came during the handshake.
		if !s.allowed(p.Addr.Addr()) {
			return ErrNotAllowed
		}
		if s.banned(p.Addr.Addr()) {
			return ErrBanned
		}
	}
	switch {
	case s.inbound+s.outbound >= s.cfg.MaxPeers:
		return ErrTooManyPeers
	case p.Inbound && s.inbound >= s.maxInbound:
		return ErrTooManyPeers
	case !p.Inbound && s.outbound >= s.maxOutbound && s.matchStatic(p) == nil:
		return ErrTooManyPeers
	}
	return nil
}

// matchStatic returns the static entry p satisfies, if it is not already
// satisfied by another connection: by ID, or for an outbound peer by the
// dialled address.
func (s *Scheduler) matchStatic(p Peer) *staticEntry {
	var e *staticEntry
	if p.ID != ([32]byte{}) {
		e = s.static[key{id: p.ID}]
	}
	if e == nil && !p.Inbound {
		e = s.static[key{addr: p.Addr}]
	}
	if e == nil || e.state == staticConnected {
		return nil
	}
	return e
}

func (s *Scheduler) removePeer(p Peer, now time.Time) {
	p.Addr = normAddrPort(p.Addr)
	k := keyOf(p.ID, p.Addr)
	pe := s.peers[k]
	// Direction and address must match too: a refused duplicate connection
	// that reports its end by mistake must not remove the connected one.
	if pe == nil || pe.Inbound != p.Inbound || pe.Addr != p.Addr {
		return
	}
	s.dropEntry(pe)
	if e := pe.static; e != nil && s.static[e.c.key()] == e && e.state == staticConnected {
		if now.Sub(e.since) >= staticStableTime {
			// A good connection ended: redial at once, from a clean slate.
			e.failures, e.state, e.retryAt = 0, staticWaiting, now
		} else {
			s.staticFailed(e, now)
		}
	}
}

func (s *Scheduler) addStatic(c Candidate, now time.Time) {
	c.Addr = normAddrPort(c.Addr)
	k := c.key()
	if e := s.static[k]; e != nil {
		e.c.Node = c.Node // a newer record; same key
		return
	}
	e := &staticEntry{c: c, state: staticWaiting, retryAt: now}
	s.static[k] = e
	// Already connected (inbound, or as a dynamic peer)?
	for _, pe := range s.peers {
		if pe.static != nil {
			continue
		}
		if (c.HasID() && pe.ID == c.ID) || (!c.HasID() && !pe.Inbound && pe.Addr == c.Addr) {
			pe.static, pe.Static = e, true
			e.state, e.since = staticConnected, pe.Since
			return
		}
	}
}

func (s *Scheduler) removeStatic(c Candidate) {
	c.Addr = normAddrPort(c.Addr)
	k := c.key()
	e := s.static[k]
	if e == nil {
		return
	}
	delete(s.static, k)
	for _, pe := range s.peers {
		if pe.static == e {
			pe.static, pe.Static = nil, false
		}
	}
	// A running task keeps its pointer; taskDone sees e is gone.
}

// staticFailed schedules the next attempt after a failure.
func (s *Scheduler) staticFailed(e *staticEntry, now time.Time) {
	e.failures++
	e.state = staticWaiting
	e.retryAt = now.Add(s.staticBackoff(e.failures))
}

// staticBackoff returns the delay before attempt n+1 after n consecutive
// failures: d = StaticBackoff·2^(n-1) capped at StaticBackoffMax, drawn
// uniformly from [d/2, d].
func (s *Scheduler) staticBackoff(n int) time.Duration {
	d := s.cfg.StaticBackoff
	for i := 1; i < n && d < s.cfg.StaticBackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.StaticBackoffMax)
	half := d / 2
	return half + rand.N(d-half+1)
}

func (s *Scheduler) checkInbound(ip netip.Addr, now time.Time) error {
	err := s.inboundVerdict(normAddr(ip), now)
	if err != nil {
		s.stats.RefusedInbound++
	}
	return err
}

func (s *Scheduler) inboundVerdict(ip netip.Addr, now time.Time) error {
	if !ip.IsValid() || !s.allowed(ip) {
		return ErrNotAllowed
	}
	if s.banned(ip) {
		return ErrBanned
	}
	if s.cfg.InboundThrottle > 0 && !isLAN(ip) {
		if s.throttle.contains(ip, now) {
			return ErrThrottled
		}
		s.throttle.add(ip, now)
	}
	if s.inbound >= s.maxInbound || s.inbound+s.outbound >= s.cfg.MaxPeers {
		return ErrTooManyPeers
	}
	return nil
}

func (s *Scheduler) allowed(a netip.Addr) bool {
	if len(s.cfg.NetRestrict) == 0 {
		return true
	}
	for _, p := range s.cfg.NetRestrict {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Scheduler) banned(a netip.Addr) bool {
	return s.cfg.Banned != nil && s.cfg.Banned(a)
}

func (s *Scheduler) bannedID(id [32]byte) bool {
	return s.cfg.BannedID != nil && s.cfg.BannedID(id)
}

func (s *Scheduler) isSelf(c Candidate) bool {
	if c.HasID() && c.ID == s.cfg.Self {
		return true
	}
	_, ok := s.self[c.Addr]
	return ok
}

func (s *Scheduler) addSelf(a netip.AddrPort) {
	if len(s.self) < maxSelfAddrs {
		s.self[normAddrPort(a)] = struct{}{}
	}
}

// connectedOrDialing reports whether c is connected or being dialled: by ID
// when it has one, and by address in any case.
func (s *Scheduler) connectedOrDialing(c Candidate) bool {
	if c.HasID() && (s.peers[key{id: c.ID}] != nil || s.dialing[key{id: c.ID}] != nil) {
		return true
	}
	return s.peerAddrs[c.Addr] > 0 || s.dialingAddrs[c.Addr] > 0
}

// groupOf returns the subnet a counts against for SubnetLimit, and false if
// the limit does not apply to it.
func (s *Scheduler) groupOf(a netip.Addr) (netip.Prefix, bool) {
	if s.cfg.SubnetLimit <= 0 || isLAN(a) {
		return netip.Prefix{}, false
	}
	bits := s.cfg.SubnetBits6
	if a.Is4() {
		bits = s.cfg.SubnetBits4
	}
	p, err := a.Prefix(bits)
	return p, err == nil
}

func decr[K comparable](m map[K]int, k K) {
	if m[k] <= 1 {
		delete(m, k)
	} else {
		m[k]--
	}
}
