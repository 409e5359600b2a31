package server

import (
	"sync"
	"sync/atomic"

	"github.com/ledgernet/ledgernet/p2p"
)

// PeerEventType tells a peer's arrival from its departure.
type PeerEventType uint8

// Peer event types.
const (
	PeerAdded PeerEventType = iota + 1
	PeerDropped
)

func (t PeerEventType) String() string {
	switch t {
	case PeerAdded:
		return "added"
	case PeerDropped:
		return "dropped"
	}
	return "unknown"
}

// PeerEvent reports a peer joining or leaving the peer set. For one peer,
// PeerAdded comes before PeerDropped.
type PeerEvent struct {
	Type PeerEventType
	Peer PeerInfo
	// For PeerDropped: the disconnect reason (sent to the peer, or received
	// from it when Remote is set) and what caused it.
	Reason p2p.DiscReason
	Remote bool
	Err    error
}

// Subscription receives peer events on C until Unsubscribe or the server's
// Stop, which close C. Events are never waited for: when C's buffer is
// full the new event is dropped and counted in Dropped (and in
// Stats.EventsDropped), so a slow subscriber cannot hold up the peers.
type Subscription struct {
	C       <-chan PeerEvent
	ch      chan PeerEvent
	f       *feed
	dropped atomic.Uint64
}

// Dropped returns how many events did not fit in C.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Unsubscribe stops delivery and closes C. It may be called more than once.
func (s *Subscription) Unsubscribe() { s.f.remove(s) }

// feed fans events out to subscriptions.
type feed struct {
	mu     sync.Mutex // guards subs and closed; held while sending, which never blocks
	subs   map[*Subscription]struct{}
	closed bool
	stats  *counters
}

func (f *feed) subscribe(buffer int) *Subscription {
	ch := make(chan PeerEvent, max(buffer, 1))
	s := &Subscription{C: ch, ch: ch, f: f}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(ch)
		return s
	}
	if f.subs == nil {
		f.subs = make(map[*Subscription]struct{})
	}
	f.subs[s] = struct{}{}
	return s
}

func (f *feed) remove(s *Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.subs[s]; ok {
		delete(f.subs, s)
		close(s.ch)
	}
}

func (f *feed) send(ev PeerEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
			f.stats.eventsDropped.Add(1)
		}
	}
}

// close closes every subscription; later subscriptions start closed.
func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		close(s.ch)
	}
	f.subs = nil
}
