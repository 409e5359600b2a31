package discover

import (
	"context"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// RandomNodes returns an iterator over nodes found by successive lookups of
// random targets, for the dial scheduler: each candidate is a node's TCP
// endpoint, its ID, and the *enode.Node (which carries the public key RLPx
// needs).
//
// With Config.Network set, only nodes whose record names that network are
// yielded. A node's record comes from the table or the database when a
// signed one is known, otherwise from an ENRRequest (at most
// ENRFetchWorkers at once); nodes whose record cannot be had are skipped.
// Lookups run at most once per LookupInterval, and only as fast as the
// candidates are taken: the iterator never runs ahead of the dialer by
// more than ENRFetchWorkers candidates.
func (t *UDPv4) RandomNodes() dial.Iterator {
	ctx, cancel := t.withClose(context.Background())
	it := &lookupIterator{t: t, ctx: ctx, cancel: cancel, ch: make(chan dial.Candidate)}
	if !t.spawn(it.run) {
		cancel()
	}
	return it
}

type lookupIterator struct {
	t      *UDPv4
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan dial.Candidate
	cur    dial.Candidate
}

var _ dial.Iterator = (*lookupIterator)(nil)

// Next implements dial.Iterator.
func (it *lookupIterator) Next() bool {
	if it.ctx.Err() != nil { // after Close, never yield again
		return false
	}
	select {
	case c := <-it.ch:
		it.cur = c
		return true
	case <-it.ctx.Done():
		return false
	}
}

// Candidate implements dial.Iterator.
func (it *lookupIterator) Candidate() dial.Candidate { return it.cur }

// Close implements dial.Iterator.
func (it *lookupIterator) Close() { it.cancel() }

func (it *lookupIterator) run() {
	t := it.t
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, t.cfg.ENRFetchWorkers)
	var last time.Time
	for it.ctx.Err() == nil {
		if wait := last.Add(t.cfg.LookupInterval).Sub(t.now()); !last.IsZero() && wait > 0 {
			timer := t.clock.NewTimer(wait)
			select {
			case <-timer.C():
			case <-it.ctx.Done():
				timer.Stop()
				return
			}
		}
		last = t.now()
		for _, n := range t.lookup(it.ctx, randomTarget(), true) {
			select {
			case sem <- struct{}{}:
			case <-it.ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				if c, ok := it.candidate(n); ok {
					select {
					case it.ch <- c:
					case <-it.ctx.Done():
					}
				}
			}()
		}
	}
}

// candidate turns a lookup result into a dial candidate, or reports that
// it is not one.
func (it *lookupIterator) candidate(n *enode.Node) (dial.Candidate, bool) {
	t := it.t
	if n.ID() == t.selfID {
		return dial.Candidate{}, false
	}
	if t.cfg.Network != "" {
		rn := t.knownRecord(n)
		if rn == nil {
			var err error
			if rn, err = t.requestENR(it.ctx, n); err != nil {
				return dial.Candidate{}, false
			}
			t.tab.updateRecord(rn)
			t.db.UpdateNode(rn)
		}
		if nw, ok := rn.Network(); !ok || nw != t.cfg.Network {
			return dial.Candidate{}, false
		}
		n = rn
	}
	addr, ok := n.TCPEndpoint()
	if !ok {
		return dial.Candidate{}, false
	}
	return dial.Candidate{ID: n.ID(), Addr: addr, Node: n}, true
}

// knownRecord returns a signed record of n held in the table or the
// database, or nil.
func (t *UDPv4) knownRecord(n *enode.Node) *enode.Node {
	if n.Record().Signed() {
		return n
	}
	if tn := t.tab.getNode(n.ID()); tn != nil && tn.Record().Signed() {
		return tn
	}
	if dn := t.db.Node(n.ID()); dn != nil && dn.Record().Signed() {
		return dn
	}
	return nil
}
