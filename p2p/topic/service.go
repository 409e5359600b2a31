package topic

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Delivery is a message handed to a subscriber. Payload is shared by every
// subscriber of the message: read it, do not modify it.
type Delivery struct {
	Kind   Kind
	Origin enode.ID
	ID     MsgID
	Topic  string // Multicast
	// From is the peer it came from; zero when this node originated it.
	From    enode.ID
	Payload []byte
}

// Service runs the topic protocol: it originates, relays and delivers
// unicast, multicast and broadcast messages. Its methods are safe for
// concurrent use.
//
// One goroutine, the loop, owns the peers and the subscriptions and makes
// every routing decision. Each peer's Run goroutine rate-limits, decodes,
// deduplicates and verifies (the costly part, in parallel across peers)
// before handing a message to the loop; a writer per peer drains its
// bounded send queue. The deduplication cache is shared under its own
// mutex (see seenCache). Origination signs in the caller's goroutine.
type Service struct {
	cfg   Config
	self  enode.ID
	log   *slog.Logger
	nodes NodeDirectory // cfg.Directory as a NodeDirectory, or nil
	seen  *seenCache

	peerOps   chan peerOp
	in        chan inbound
	orig      chan origReq
	subOps    chan subOp
	topicsReq chan chan []string
	quit      chan struct{}
	done      chan struct{}
	once      sync.Once

	stats counters
}

type peerOp struct {
	p     *peer
	add   bool
	reply chan error
}

type inbound struct {
	p *peer
	m *Message
}

type origReq struct {
	m     *Message
	reply chan error
}

type subOp struct {
	sub   *subscription
	add   bool
	reply chan error
}

// subscription is a Subscribe (topic set) or Inbox (topic empty) channel.
type subscription struct {
	topic string
	ch    chan Delivery
}

// state is the loop's.
type state struct {
	// routes: origin → the peer its latest first copy came from.
	routes map[enode.ID]route
	peers  map[enode.ID]*peer
	topics map[string]map[*subscription]struct{}
	inbox  map[*subscription]struct{}
}

// New starts a Service.
func New(cfg Config) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{
		cfg:       cfg,
		self:      cfg.ID,
		log:       cfg.Logger.With("proto", Name, "id", cfg.ID.TerminalString()),
		seen:      newSeenCache(cfg.SeenCache, uint8(cfg.HopLimit/2)),
		peerOps:   make(chan peerOp),
		in:        make(chan inbound, 256),
		orig:      make(chan origReq),
		subOps:    make(chan subOp),
		topicsReq: make(chan chan []string),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	s.nodes, _ = cfg.Directory.(NodeDirectory)
	st := &state{
		routes: map[enode.ID]route{},
		peers:  map[enode.ID]*peer{},
		topics: map[string]map[*subscription]struct{}{},
		inbox:  map[*subscription]struct{}{},
	}
	go s.loop(st)
	return s, nil
}

// ID returns this node's ID.
func (s *Service) ID() enode.ID { return s.self }

// Close stops the service: every peer's Run returns ErrClosed, every
// subscription channel is closed.
func (s *Service) Close() {
	s.once.Do(func() { close(s.quit) })
	<-s.done
}

// Send sends payload to the node dst. A peer gets it directly; another
// node known to the directory (or any node, without a NodeDirectory) gets
// it by flooding through the peers up to the hop limit, each relay passing
// it straight to dst when dst is its peer. Delivery is not acknowledged.
func (s *Service) Send(dst enode.ID, payload []byte) (MsgID, error) {
	return s.originate(&Message{Kind: Unicast, Dest: dst}, payload)
}

// Publish sends payload to every node subscribed to topic, this one
// included. It is relayed network-wide and delivered only at subscribers;
// when every subscriber the directory knows is a peer, it goes to them
// only. ErrNoSubscribers when the directory knows none.
func (s *Service) Publish(topic string, payload []byte) (MsgID, error) {
	if err := checkTopic(topic); err != nil {
		return MsgID{}, err
	}
	return s.originate(&Message{Kind: Multicast, Topic: topic}, payload)
}

// Broadcast sends payload to every other node of the network, each
// delivering it once.
func (s *Service) Broadcast(payload []byte) (MsgID, error) {
	return s.originate(&Message{Kind: Broadcast}, payload)
}

func (s *Service) originate(m *Message, payload []byte) (MsgID, error) {
	if len(payload) > s.cfg.MaxPayload {
		return MsgID{}, fmt.Errorf("%w: %d bytes, limit %d", ErrPayloadTooLarge, len(payload), s.cfg.MaxPayload)
	}
	m.Origin, m.Hops = s.self, uint8(s.cfg.HopLimit)
	m.Payload = append([]byte{}, payload...)
	rand.Read(m.ID[:])
	if s.cfg.Signer != nil {
		sig, err := s.cfg.Signer.Sign(m.Digest())
		if err != nil {
			return MsgID{}, fmt.Errorf("topic: signing: %w", err)
		}
		m.Sig = sig
	}
	reply := make(chan error, 1)
	select {
	case s.orig <- origReq{m: m, reply: reply}:
	case <-s.done:
		return MsgID{}, ErrClosed
	}
	return m.ID, <-reply
}

// Subscribe returns a channel of the multicast messages of topic and a
// function that ends the subscription and closes the channel. The channel
// holds Config.SubQueue deliveries; when it is full the oldest is dropped
// for the new one (Stats.SubscriberFull): a subscriber that falls behind
// sees the latest messages. The node follows a topic while it has a
// subscription to it (Config.TopicsChanged).
func (s *Service) Subscribe(topic string) (<-chan Delivery, func(), error) {
	if err := checkTopic(topic); err != nil {
		return nil, nil, err
	}
	return s.subscribe(topic)
}

// Inbox returns a channel of the unicast and broadcast messages delivered
// to this node, like Subscribe.
func (s *Service) Inbox() (<-chan Delivery, func(), error) {
	return s.subscribe("")
}

func (s *Service) subscribe(topic string) (<-chan Delivery, func(), error) {
	sub := &subscription{topic: topic, ch: make(chan Delivery, s.cfg.SubQueue)}
	reply := make(chan error, 1)
	select {
	case s.subOps <- subOp{sub: sub, add: true, reply: reply}:
	case <-s.done:
		return nil, nil, ErrClosed
	}
	if err := <-reply; err != nil {
		return nil, nil, err
	}
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			reply := make(chan error, 1)
			select {
			case s.subOps <- subOp{sub: sub, reply: reply}:
				<-reply
			case <-s.done: // the loop closed the channel
			}
		})
	}, nil
}

func (s *Service) loop(st *state) {
	defer close(s.done)
	defer func() {
		for _, p := range st.peers {
			p.disconnect(ErrClosed)
		}
		for _, subs := range st.topics {
			for sub := range subs {
				close(sub.ch)
			}
		}
		for sub := range st.inbox {
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
			} else if st.peers[op.p.id] == op.p {
				delete(st.peers, op.p.id)
				s.stats.peers.Store(int64(len(st.peers)))
			}
		case in := <-s.in:
			// Routed even if in.p has left since: the message is verified
			// and marked seen, and no other copy would be accepted.
			s.route(st, in.p, in.m)
		case r := <-s.orig:
			r.reply <- s.routeOwn(st, r.m)
		case op := <-s.subOps:
			op.reply <- s.onSub(st, op)
		case reply := <-s.topicsReq:
			reply <- slices.Sorted(maps.Keys(st.topics))
		}
	}
}

func (s *Service) addPeer(st *state, p *peer) error {
	if p.id == s.self {
		return fmt.Errorf("topic: peer is this node: %w", p2p.DiscSelf)
	}
	if _, ok := st.peers[p.id]; ok {
		return ErrDuplicatePeer
	}
	st.peers[p.id] = p
	s.stats.peers.Store(int64(len(st.peers)))
	return nil
}

func (s *Service) onSub(st *state, op subOp) error {
	sub := op.sub
	if sub.topic == "" {
		if op.add {
			st.inbox[sub] = struct{}{}
		} else if _, ok := st.inbox[sub]; ok {
			delete(st.inbox, sub)
			close(sub.ch)
		}
		return nil
	}
	subs := st.topics[sub.topic]
	if op.add {
		if subs == nil {
			if len(st.topics) >= MaxTopics {
				return fmt.Errorf("%w: already following %d topics", ErrInvalidTopic, MaxTopics)
			}
			subs = map[*subscription]struct{}{}
			st.topics[sub.topic] = subs
			s.topicsChanged(st)
		}
		subs[sub] = struct{}{}
		return nil
	}
	if _, ok := subs[sub]; !ok {
		return nil
	}
	delete(subs, sub)
	close(sub.ch)
	if len(subs) == 0 {
		delete(st.topics, sub.topic)
		s.topicsChanged(st)
	}
	return nil
}

func (s *Service) topicsChanged(st *state) {
	if s.cfg.TopicsChanged != nil {
		s.cfg.TopicsChanged(slices.Sorted(maps.Keys(st.topics)))
	}
}

// Topics returns the topics this node follows, sorted.
func (s *Service) Topics() []string {
	reply := make(chan []string, 1)
	select {
	case s.topicsReq <- reply:
		return <-reply
	case <-s.done:
		return nil
	}
}

// routeOwn sends a message this node originated.
func (s *Service) routeOwn(st *state, m *Message) error {
	s.seen.own(m.key()) // so that echoes are dropped
	kc := s.stats.kind(m.Kind)
	kc.sent.Add(1)
	var enc []byte
	encode := func() []byte {
		if enc == nil {
			enc = m.encode()
		}
		return enc
	}
	switch m.Kind {
	case Unicast:
		if m.Dest == s.self {
			s.deliver(st, m, nil)
			return nil
		}
		if q := st.peers[m.Dest]; q != nil {
			s.send(q, encode())
			return nil
		}
		if q := s.nextHop(st, m.Dest); q != nil {
			s.send(q, encode())
			return nil
		}
		if len(st.peers) == 0 || (s.nodes != nil && !s.nodes.Reachable(m.Dest)) {
			return fmt.Errorf("%w: %v", ErrUnreachable, m.Dest.TerminalString())
		}
	case Multicast:
		local := len(st.topics[m.Topic]) > 0
		if local {
			s.deliver(st, m, nil)
		}
		if s.cfg.Directory != nil {
			var remote []*peer
			direct := true
			for _, id := range s.cfg.Directory.Subscribers(m.Topic) {
				if id == s.self {
					continue
				}
				q := st.peers[id]
				direct = direct && q != nil
				remote = append(remote, q)
			}
			switch {
			case len(remote) == 0 && local:
				return nil
			case len(remote) == 0:
				return fmt.Errorf("%w: %q", ErrNoSubscribers, m.Topic)
			case direct:
				// Every subscriber is a peer: send to them only, with one
				// hop so that they do not relay it (hops are not signed).
				one := *m
				one.Hops = 1
				enc := one.encode()
				for _, q := range remote {
					s.send(q, enc)
				}
				return nil
			}
		}
		if len(st.peers) == 0 {
			if local {
				return nil
			}
			return fmt.Errorf("%w: topic %q", ErrUnreachable, m.Topic)
		}
	case Broadcast:
		if len(st.peers) == 0 {
			return ErrNoPeers
		}
	}
	for _, q := range st.peers {
		s.send(q, encode())
	}
	return nil
}

// route delivers and relays a message received from p. It was verified
// by p's reader, and is either the first copy or one with more hops left
// than any before (see seenCache): then it is relayed again, not
// delivered again.
func (s *Service) route(st *state, p *peer, m *Message) {
	kc := s.stats.kind(m.Kind)
	first := s.seen.deliver(m.key())
	if first {
		kc.received.Add(1)
		s.learn(st, m.Origin, p)
	} else {
		kc.improved.Add(1)
	}
	forward := m.Hops > 1
	switch m.Kind {
	case Unicast:
		if m.Dest == s.self {
			if first {
				s.deliver(st, m, p)
			}
			return
		}
		q := st.peers[m.Dest] // the destination is our peer: hand it over
		if q == nil {
			q = s.nextHop(st, m.Dest)
		}
		if q == p {
			q = nil // the route leads back: flood instead
		}
		if q != nil {
			if forward {
				m.Hops--
				s.relay(q, m.encode(), kc)
			}
			return
		}
	case Multicast:
		if first && len(st.topics[m.Topic]) > 0 {
			s.deliver(st, m, p)
		}
	case Broadcast:
		if first {
			s.deliver(st, m, p)
		}
	}
	if !forward {
		return
	}
	m.Hops--
	var enc []byte
	for id, q := range st.peers {
		if q == p || id == m.Origin {
			continue
		}
		if enc == nil {
			enc = m.encode()
		}
		s.relay(q, enc, kc)
	}
}

// route is where messages of an origin came from: unicasts to it go
// back that way (reverse-path forwarding, as a learning bridge does). The
// first copy of a flood travels the fastest path, so its way back is a
// short one.
type route struct {
	peer *peer
	at   time.Time
}

// learn records that origin's message came first through p.
func (s *Service) learn(st *state, origin enode.ID, p *peer) {
	now := s.cfg.Clock.Now()
	if _, ok := st.routes[origin]; !ok && len(st.routes) >= s.cfg.MaxRoutes {
		// Full: sweep the stale ones; if none, forget one at random.
		for id, r := range st.routes {
			if now.Sub(r.at) > s.cfg.RouteTTL || st.peers[r.peer.id] != r.peer {
				delete(st.routes, id)
			}
		}
		for id := range st.routes {
			if len(st.routes) < s.cfg.MaxRoutes {
				break
			}
			delete(st.routes, id)
		}
	}
	st.routes[origin] = route{peer: p, at: now}
}

// nextHop returns the peer of a fresh route to dst whose peer is still
// connected, or nil: then the message floods. A route can go stale when
// the network changes; the relay at the break floods from there.
func (s *Service) nextHop(st *state, dst enode.ID) *peer {
	r, ok := st.routes[dst]
	if !ok {
		return nil
	}
	if s.cfg.Clock.Now().Sub(r.at) > s.cfg.RouteTTL || st.peers[r.peer.id] != r.peer {
		delete(st.routes, dst)
		return nil
	}
	s.stats.routed.Add(1)
	return r.peer
}

// send queues an encoded message for q; a full queue drops it.
func (s *Service) send(q *peer, enc []byte) bool {
	select {
	case q.out <- p2p.Msg{Code: TopicMsg, Payload: enc}:
		return true
	default:
		s.stats.peerQueueFull.Add(1)
		return false
	}
}

// relay sends a received message on to q.
func (s *Service) relay(q *peer, enc []byte, kc *kindCounters) {
	if s.send(q, enc) {
		kc.forwarded.Add(1)
	}
}

// deliver hands m to this node's subscribers: the topic's for multicast,
// the inbox's otherwise.
func (s *Service) deliver(st *state, m *Message, from *peer) {
	subs := st.inbox
	if m.Kind == Multicast {
		subs = st.topics[m.Topic]
	}
	kc := s.stats.kind(m.Kind)
	kc.delivered.Add(1)
	if len(subs) == 0 {
		s.stats.noSubscriber.Add(1)
		return
	}
	d := Delivery{Kind: m.Kind, Origin: m.Origin, ID: m.ID, Topic: m.Topic, Payload: m.Payload}
	if from != nil {
		d.From = from.id
	}
	for sub := range subs {
		select {
		case sub.ch <- d:
			continue
		default:
		}
		// Full: drop the oldest. Only the loop sends, so there is room
		// after one receive.
		select {
		case <-sub.ch:
		default:
		}
		s.stats.subscriberFull.Add(1)
		select {
		case sub.ch <- d:
		default:
		}
	}
}
