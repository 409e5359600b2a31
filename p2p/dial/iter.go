package dial

import (
	"sync"
	"sync/atomic"
)

// Iterator is a stream of dial candidates. It separates discovery sources
// (Kademlia lookups, DNS seeds, addr gossip, static lists) from the
// scheduler, which only pulls from it.
//
// Next and Candidate are called from one goroutine. Close may be called from
// any goroutine, at any time, more than once; it makes a blocked Next return
// false promptly, and every later Next return false.
type Iterator interface {
	// Next moves to the next candidate, blocking until there is one. It
	// returns false when the iterator is exhausted or closed.
	Next() bool
	// Candidate returns the current candidate; valid after Next returned
	// true.
	Candidate() Candidate
	// Close ends the iteration and releases the source's resources.
	Close()
}

// SliceIter yields the candidates of a fixed list once, in order: static
// peers, seed nodes, bootnodes.
type SliceIter struct {
	cs     []Candidate
	i      int
	cur    Candidate
	closed atomic.Bool
}

var _ Iterator = (*SliceIter)(nil)

// NewSliceIter returns an iterator over cs. It does not copy cs; the caller
// must not change it while iterating.
func NewSliceIter(cs []Candidate) *SliceIter {
	return &SliceIter{cs: cs}
}

// Next implements Iterator.
func (it *SliceIter) Next() bool {
	if it.closed.Load() || it.i >= len(it.cs) {
		return false
	}
	it.cur = it.cs[it.i]
	it.i++
	return true
}

// Candidate implements Iterator.
func (it *SliceIter) Candidate() Candidate { return it.cur }

// Close implements Iterator.
func (it *SliceIter) Close() { it.closed.Store(true) }

// ChanIter yields the candidates received on a channel, for sources that
// push rather than pull (Bitcoin addr gossip, an address manager). It ends
// when the channel is closed or the iterator is.
type ChanIter struct {
	ch        <-chan Candidate
	cur       Candidate
	closed    chan struct{}
	closeOnce sync.Once
}

var _ Iterator = (*ChanIter)(nil)

// NewChanIter returns an iterator reading from ch.
func NewChanIter(ch <-chan Candidate) *ChanIter {
	return &ChanIter{ch: ch, closed: make(chan struct{})}
}

// Next implements Iterator.
func (it *ChanIter) Next() bool {
	select {
	case <-it.closed: // checked first: after Close, never yield again
		return false
	default:
	}
	select {
	case c, ok := <-it.ch:
		if !ok {
			return false
		}
		it.cur = c
		return true
	case <-it.closed:
		return false
	}
}

// Candidate implements Iterator.
func (it *ChanIter) Candidate() Candidate { return it.cur }

// Close implements Iterator.
func (it *ChanIter) Close() { it.closeOnce.Do(func() { close(it.closed) }) }

// filterIter is the Iterator returned by Filter.
type filterIter struct {
	Iterator
	keep func(Candidate) bool
}

// Filter returns an iterator that yields only the candidates of it for which
// keep returns true. keep runs on the goroutine calling Next and should be
// fast: a slow keep stalls the source. Closing the result closes it.
func Filter(it Iterator, keep func(Candidate) bool) Iterator {
	return &filterIter{Iterator: it, keep: keep}
}

func (f *filterIter) Next() bool {
	for f.Iterator.Next() {
		if f.keep(f.Iterator.Candidate()) {
			return true
		}
	}
	return false
}
