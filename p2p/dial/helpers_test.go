package dial

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func cand(s string) Candidate { return Candidate{Addr: ap(s)} }

func testID(n byte) [32]byte {
	var id [32]byte
	id[0], id[31] = n, 0xee
	return id
}

func idCand(n byte, s string) Candidate { return Candidate{ID: testID(n), Addr: ap(s)} }

// genIter yields an endless stream of distinct candidates on one IP, with
// increasing ports. It never blocks.
type genIter struct {
	ip     netip.Addr
	n      uint16
	cur    Candidate
	closed chan struct{}
	once   sync.Once
}

func newGenIter(ip string) *genIter {
	return &genIter{ip: netip.MustParseAddr(ip), closed: make(chan struct{})}
}

func (g *genIter) Next() bool {
	select {
	case <-g.closed:
		return false
	default:
	}
	g.n++
	g.cur = Candidate{Addr: netip.AddrPortFrom(g.ip, 1000+g.n)}
	return true
}
func (g *genIter) Candidate() Candidate { return g.cur }
func (g *genIter) Close()               { g.once.Do(func() { close(g.closed) }) }

type dialRecord struct {
	c  Candidate
	at time.Time
}

// fakeDialer stands in for TCP and the handshakes: nothing is dialled. A
// successful dial adds the peer to the scheduler, as a transport would.
type fakeDialer struct {
	ready chan struct{} // closed once s is set

	mu        sync.Mutex // guards everything below
	s         *Scheduler
	dials     []dialRecord
	active    int
	maxActive int
	delay     time.Duration // before the outcome
	block     bool          // block until the scheduler closes
	failAll   error
	fail      map[netip.AddrPort]error
	failEvery int // every n-th dial fails
	added     int // peers this dialer added
}

func newFake() *fakeDialer {
	return &fakeDialer{ready: make(chan struct{}), fail: make(map[netip.AddrPort]error)}
}

func (f *fakeDialer) dial(ctx context.Context, c Candidate) error {
	<-f.ready
	f.mu.Lock()
	f.dials = append(f.dials, dialRecord{c, time.Now()})
	n := len(f.dials)
	f.active++
	f.maxActive = max(f.maxActive, f.active)
	delay, block, s := f.delay, f.block, f.s
	err := f.failAll
	if e := f.fail[c.Addr]; e != nil {
		err = e
	}
	if f.failEvery > 0 && n%f.failEvery == 0 {
		err = errTestDial
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.active--
		f.mu.Unlock()
	}()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	if err := s.AddPeer(Peer{ID: c.ID, Addr: c.Addr}); err != nil {
		return err
	}
	f.mu.Lock()
	f.added++
	f.mu.Unlock()
	return nil
}

type testErr string

func (e testErr) Error() string { return string(e) }

const errTestDial = testErr("connection refused")

func (f *fakeDialer) dialed() []dialRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]dialRecord(nil), f.dials...)
}

func (f *fakeDialer) dialedAddrs() []netip.AddrPort {
	var out []netip.AddrPort
	for _, d := range f.dialed() {
		out = append(out, d.c.Addr)
	}
	return out
}

func (f *fakeDialer) set(fn func(f *fakeDialer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// newSched starts a scheduler dialling through f and closes it when the test
// ends.
func newSched(t *testing.T, cfg Config, f *fakeDialer, it Iterator) *Scheduler {
	t.Helper()
	if f != nil {
		cfg.Dial = f.dial
	}
	s, err := New(cfg, it)
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		f.mu.Lock()
		f.s = s
		f.mu.Unlock()
		close(f.ready)
	}
	t.Cleanup(s.Close)
	return s
}

// feed offers candidates to a scheduler through a ChanIter.
type feed struct {
	ch chan Candidate
	it *ChanIter
}

func newFeed() *feed {
	ch := make(chan Candidate)
	return &feed{ch: ch, it: NewChanIter(ch)}
}

// send hands the candidates to the scheduler one by one and waits until it
// has dealt with them. Only for schedulers with free dial slots: otherwise
// the last candidate stays in readCandidates, as it would in production.
func (fd *feed) send(cs ...Candidate) {
	for _, c := range cs {
		fd.ch <- c
	}
	synctest.Wait()
}
