package addrmgr

import (
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p/dial"
)

// Iterator tuning (btcd's address selection for outbound peers).
const (
	iterRetry        = 5 * time.Second // wait when nothing is available
	iterRecentGroups = 8               // groups of the last candidates avoided
	iterPortTries    = 50              // draws that skip non-default ports
)

// Iterator adapts a Manager to dial.Iterator: each Next selects an address
// (Select's odds), never one handed out in the last ten minutes, and for
// the first draws none in a group among the last few handed out or on
// another port than the network's. The dialler records the attempt itself (Attempt),
// since the scheduler may drop a candidate without dialling it. Next blocks while nothing is
// available until an address is added, a retry interval passes or Close.
type Iterator struct {
	m      *Manager
	cur    dial.Candidate
	groups []string // groups of the last candidates, newest last
	// yielded remembers when each address was handed out; only Next's
	// goroutine touches it.
	yielded map[netip.AddrPort]time.Time

	closeOnce sync.Once
	closed    chan struct{}
}

var _ dial.Iterator = (*Iterator)(nil)

// Iterator returns a new iterator over the manager's addresses.
func (m *Manager) Iterator() *Iterator {
	return &Iterator{m: m, yielded: make(map[netip.AddrPort]time.Time), closed: make(chan struct{})}
}

// Next implements dial.Iterator.
func (it *Iterator) Next() bool {
	for {
		select {
		case <-it.closed:
			return false
		default:
		}
		changed := it.m.changedCh()
		if ka, ok := it.pick(); ok {
			it.cur = dial.Candidate{Addr: ka.Addr, Node: ka}
			return true
		}
		t := it.m.cfg.Clock.NewTimer(iterRetry)
		select {
		case <-it.closed:
			t.Stop()
			return false
		case <-changed:
			t.Stop()
		case <-t.C():
		}
	}
}

func (it *Iterator) pick() (KnownAddress, bool) {
	m := it.m
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	for ap, at := range it.yielded {
		if now.Sub(at) > recentTry {
			delete(it.yielded, ap)
		}
	}
	tries := 0
	e := m.selectLocked(false, func(e *entry) bool {
		tries++
		if _, ok := it.yielded[e.Addr]; ok {
			return true
		}
		if tries < iterPortTries && m.cfg.DefaultPort != 0 && e.Addr.Port() != m.cfg.DefaultPort {
			return true
		}
		return tries < iterPortTries && slices.Contains(it.groups, Group(e.Addr.Addr()))
	})
	if e == nil {
		return KnownAddress{}, false
	}
	it.yielded[e.Addr] = now
	it.groups = append(it.groups, Group(e.Addr.Addr()))
	if len(it.groups) > iterRecentGroups {
		it.groups = it.groups[1:]
	}
	return e.KnownAddress, true
}

// Candidate implements dial.Iterator. Node holds the KnownAddress.
func (it *Iterator) Candidate() dial.Candidate { return it.cur }

// Close implements dial.Iterator.
func (it *Iterator) Close() { it.closeOnce.Do(func() { close(it.closed) }) }
