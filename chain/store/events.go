package store

import (
	"slices"

	"github.com/ledgernet/ledgernet/wire"
)

// EventKind tells what happened to the connected chain.
type EventKind uint8

const (
	// EventBlockConnected: a block was connected (Block is set).
	EventBlockConnected EventKind = iota + 1
	// EventBlockDisconnected: a block was disconnected in a
	// reorganisation (Block is set); its transactions are no longer
	// confirmed.
	EventBlockDisconnected
	// EventTipChanged: the connected tip moved; sent once after the blocks
	// of a call were connected and disconnected.
	EventTipChanged
)

func (k EventKind) String() string {
	switch k {
	case EventBlockConnected:
		return "connected"
	case EventBlockDisconnected:
		return "disconnected"
	case EventTipChanged:
		return "tip"
	}
	return "unknown"
}

// Event reports a change of the connected chain, after it was committed to
// the database.
type Event struct {
	Kind   EventKind
	Hash   wire.Hash
	Height int32
	// Block is the block connected or disconnected; nil for
	// EventTipChanged. It is shared by every subscriber: do not modify it.
	Block *wire.MsgBlock
}

// Subscribe registers fn to receive every event, in commit order, and
// returns a function that unregisters it. fn runs synchronously on the
// goroutine that called ProcessBlocks (or Open), with no store lock held:
// it may call any read method of the store but must not call
// ProcessBlock(s), whose own events would wait for the delivery in
// progress. A slow fn delays that caller; hand work to a goroutine or a
// bounded queue if it may be slow.
func (s *Store) Subscribe(fn func(Event)) (cancel func()) {
	s.subsMu.Lock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	s.subsMu.Unlock()
	return func() {
		s.subsMu.Lock()
		delete(s.subs, id)
		s.subsMu.Unlock()
	}
}

// deliverAndUnlock releases mu and delivers the queued events, after the
// batches committed before them. It never waits for a delivery while
// holding mu: a subscriber may be blocked on something (a mempool lock) that
// a store reader holds while it waits for mu.
func (s *Store) deliverAndUnlock() {
	evs := s.events
	s.events = nil
	if len(evs) == 0 {
		s.mu.Unlock()
		return
	}
	ticket := s.ticket
	s.ticket++
	s.mu.Unlock()

	s.notifyMu.Lock()
	for s.served != ticket {
		s.notifyCond.Wait()
	}
	s.notifyMu.Unlock()
	defer func() {
		s.notifyMu.Lock()
		s.served++
		s.notifyCond.Broadcast()
		s.notifyMu.Unlock()
	}()

	s.subsMu.Lock()
	ids := make([]int, 0, len(s.subs))
	for id := range s.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	fns := make([]func(Event), len(ids))
	for i, id := range ids {
		fns[i] = s.subs[id]
	}
	s.subsMu.Unlock()
	for _, ev := range evs {
		for _, fn := range fns {
			fn(ev)
		}
	}
}
