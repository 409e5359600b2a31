package netsync

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/wire"
)

// Per-peer bounds of the relay state.
const (
	knownInvPerPeer  = 10000 // inventory remembered as known to a peer
	lacksPerPeer     = 1024  // blocks a peer said it does not have
	txQueuePerPeer   = 50000 // transactions waiting to be announced
	txInFlightMax    = 100   // Core's MAX_PEER_TX_REQUEST_IN_FLIGHT
	txInvPerTrickle  = 1000  // announcements per trickle
	rejectedTxs      = 10000 // refused transactions remembered
	mempoolInterval  = time.Minute
	maxAnnounceHdrs  = 8 // Core's MAX_BLOCKS_TO_ANNOUNCE
	maxUnsolicited   = 16
	txRequestTimeout = time.Minute
)

// loopState is owned by the loop goroutine; nothing else touches it.
type loopState struct {
	m *Manager

	peers map[*btcpeer.Peer]*peerState
	order []*peerState // peers in arrival order; assignment rotates over it
	rot   int

	// Block download. blocks holds every block of the plan plus those
	// still in flight after they left it; plan is the blocks to fetch in
	// height order, at most Window of them from the connected tip.
	blocks      map[wire.Hash]*blockState
	plan        []*blockState
	firstFree   int // plan entries before it are all requested or held
	heldBytes   int
	processing  []*blockState // the batch the processor has
	unsolicited []*blockState
	needAssign  bool

	// Header sync: the peer we are fetching a longer header chain from.
	headersPeer *peerState

	// Stall detection.
	stallTimeout time.Duration
	staller      *peerState
	stallSince   time.Time

	// Transactions we asked for, and recently refused ones.
	txReq    map[wire.Hash]txRequest
	rejected *hashSet

	tip, best     store.TipInfo
	lastAnnounced wire.Hash
	wasSyncing    bool

	// Progress log.
	lastLog      time.Time
	lastLogTip   int32
	rate         float64
	syncStart    time.Time
	syncStartTip int32
}

type txRequest struct {
	peer *peerState
	at   time.Time
}

// blockState is one block to fetch.
type blockState struct {
	hash      wire.Hash
	height    int32
	peer      *peerState // asked of, nil when not in flight
	requested time.Time
	block     *wire.MsgBlock // received, waiting to be processed
	size      int
	from      *peerState // who delivered block
	inPlan    bool
	inProcess bool
}

// peerState is what the loop knows of one peer.
type peerState struct {
	p           *btcpeer.Peer
	addr        string
	inbound     bool
	local       bool
	witness     bool
	relay       bool // the peer wants transaction announcements
	maxInFlight int
	gone        bool // disconnecting: no more requests

	bestHeight int32
	bestHash   wire.Hash
	// hdrHeight and hdrHash: the best header we know the peer has (it
	// announced it, or we sent it), for announcing with headers.
	hdrHeight int32
	hdrHash   wire.Hash
	// servedHeight: the highest of our blocks the peer asked for. A peer
	// that fetched a block from us holds it, though it never announces it
	// back; shown as its height, never used to plan downloads.
	servedHeight int32

	hdrAsked     bool // the first getheaders went out
	hdrInFlight  bool
	hdrDeadline  time.Time
	hdrDone      bool
	unconnecting int

	inFlight     map[wire.Hash]*blockState
	lastProgress time.Time
	lacks        *hashSet

	known       *hashSet
	txQueue     []wire.Hash
	nextTrickle time.Time
	txInFlight  int
	invTokens   float64
	invRefill   time.Time
	lastMempool time.Time
	announced   wire.Hash
}

// noteHeader records that the peer has the header hash at height.
func (ps *peerState) noteHeader(hash wire.Hash, height int32) {
	if height > ps.hdrHeight || ps.hdrHash.IsZero() {
		ps.hdrHeight, ps.hdrHash = height, hash
	}
}

func newLoopState(m *Manager) *loopState {
	return &loopState{
		m:            m,
		peers:        make(map[*btcpeer.Peer]*peerState),
		blocks:       make(map[wire.Hash]*blockState),
		stallTimeout: m.cfg.StallTimeout,
		txReq:        make(map[wire.Hash]txRequest),
		rejected:     newHashSet(rejectedTxs),
	}
}

func (m *Manager) loop(s *loopState) {
	now := m.clock.Now()
	s.tip, s.best = m.chain.Tip(), m.chain.BestHeader()
	s.lastAnnounced = s.tip.Hash
	s.lastLog, s.lastLogTip = now, s.tip.Height
	s.refreshPlan()
	var t p2p.Timer
	var tAt time.Time
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		s.maybeProcess()
		if s.needAssign {
			s.assign(m.clock.Now())
		}
		wake := s.nextWake()
		if !wake.IsZero() && (t == nil || wake.Before(tAt)) {
			if t != nil {
				t.Stop()
			}
			t, tAt = m.timer(wake.Sub(m.clock.Now())), wake
		}
		var tc <-chan time.Time
		if t != nil {
			tc = t.C()
		}
		select {
		case ev := <-m.inbox:
			s.handle(ev)
		drain:
			for range drainMax - 1 {
				select {
				case ev := <-m.inbox:
					s.handle(ev)
				default:
					break drain
				}
			}
		case <-m.tipCh:
			s.onTipChanged()
		case err := <-m.procOut:
			s.onProcessed(err)
		case <-tc:
			t, tAt = nil, time.Time{}
			s.check(m.clock.Now())
		case <-m.quit:
			return
		}
	}
}

func (s *loopState) handle(ev event) {
	switch ev.kind {
	case evAddPeer:
		s.addPeer(ev.peer)
	case evRemovePeer:
		s.removePeer(ev.peer)
	case evQuery:
		ev.fn(s)
	case evBlock:
		if ps := s.peers[ev.peer]; ps != nil {
			s.onBlock(ps, ev.hash, ev.block, ev.size)
		}
	case evTx:
		s.onTxResult(ev)
	case evSentHeaders:
		if ps := s.peers[ev.peer]; ps != nil {
			if info, ok := s.m.chain.BlockInfo(ev.hash); ok {
				ps.noteHeader(ev.hash, info.Height)
			}
		}
	case evServedBlock:
		if ps := s.peers[ev.peer]; ps != nil {
			if info, ok := s.m.chain.BlockInfo(ev.hash); ok && info.Height > ps.servedHeight {
				ps.servedHeight = info.Height
			}
		}
	case evMsg:
		ps := s.peers[ev.peer]
		if ps == nil {
			return
		}
		switch msg := ev.msg.(type) {
		case *wire.MsgHeaders:
			s.onHeaders(ps, msg.Headers)
		case *wire.MsgInv:
			s.onInv(ps, msg.InvList)
		case *wire.MsgNotFound:
			s.onNotFound(ps, msg.InvList)
		case *wire.MsgMemPool:
			s.onMemPool(ps)
		}
	}
}

func (s *loopState) addPeer(p *btcpeer.Peer) {
	if _, ok := s.peers[p]; ok {
		return
	}
	m := s.m
	now := m.clock.Now()
	addr := ""
	if a := p.Addr(); a != nil {
		addr = a.String()
	}
	info := p.Info()
	ps := &peerState{
		p:          p,
		addr:       addr,
		inbound:    p.Inbound(),
		local:      m.cfg.Local(addr),
		witness:    p.Services().Has(wire.SFNodeWitness),
		relay:      info.Relay,
		bestHeight: p.StartHeight(),
		inFlight:   make(map[wire.Hash]*blockState),
		lacks:      newHashSet(lacksPerPeer),
		known:      newHashSet(knownInvPerPeer),
		invTokens:  m.cfg.InvBurst,
		invRefill:  now,
	}
	ps.maxInFlight = m.cfg.MaxInFlight
	if ps.local {
		ps.maxInFlight = m.cfg.MaxInFlightLocal
	}
	ps.nextTrickle = now.Add(s.trickleDelay(ps))
	if m.pool != nil && m.pool.MinFeeRate() > 0 && p.ProtocolVersion() >= wire.FeeFilterVersion {
		// BIP133: announce no transaction below what our pool accepts.
		p.Send(&wire.MsgFeeFilter{MinFee: m.pool.MinFeeRate()})
	}
	s.peers[p] = ps
	s.order = append(s.order, ps)
	m.log.Debug("sync peer added", "peer", addr, "height", ps.bestHeight, "inbound", ps.inbound)
	s.startHeaders()
	s.needAssign = true
}

func (s *loopState) removePeer(p *btcpeer.Peer) {
	ps := s.peers[p]
	if ps == nil {
		return
	}
	delete(s.peers, p)
	for i, o := range s.order {
		if o == ps {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	s.release(ps)
	for h, r := range s.txReq {
		if r.peer == ps {
			delete(s.txReq, h)
		}
	}
	if s.headersPeer == ps {
		s.headersPeer = nil
	}
	if s.staller == ps {
		s.staller = nil
	}
	// Blocks it delivered stay: they are valid until proven otherwise.
	s.startHeaders()
}

// release gives the blocks in flight from ps back to the plan and stops
// asking it for more.
func (s *loopState) release(ps *peerState) {
	ps.gone = true
	for h, b := range ps.inFlight {
		b.peer = nil
		delete(ps.inFlight, h)
		if !b.inPlan && b.block == nil {
			delete(s.blocks, h)
		}
	}
	s.firstFree = 0
	s.needAssign = true
}

// drop disconnects ps for err and releases its requests at once (its
// RemovePeer comes later).
func (s *loopState) drop(ps *peerState, err error) {
	s.m.log.Info("dropping sync peer", "peer", ps.addr, "err", err)
	ps.p.Disconnect(err)
	s.release(ps)
	if s.headersPeer == ps {
		s.headersPeer = nil
		s.startHeaders()
	}
}

// misbehaving scores ps; at the threshold btcpeer disconnects it, and the
// requests are released at once.
func (s *loopState) misbehaving(ps *peerState, points int, reason string) {
	ps.p.Misbehaving(points, reason)
	select {
	case <-ps.p.Closing():
		s.release(ps)
		if s.headersPeer == ps {
			s.headersPeer = nil
			s.startHeaders()
		}
	default:
	}
}

// syncing reports whether we are still catching up.
func (s *loopState) syncing() bool {
	return s.tip.Hash != s.best.Hash || s.headersPeer != nil
}

func (s *loopState) onTipChanged() {
	now := s.m.clock.Now()
	old := s.tip
	s.tip, s.best = s.m.chain.Tip(), s.m.chain.BestHeader()
	if s.tip.Height > old.Height {
		s.m.stats.blocksConnected.Add(uint64(s.tip.Height - old.Height))
	}
	s.progress(now, false)
	s.announceBlocks()
	s.needAssign = true
}

// check fires whatever deadline has passed.
func (s *loopState) check(now time.Time) {
	m := s.m
	for _, ps := range s.order {
		if ps.gone {
			continue
		}
		if ps.hdrInFlight && !now.Before(ps.hdrDeadline) {
			ps.hdrInFlight = false
			m.stats.headersTimeouts.Add(1)
			if ps.bestHeight > s.best.Height {
				s.misbehaving(ps, ScoreHeadersTimeout, "no headers in time")
				s.drop(ps, errHeadersTimeout)
				continue
			}
			// btcd sends nothing while its own tip is old: not a fault
			// when it claims nothing we lack.
			ps.hdrDone = true
			if s.headersPeer == ps {
				s.headersPeer = nil
				s.startHeaders()
			}
		}
		if len(ps.inFlight) > 0 && !now.Before(ps.lastProgress.Add(m.cfg.BlockTimeout)) {
			m.stats.blockTimeouts.Add(1)
			s.misbehaving(ps, ScoreBlockStall, "owed blocks, delivered none")
			s.drop(ps, errBlockTimeout)
		}
	}
	if s.staller != nil && !now.Before(s.stallSince.Add(s.stallTimeout)) {
		ps := s.staller
		m.stats.stalls.Add(1)
		m.log.Info("peer is stalling the block download window", "peer", ps.addr, "timeout", s.stallTimeout)
		s.staller = nil
		s.stallTimeout = min(2*s.stallTimeout, m.cfg.MaxStallTimeout)
		s.drop(ps, errStalling)
	}
	s.trickle(now)
	for h, r := range s.txReq {
		if now.Sub(r.at) > txRequestTimeout {
			delete(s.txReq, h)
			r.peer.txInFlight--
		}
	}
	s.needAssign = true
}

// nextWake returns when check must run next.
func (s *loopState) nextWake() time.Time {
	var w time.Time
	at := func(t time.Time) {
		if w.IsZero() || t.Before(w) {
			w = t
		}
	}
	for _, ps := range s.order {
		if ps.gone {
			continue
		}
		if ps.hdrInFlight {
			at(ps.hdrDeadline)
		}
		if len(ps.inFlight) > 0 {
			at(ps.lastProgress.Add(s.m.cfg.BlockTimeout))
		}
		if len(ps.txQueue) > 0 {
			at(ps.nextTrickle)
		}
	}
	if s.staller != nil {
		at(s.stallSince.Add(s.stallTimeout))
	}
	if len(s.txReq) > 0 {
		at(s.m.clock.Now().Add(txRequestTimeout))
	}
	return w
}

// progress logs the sync's progress at most every ProgressInterval (or at
// once when force), and the end of a sync.
func (s *loopState) progress(now time.Time, force bool) {
	syncing := s.syncing()
	if syncing && !s.wasSyncing {
		s.syncStart, s.syncStartTip = now, s.tip.Height
	}
	defer func() { s.wasSyncing = syncing }()
	el := now.Sub(s.lastLog)
	if !syncing && s.wasSyncing {
		d := now.Sub(s.syncStart)
		n := s.tip.Height - s.syncStartTip
		s.m.log.Info("sync done", "height", s.tip.Height, "tip", s.tip.Hash, "blocks", n,
			"seconds", d.Seconds(), "blocks_per_sec", float64(n)/max(d.Seconds(), 1e-9))
		s.lastLog, s.lastLogTip = now, s.tip.Height
		return
	}
	if el < s.m.cfg.ProgressInterval && !force {
		return
	}
	n := s.tip.Height - s.lastLogTip
	s.rate = float64(n) / max(el.Seconds(), 1e-9)
	s.lastLog, s.lastLogTip = now, s.tip.Height
	if !syncing {
		return
	}
	left := s.best.Height - s.tip.Height
	attrs := []any{"height", s.tip.Height, "headers", s.best.Height, "blocks", n, "blocks_per_sec", math.Round(s.rate),
		"in_flight", s.inFlightCount(), "held", len(s.blocks) - s.inFlightCount(), "peers", len(s.peers)}
	if s.rate > 0 {
		attrs = append(attrs, "eta", (time.Duration(float64(left)/s.rate) * time.Second).Round(time.Second))
	}
	s.m.log.Info("sync progress", attrs...)
}

func (s *loopState) inFlightCount() int {
	n := 0
	for _, ps := range s.order {
		n += len(ps.inFlight)
	}
	return n
}

func (s *loopState) info() Info {
	held := 0
	for _, b := range s.blocks {
		if b.block != nil {
			held++
		}
	}
	return Info{
		Height: s.tip.Height, Tip: s.tip.Hash, HeaderHeight: s.best.Height, BestHeader: s.best.Hash,
		Syncing: s.syncing(), Peers: len(s.peers), InFlight: s.inFlightCount(), Held: held, HeldBytes: s.heldBytes,
		StallTimeout: s.stallTimeout, BlocksPerSec: s.rate,
	}
}

// expDelay draws from an exponential distribution with the given mean:
// announcements at Poisson times, so that the order in which peers hear of
// a transaction says little about where it came from.
func expDelay(mean time.Duration) time.Duration {
	return time.Duration(-math.Log(1-rand.Float64()) * float64(mean))
}

func (s *loopState) trickleDelay(ps *peerState) time.Duration {
	if ps.inbound {
		return expDelay(s.m.cfg.TrickleInbound)
	}
	return expDelay(s.m.cfg.TrickleOutbound)
}

// hashSet is a bounded set of hashes that forgets the oldest first.
type hashSet struct {
	m    map[wire.Hash]struct{}
	ring []wire.Hash
	next int
}

func newHashSet(n int) *hashSet {
	return &hashSet{m: make(map[wire.Hash]struct{}), ring: make([]wire.Hash, 0, n)}
}

func (h *hashSet) has(x wire.Hash) bool { _, ok := h.m[x]; return ok }

func (h *hashSet) add(x wire.Hash) {
	if h.has(x) {
		return
	}
	if len(h.ring) < cap(h.ring) {
		h.ring = append(h.ring, x)
	} else {
		delete(h.m, h.ring[h.next])
		h.ring[h.next] = x
		h.next = (h.next + 1) % len(h.ring)
	}
	h.m[x] = struct{}{}
}
