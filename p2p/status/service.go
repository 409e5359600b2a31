package status

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

// Service keeps this node's status record, learns every other node's, and
// runs the status protocol with each peer. Its methods are safe for
// concurrent use.
//
// One goroutine, the loop, owns the record table, the peer set, the
// pending requests and the subscriptions; everything else talks to it over
// channels. Each peer's Run goroutine reads, rate-limits, decodes and
// verifies (the expensive part, so it runs in parallel across peers) before
// handing a message to the loop; a writer goroutine per peer drains the
// peer's bounded send queue. Readers see the table through an immutable
// snapshot the loop publishes after each change.
type Service struct {
	cfg  Config
	self enode.ID
	log  *slog.Logger

	peerOps chan peerOp
	in      chan inbound
	local   chan func(*state)
	subOps  chan subOp
	quit    chan struct{} // closed by Close
	done    chan struct{} // closed when the loop has ended
	once    sync.Once

	snap  atomic.Pointer[snapshot]
	stats counters
}

// EventType says what happened to a record.
type EventType uint8

const (
	// Updated: a record is new or has a higher seq (ours included).
	Updated EventType = iota + 1
	// Expired: a record was not refreshed for Config.TTL and was removed.
	Expired
)

func (t EventType) String() string {
	switch t {
	case Updated:
		return "updated"
	case Expired:
		return "expired"
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// Event is a change of the known records.
type Event struct {
	Type   EventType
	Record Record
}

type peerOp struct {
	p     *peer
	add   bool
	reply chan error // for add; cap 1
}

type inbound struct {
	p        *peer
	code     uint64
	announce []Entry
	get      []enode.ID
	records  []agedRecord
}

type subOp struct {
	sub   *subscription
	add   bool
	reply chan struct{}
}

type subscription struct {
	ch chan Event
}

// state is the loop's. Nothing else touches it.
type state struct {
	own      Record // signed, current
	want     Record // content the next signature will carry
	dirty    bool   // want differs from own
	floor    uint64 // highest seq of our own ID seen from the network
	records  map[enode.ID]*Record
	peers    map[enode.ID]*peer
	pending  map[enode.ID]pendingReq
	subs     map[*subscription]struct{}
	flushing bool // the flush timer is armed
	changed  bool // the snapshot is stale
}

type pendingReq struct {
	seq      uint64
	peer     *peer
	deadline time.Time
}

// snapshot is an immutable view of the table for readers.
type snapshot struct {
	records map[enode.ID]Record // own included, Local set
	topics  map[string][]enode.ID
}

// New starts a Service.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{
		cfg:     cfg,
		self:    cfg.ID,
		log:     cfg.Logger.With("proto", Name, "id", cfg.ID.TerminalString()),
		peerOps: make(chan peerOp),
		in:      make(chan inbound, 64),
		local:   make(chan func(*state)),
		subOps:  make(chan subOp),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	st := &state{
		records: map[enode.ID]*Record{},
		peers:   map[enode.ID]*peer{},
		pending: map[enode.ID]pendingReq{},
		subs:    map[*subscription]struct{}{},
	}
	// The first seq is the clock in milliseconds, so that a restarted node
	// (which forgot its seq) still announces seqs above its old ones.
	st.want = Record{
		ID: s.self, Seq: max(1, uint64(cfg.Clock.Now().UnixMilli())),
		Height: cfg.Height, Hash: cfg.Hash, Topics: cfg.Topics, Services: cfg.Services, Version: cfg.Version,
	}
	if err := s.sign(&st.want); err != nil {
		return nil, err
	}
	st.own = st.want.Clone()
	s.publish(st)
	go s.loop(st)
	return s, nil
}

// ID returns this node's ID.
func (s *Service) ID() enode.ID { return s.self }

// Close stops the service: every peer's Run returns ErrClosed (and the
// transport disconnects it), every subscription channel is closed.
func (s *Service) Close() {
	s.once.Do(func() { close(s.quit) })
	<-s.done
}

func (s *Service) sign(r *Record) error {
	r.Sig = nil
	if s.cfg.Signer == nil {
		return nil
	}
	sig, err := s.cfg.Signer.Sign(r.Digest())
	if err != nil {
		return fmt.Errorf("status: signing the record: %w", err)
	}
	r.Sig = sig
	return nil
}

// change runs f on the loop's state.
func (s *Service) change(f func(*state)) error {
	select {
	case s.local <- f:
		return nil
	case <-s.done:
		return ErrClosed
	}
}

// SetTip sets the chain tip in the node's record.
func (s *Service) SetTip(height uint64, hash wire.Hash) error {
	return s.change(func(st *state) {
		if st.want.Height != height || st.want.Hash != hash {
			st.want.Height, st.want.Hash = height, hash
			st.dirty = true
		}
	})
}

// SetTopics sets the topics the node follows (sorted and deduplicated
// here).
func (s *Service) SetTopics(topics []string) error {
	ts, err := normTopics(topics)
	if err != nil {
		return err
	}
	return s.change(func(st *state) {
		if !slices.Equal(st.want.Topics, ts) {
			st.want.Topics = ts
			st.dirty = true
		}
	})
}

// SetServices sets the services bits in the node's record.
func (s *Service) SetServices(services uint64) error {
	return s.change(func(st *state) {
		if st.want.Services != services {
			st.want.Services = services
			st.dirty = true
		}
	})
}

// Self returns the node's current signed record.
func (s *Service) Self() Record {
	return s.snap.Load().records[s.self].Clone()
}

// Known returns every live record, this node's included, sorted by ID.
func (s *Service) Known() []Record {
	snap := s.snap.Load()
	out := make([]Record, 0, len(snap.records))
	for _, r := range snap.records {
		out = append(out, r.Clone())
	}
	slices.SortFunc(out, func(a, b Record) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

// Lookup returns the record of a node.
func (s *Service) Lookup(id enode.ID) (Record, bool) {
	r, ok := s.snap.Load().records[id]
	return r.Clone(), ok
}

// Subscribers returns the nodes whose records list topic, this node
// included if it follows it. It is package topic's TopicDirectory.
func (s *Service) Subscribers(topic string) []enode.ID {
	return slices.Clone(s.snap.Load().topics[topic])
}

// Reachable reports whether another node's record is live, that is the
// node was heard of within the TTL. It is package topic's NodeDirectory.
func (s *Service) Reachable(id enode.ID) bool {
	_, ok := s.snap.Load().records[id]
	return ok && id != s.self
}

// Subscribe returns a channel of record changes and a function that ends
// the subscription and closes the channel. The channel holds
// Config.EventQueue events; when it is full new events are dropped and
// counted (Stats.EventsDropped): a slow reader should call Known.
func (s *Service) Subscribe() (<-chan Event, func()) {
	sub := &subscription{ch: make(chan Event, s.cfg.EventQueue)}
	reply := make(chan struct{})
	select {
	case s.subOps <- subOp{sub: sub, add: true, reply: reply}:
		<-reply
	case <-s.done:
		close(sub.ch)
		return sub.ch, func() {}
	}
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			reply := make(chan struct{})
			select {
			case s.subOps <- subOp{sub: sub, reply: reply}:
				<-reply
			case <-s.done: // the loop closed it
			}
		})
	}
}

// publish rebuilds the readers' snapshot.
func (s *Service) publish(st *state) {
	now := s.cfg.Clock.Now()
	snap := &snapshot{records: make(map[enode.ID]Record, len(st.records)+1), topics: map[string][]enode.ID{}}
	own := st.own
	own.Local, own.Heard = true, now
	snap.records[s.self] = own
	for id, r := range st.records {
		c := *r
		_, c.Peer = st.peers[id]
		snap.records[id] = c
	}
	for _, id := range slices.SortedFunc(maps.Keys(snap.records), func(a, b enode.ID) int { return bytes.Compare(a[:], b[:]) }) {
		for _, t := range snap.records[id].Topics {
			snap.topics[t] = append(snap.topics[t], id)
		}
	}
	s.snap.Store(snap)
	st.changed = false
}

// heldSeq returns the seq of the record the snapshot holds for id.
func (s *Service) heldSeq(id enode.ID) (uint64, bool) {
	r, ok := s.snap.Load().records[id]
	return r.Seq, ok
}

func (s *Service) loop(st *state) {
	defer close(s.done)
	tick := s.cfg.Clock.NewTimer(s.cfg.Interval)
	var flush p2p.Timer
	var flushC <-chan time.Time
	defer func() {
		tick.Stop()
		if flush != nil {
			flush.Stop()
		}
		for _, p := range st.peers {
			p.disconnect(ErrClosed)
		}
		for sub := range st.subs {
			close(sub.ch)
		}
	}()
	for {
		select {
		case <-s.quit:
			return
		case op := <-s.peerOps:
			if op.add {
				op.reply <- s.addPeer(st, op.p)
			} else {
				s.removePeer(st, op.p)
			}
		case m := <-s.in:
			if _, ok := st.peers[m.p.id]; !ok || st.peers[m.p.id] != m.p {
				break // the peer left while its message waited
			}
			switch m.code {
			case AnnounceMsg:
				s.onAnnounce(st, m.p, m.announce)
			case GetStatusMsg:
				s.onGetStatus(st, m.p, m.get)
			case RecordsMsg:
				s.onRecords(st, m.p, m.records)
			}
		case f := <-s.local:
			f(st)
		case op := <-s.subOps:
			if op.add {
				st.subs[op.sub] = struct{}{}
			} else if _, ok := st.subs[op.sub]; ok {
				delete(st.subs, op.sub)
				close(op.sub.ch)
			}
			close(op.reply)
		case <-tick.C():
			s.onTick(st)
			tick = s.cfg.Clock.NewTimer(s.cfg.Interval)
		case <-flushC:
			st.flushing, flushC = false, nil
			s.flush(st)
		}
		if (st.dirty || s.hasPendingAnnounce(st)) && !st.flushing {
			st.flushing = true
			flush = s.cfg.Clock.NewTimer(s.cfg.AnnounceDelay)
			flushC = flush.C()
		}
		if st.changed {
			s.publish(st)
		}
	}
}

func (s *Service) hasPendingAnnounce(st *state) bool {
	for _, p := range st.peers {
		if len(p.announce) > 0 {
			return true
		}
	}
	return false
}

func (s *Service) addPeer(st *state, p *peer) error {
	if _, ok := st.peers[p.id]; ok {
		return ErrDuplicatePeer
	}
	if p.id == s.self {
		return fmt.Errorf("status: peer is this node: %w", p2p.DiscSelf)
	}
	st.peers[p.id] = p
	s.stats.peers.Store(int64(len(st.peers)))
	st.changed = true
	// A new peer hears the whole table at once rather than at the next
	// tick, so that it knows the network within one round trip.
	s.sendTable(st, p, s.cfg.Clock.Now())
	return nil
}

func (s *Service) removePeer(st *state, p *peer) {
	if st.peers[p.id] != p {
		return
	}
	delete(st.peers, p.id)
	s.stats.peers.Store(int64(len(st.peers)))
	for id, pr := range st.pending {
		if pr.peer == p {
			delete(st.pending, id)
		}
	}
	st.changed = true
}

// flush signs our record if it changed and sends every peer the entries
// queued for it.
func (s *Service) flush(st *state) {
	now := s.cfg.Clock.Now()
	if st.dirty {
		next := st.want.Clone()
		next.Seq = max(st.own.Seq, st.floor) + 1
		if err := s.sign(&next); err != nil {
			s.log.Error("Status record not signed", "err", err)
		} else {
			st.own, st.want, st.dirty = next, next.Clone(), false
			st.changed = true
			s.stats.ownChanges.Add(1)
			s.emit(st, Event{Type: Updated, Record: s.localRecord(st, now)})
			for _, p := range st.peers {
				p.queueAnnounce(Entry{ID: s.self, Seq: st.own.Seq})
			}
		}
	}
	for _, p := range st.peers {
		if len(p.announce) == 0 {
			continue
		}
		es := slices.Collect(maps.Values(p.announce))
		clear(p.announce)
		s.sendAnnounce(p, es)
	}
}

func (s *Service) localRecord(st *state, now time.Time) Record {
	r := st.own.Clone()
	r.Local, r.Heard = true, now
	return r
}

// onTick expires old records and requests, and announces the whole table
// to every peer.
func (s *Service) onTick(st *state) {
	now := s.cfg.Clock.Now()
	for id, r := range st.records {
		if now.Sub(r.Heard) > s.cfg.TTL {
			delete(st.records, id)
			st.changed = true
			s.stats.expired.Add(1)
			s.emit(st, Event{Type: Expired, Record: *r})
		}
	}
	for id, pr := range st.pending {
		if !now.Before(pr.deadline) {
			delete(st.pending, id)
			s.stats.requestTimeouts.Add(1)
		}
	}
	for _, p := range st.peers {
		clear(p.announce) // the table holds them
		s.sendTable(st, p, now)
	}
	// Heard times move on every refresh without a republish; a tick
	// publishes them.
	st.changed = true
}

// sendTable announces our seq and every live record's to p.
func (s *Service) sendTable(st *state, p *peer, now time.Time) {
	es := make([]Entry, 0, len(st.records)+1)
	es = append(es, Entry{ID: s.self, Seq: st.own.Seq})
	for id, r := range st.records {
		es = append(es, Entry{ID: id, Seq: r.Seq, Age: ageOf(now.Sub(r.Heard))})
	}
	s.sendAnnounce(p, es)
}

func (s *Service) sendAnnounce(p *peer, es []Entry) {
	for len(es) > 0 {
		n := min(len(es), MaxAnnounce)
		s.send(p, AnnounceMsg, encodeAnnounce(es[:n]))
		s.stats.announceSent.Add(1)
		es = es[n:]
	}
}

// send queues a message for p; a full queue drops it.
func (s *Service) send(p *peer, code uint64, payload []byte) bool {
	select {
	case p.out <- p2p.Msg{Code: code, Payload: payload}:
		return true
	default:
		s.stats.peerQueueFull.Add(1)
		return false
	}
}

func (s *Service) emit(st *state, ev Event) {
	for sub := range st.subs {
		select {
		case sub.ch <- ev:
		default:
			s.stats.eventsDropped.Add(1)
		}
	}
}

func (s *Service) onAnnounce(st *state, p *peer, es []Entry) {
	now := s.cfg.Clock.Now()
	var want []enode.ID
	for _, e := range es {
		if e.ID == s.self {
			// Our own record from before a restart, with a seq above ours:
			// jump past it, or our new records would look stale.
			if e.Seq > st.own.Seq && e.Seq > st.floor {
				st.floor, st.dirty = e.Seq, true
			}
			continue
		}
		heard := now.Add(-e.age())
		r := st.records[e.ID]
		switch {
		case r != nil && e.Seq == r.Seq:
			if heard.After(r.Heard) {
				r.Heard = heard
			}
			continue
		case r != nil && e.Seq < r.Seq:
			continue
		case now.Sub(heard) > s.cfg.TTL:
			continue // the sender's news is too old to keep
		case r == nil && len(st.records) >= s.cfg.MaxRecords && st.peers[e.ID] == nil:
			s.stats.tableFull.Add(1)
			continue
		}
		if pr, ok := st.pending[e.ID]; ok && pr.seq >= e.Seq && now.Before(pr.deadline) {
			continue // asked already
		}
		if len(st.pending) >= s.cfg.MaxRecords {
			continue
		}
		st.pending[e.ID] = pendingReq{seq: e.Seq, peer: p, deadline: now.Add(s.cfg.RequestTimeout)}
		want = append(want, e.ID)
	}
	for len(want) > 0 {
		n := min(len(want), MaxRequest)
		// Count the request before queueing it: the peer's answer may reach
		// the reader before this loop runs again.
		p.solicit(n)
		if !s.send(p, GetStatusMsg, encodeGetStatus(want[:n])) {
			p.unsolicit(n)
		}
		s.stats.requestsSent.Add(1)
		want = want[n:]
	}
}

func (s *Service) onGetStatus(st *state, p *peer, ids []enode.ID) {
	now := s.cfg.Clock.Now()
	var (
		b, start = startRecords()
		n        int
	)
	for _, id := range ids {
		var ar agedRecord
		switch r := st.records[id]; {
		case id == s.self:
			ar = agedRecord{Rec: st.own}
		case r != nil:
			ar = agedRecord{Age: ageOf(now.Sub(r.Heard)), Rec: *r}
		default:
			continue
		}
		b = appendAgedRecord(b, ar)
		n++
		if n == MaxRecordsPerMsg || len(b) > softRecordsSize {
			s.send(p, RecordsMsg, endRecords(b, start))
			b, start = startRecords()
			n = 0
		}
	}
	if n > 0 {
		s.send(p, RecordsMsg, endRecords(b, start))
	}
}

func (s *Service) onRecords(st *state, p *peer, rs []agedRecord) {
	now := s.cfg.Clock.Now()
	for _, ar := range rs {
		rec := ar.Rec
		if rec.ID == s.self {
			continue
		}
		old := st.records[rec.ID]
		if old != nil && rec.Seq <= old.Seq {
			s.stats.stale.Add(1)
			continue
		}
		heard := now.Add(-time.Duration(ar.Age) * time.Millisecond)
		if old != nil && old.Heard.After(heard) {
			heard = old.Heard
		}
		if now.Sub(heard) > s.cfg.TTL {
			s.stats.stale.Add(1)
			continue
		}
		if old == nil && len(st.records) >= s.cfg.MaxRecords && !(st.peers[rec.ID] != nil && s.evict(st)) {
			s.stats.tableFull.Add(1)
			continue
		}
		if pr, ok := st.pending[rec.ID]; ok && pr.seq <= rec.Seq {
			delete(st.pending, rec.ID)
		}
		rec.Heard, rec.Peer, rec.Local = heard, false, false
		st.records[rec.ID] = &rec
		st.changed = true
		s.stats.accepted.Add(1)
		s.emit(st, Event{Type: Updated, Record: rec.Clone()})
		// Relay the news to every other peer; they ask whoever told them.
		e := Entry{ID: rec.ID, Seq: rec.Seq, Age: ageOf(now.Sub(heard))}
		for _, q := range st.peers {
			if q != p {
				q.queueAnnounce(e)
			}
		}
	}
}

// evict removes the record heard of longest ago whose origin is not a
// peer, to make room for a peer's record.
func (s *Service) evict(st *state) bool {
	var victim *Record
	for id, r := range st.records {
		if st.peers[id] == nil && (victim == nil || r.Heard.Before(victim.Heard)) {
			victim = r
		}
	}
	if victim == nil {
		return false
	}
	delete(st.records, victim.ID)
	s.stats.evicted.Add(1)
	return true
}
