package node

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/p2p/topic"
)

// Budgets of the API's topic streams. A message queued for a stream counts
// its payload plus apiMsgOverhead; the payload itself is shared by every
// stream it is queued for (and encoded once for all of them, api.Shared),
// so the budgets bound what slow readers can hold, counted per reference:
// a conservative bound on the memory. A stream over its own budget loses
// its oldest messages; when all streams together are over theirs, the
// stream holding the most loses its oldest (a reader that keeps up is
// never starved by those that do not). Drops are counted; subscriptions
// past the cap are refused.
const (
	DefaultAPIStreams      = 256
	DefaultAPIStreamBytes  = 8 << 20
	DefaultAPIStreamBudget = 128 << 20
	apiMsgOverhead         = 256
)

// APIStreamLimits are the caps of the API's topic streams (zero fields take
// the defaults above).
type APIStreamLimits struct {
	MaxStreams   int   // event streams open at once
	StreamBytes  int64 // queued per stream
	BudgetBytes  int64 // queued across all streams
	minimumBytes int64 // one largest payload, set by the node
}

// apiSubs fans deliveries out to the API's event streams: one subscription
// to the topic service per topic, each delivery made into one api.Message
// shared by every stream, and per stream a queue bounded in bytes.
type apiSubs struct {
	n      *Node
	limits APIStreamLimits
	used   atomic.Int64 // bytes queued across all streams

	mu      sync.Mutex // guards topics, streams
	topics  map[string]*apiTopic
	streams int
}

// apiTopic is one topic's subscription to the topic service and the
// streams that follow it.
type apiTopic struct {
	name   string
	cancel func()
	subs   map[*apiStream]struct{}
}

// apiStream is one API subscriber: a queue its fan-out fills and its own
// goroutine empties into out.
type apiStream struct {
	a        *apiSubs
	mu       sync.Mutex // guards q, bytes
	q        []api.Message
	bytes    int64 // queued, plus the message being handed over
	notify   chan struct{}
	out      chan api.Message
	quit     chan struct{} // closed by cancel or when the topic ends
	quitOnce sync.Once
}

func newAPISubs(n *Node, l APIStreamLimits) *apiSubs {
	if l.MaxStreams <= 0 {
		l.MaxStreams = DefaultAPIStreams
	}
	if l.StreamBytes <= 0 {
		l.StreamBytes = DefaultAPIStreamBytes
	}
	if l.BudgetBytes <= 0 {
		l.BudgetBytes = DefaultAPIStreamBudget
	}
	l.StreamBytes = max(l.StreamBytes, l.minimumBytes+apiMsgOverhead)
	l.BudgetBytes = max(l.BudgetBytes, l.StreamBytes)
	return &apiSubs{n: n, limits: l, topics: make(map[string]*apiTopic)}
}

// subscribe adds a stream of topic t's messages; cancel removes it.
func (a *apiSubs) subscribe(t string) (<-chan api.Message, func(), error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.streams >= a.limits.MaxStreams {
		return nil, nil, fmt.Errorf("%w: %d topic streams are open, the limit", api.ErrBusy, a.limits.MaxStreams)
	}
	tp := a.topics[t]
	if tp == nil {
		ch, cancel, err := a.n.topic.Subscribe(t)
		if err != nil {
			return nil, nil, topicError(err)
		}
		tp = &apiTopic{name: t, cancel: cancel, subs: make(map[*apiStream]struct{})}
		a.topics[t] = tp
		a.n.subs.Go(func() { a.fanOut(tp, ch) })
	}
	s := &apiStream{a: a, notify: make(chan struct{}, 1), out: make(chan api.Message), quit: make(chan struct{})}
	tp.subs[s] = struct{}{}
	a.streams++
	a.n.subs.Go(s.run)
	cancel := func() {
		a.mu.Lock()
		if _, ok := tp.subs[s]; ok {
			delete(tp.subs, s)
			a.streams--
			if len(tp.subs) == 0 && a.topics[t] == tp {
				delete(a.topics, t)
				tp.cancel() // closes ch: fanOut ends
			}
		}
		a.mu.Unlock()
		s.stop()
	}
	return s.out, cancel, nil
}

// fanOut makes each delivery of tp into one shared message and queues it
// for every stream of tp. It ends when the topic service closes ch (the
// last stream left, or the node stops), and then ends the streams.
func (a *apiSubs) fanOut(tp *apiTopic, ch <-chan topic.Delivery) {
	for d := range ch {
		m := api.Shared(api.Message{Origin: d.Origin.String(), Topic: d.Topic, Payload: d.Payload, Received: time.Now()})
		a.mu.Lock()
		for s := range tp.subs {
			a.push(s, m)
		}
		a.mu.Unlock()
	}
	a.mu.Lock()
	for s := range tp.subs {
		delete(tp.subs, s)
		a.streams--
		s.stop()
	}
	if a.topics[tp.name] == tp {
		delete(a.topics, tp.name)
	}
	a.mu.Unlock()
}

func msgBytes(m api.Message) int64 { return int64(len(m.Payload)) + apiMsgOverhead }

// dropOldest drops s's oldest queued message, if any, and reports whether
// it did.
func (s *apiStream) dropOldest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.q) == 0 {
		return false
	}
	old := msgBytes(s.q[0])
	s.q[0] = api.Message{}
	s.q = s.q[1:]
	s.bytes -= old
	s.a.used.Add(-old)
	return true
}

// fullest returns the stream holding the most queued bytes. Called with
// a.mu held.
func (a *apiSubs) fullest() *apiStream {
	var best *apiStream
	var most int64 = -1
	for _, tp := range a.topics {
		for s := range tp.subs {
			s.mu.Lock()
			b, queued := s.bytes, len(s.q) > 0
			s.mu.Unlock()
			if queued && b > most {
				best, most = s, b
			}
		}
	}
	return best
}

// push queues m for s, first making room: s's own oldest messages while s
// would be over its budget, then the fullest stream's oldest while all
// streams would be over theirs. Called with a.mu held.
func (a *apiSubs) push(s *apiStream, m api.Message) {
	size := msgBytes(m)
	dropped := 0
	for {
		s.mu.Lock()
		over := s.bytes+size > a.limits.StreamBytes
		s.mu.Unlock()
		if !over || !s.dropOldest() {
			break
		}
		dropped++
	}
	for a.used.Load()+size > a.limits.BudgetBytes {
		f := a.fullest()
		if f == nil || !f.dropOldest() {
			break
		}
		dropped++
	}
	s.mu.Lock()
	if s.bytes+size > a.limits.StreamBytes || a.used.Load()+size > a.limits.BudgetBytes {
		dropped++ // only messages being handed over hold the budget: m waits for none
	} else {
		s.q = append(s.q, m)
		s.bytes += size
		a.used.Add(size)
	}
	s.mu.Unlock()
	if dropped > 0 {
		a.n.apiDropped.Add(uint64(dropped))
		for range dropped {
			a.n.metrics.Dropped("api subscriber")
		}
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// run hands the queued messages to the reader, oldest first. The message
// being handed over stays counted until the reader takes it.
func (s *apiStream) run() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.q) == 0 {
			s.mu.Unlock()
			select {
			case <-s.notify:
				continue
			case <-s.quit:
				return
			}
		}
		m := s.q[0]
		s.q[0] = api.Message{}
		s.q = s.q[1:]
		s.mu.Unlock()
		sent := false
		select {
		case s.out <- m:
			sent = true
		case <-s.quit:
		}
		size := msgBytes(m)
		s.mu.Lock()
		s.bytes -= size
		s.mu.Unlock()
		s.a.used.Add(-size)
		if !sent {
			s.release()
			return
		}
	}
}

// release gives back the budget of whatever is still queued.
func (s *apiStream) release() {
	s.mu.Lock()
	s.a.used.Add(-s.bytes)
	s.bytes, s.q = 0, nil
	s.mu.Unlock()
}

func (s *apiStream) stop() { s.quitOnce.Do(func() { close(s.quit) }) }

// queuedBytes is what the API's streams hold, for the metrics.
func (a *apiSubs) queuedBytes() int64 { return a.used.Load() }
