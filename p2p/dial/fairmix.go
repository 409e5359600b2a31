package dial

import (
	"sync"
	"time"
)

// DefaultMixTimeout is how long FairMix waits for a source on its turn before
// taking a candidate from any source (the value geth's eth backend uses).
const DefaultMixTimeout = 100 * time.Millisecond

// FairMix merges several iterators into one, giving each source a fair share
// of the candidates without letting a slow source hold up the others.
//
// Every source runs in its own goroutine, which pulls one candidate at a time
// and offers it either on the source's own channel or on a channel shared by
// all sources. Next gives the sources turns in round-robin order: on its turn
// a source has up to its timeout to deliver on its own channel; if it does
// not, Next takes the first candidate any source offers, and the slow
// source's timeout is halved so that a source that is always slow (an empty
// Kademlia table, a DNS tree being fetched) soon costs almost nothing. A
// source's timeout is restored as soon as it delivers. A source that is
// exhausted is dropped; Next keeps blocking for the others, for sources added
// later, or until Close.
//
// Each source goroutine holds at most one candidate, so a mix buffers at most
// one candidate per source.
type FairMix struct {
	timeout time.Duration
	clock   Clock
	fromAny chan mixItem
	quit    chan struct{}
	wg      sync.WaitGroup // source goroutines

	mu      sync.Mutex // guards sources, rr and closed
	sources []*mixSource
	rr      int
	closed  bool

	cur Candidate // belongs to the goroutine calling Next
}

type mixSource struct {
	it   Iterator
	next chan Candidate // closed when the source is exhausted
	// timeout belongs to the goroutine calling Next.
	timeout time.Duration
}

type mixItem struct {
	c   Candidate
	src *mixSource
}

var _ Iterator = (*FairMix)(nil)

// NewFairMix returns an empty mix. timeout is how long a source may take on
// its turn: zero means DefaultMixTimeout, a negative value means never wait
// for a particular source. A nil clock means SystemClock.
func NewFairMix(timeout time.Duration, clock Clock) *FairMix {
	switch {
	case timeout == 0:
		timeout = DefaultMixTimeout
	case timeout < 0:
		timeout = 0
	}
	if clock == nil {
		clock = SystemClock{}
	}
	return &FairMix{
		timeout: timeout,
		clock:   clock,
		fromAny: make(chan mixItem),
		quit:    make(chan struct{}),
	}
}

// AddSource adds a source to the mix; the mix owns it from now on and closes
// it when the mix is closed. Adding to a closed mix closes it at once.
func (m *FairMix) AddSource(it Iterator) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		it.Close()
		return
	}
	s := &mixSource{it: it, next: make(chan Candidate), timeout: m.timeout}
	m.sources = append(m.sources, s)
	m.wg.Add(1) // under mu, before Close can reach wg.Wait
	m.mu.Unlock()
	go m.feed(s)
}

// Close closes every source and waits for their goroutines to end. A
// concurrent Next returns false.
func (m *FairMix) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.quit)
	srcs := m.sources
	m.sources = nil
	m.mu.Unlock()
	for _, s := range srcs {
		s.it.Close()
	}
	m.wg.Wait()
}

// Next implements Iterator.
func (m *FairMix) Next() bool {
	for {
		s, ok := m.pick()
		if !ok {
			return false
		}
		if s == nil {
			return m.nextFromAny()
		}
		t := m.clock.NewTimer(s.timeout)
		select {
		case c, ok := <-s.next:
			t.Stop()
			if !ok {
				m.remove(s)
				continue
			}
			s.timeout = m.timeout
			m.cur = c
			return true
		case <-t.C():
			s.timeout /= 2
			return m.nextFromAny()
		case <-m.quit:
			t.Stop()
			return false
		}
	}
}

// Candidate implements Iterator.
func (m *FairMix) Candidate() Candidate { return m.cur }

// pick returns the source whose turn it is; nil if there is none, and false
// if the mix is closed.
func (m *FairMix) pick() (*mixSource, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false
	}
	if len(m.sources) == 0 {
		return nil, true
	}
	m.rr %= len(m.sources)
	s := m.sources[m.rr]
	m.rr++
	return s, true
}

func (m *FairMix) remove(s *mixSource) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.sources {
		if x == s {
			m.sources = append(m.sources[:i], m.sources[i+1:]...)
			if m.rr > i {
				m.rr--
			}
			return
		}
	}
}

func (m *FairMix) nextFromAny() bool {
	select {
	case it := <-m.fromAny:
		it.src.timeout = m.timeout
		m.cur = it.c
		return true
	case <-m.quit:
		return false
	}
}

// feed pulls from one source and offers each candidate to Next, on the
// source's own channel or the shared one, whichever is read first.
func (m *FairMix) feed(s *mixSource) {
	defer m.wg.Done()
	defer close(s.next)
	defer s.it.Close()
	for s.it.Next() {
		c := s.it.Candidate()
		select {
		case s.next <- c:
		case m.fromAny <- mixItem{c, s}:
		case <-m.quit:
			return
		}
	}
}
