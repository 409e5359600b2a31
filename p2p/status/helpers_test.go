package status

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
)

// The in-memory pipe of p2ptest, under the names these tests use.
var (
	errPipeClosed = p2ptest.ErrPipeClosed
	msgPipe       = p2ptest.MsgPipe
)

type pipeEnd = p2ptest.PipeEnd

// testNet is N status services joined by pipes.
type testNet struct {
	t     testing.TB
	nodes []*Service
	links map[[2]int]*link
	wg    sync.WaitGroup
}

type link struct {
	a, b       *pipeEnd
	mu         sync.Mutex
	errA, errB error
}

func (l *link) errs() (error, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errA, l.errB
}

func newTestKey(t testing.TB) originsig.Signer {
	t.Helper()
	k, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return originsig.NewSecp256k1Signer(k)
}

// newTestNet starts n services; cfg is the template (its Signer is
// replaced per node unless the policy is Optional and Signer is nil).
func newTestNet(t testing.TB, n int, cfg Config) *testNet {
	t.Helper()
	tn := &testNet{t: t, links: map[[2]int]*link{}}
	for i := range n {
		c := cfg
		if cfg.Signer == nil && cfg.Signatures == originsig.Optional {
			c.ID = enode.ID{byte(i >> 8), byte(i), 0xee}
		} else {
			c.Signer = newTestKey(t)
		}
		s, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		tn.nodes = append(tn.nodes, s)
	}
	t.Cleanup(tn.close)
	return tn
}

// connect joins nodes i and j.
func (tn *testNet) connect(i, j int) *link {
	a, b := msgPipe(64)
	l := &link{a: a, b: b}
	tn.links[[2]int{i, j}] = l
	tn.wg.Add(2)
	run := func(s *Service, peer enode.ID, e *pipeEnd, res *error) {
		defer tn.wg.Done()
		err := s.Run(peer, e, func(error) { e.Close() })
		e.Close()
		l.mu.Lock()
		*res = err
		l.mu.Unlock()
	}
	go run(tn.nodes[i], tn.nodes[j].ID(), a, &l.errA)
	go run(tn.nodes[j], tn.nodes[i].ID(), b, &l.errB)
	return l
}

func (tn *testNet) disconnect(i, j int) {
	if l := tn.links[[2]int{i, j}]; l != nil {
		l.a.Close()
	}
	if l := tn.links[[2]int{j, i}]; l != nil {
		l.a.Close()
	}
}

func (tn *testNet) close() {
	for _, s := range tn.nodes {
		s.Close()
	}
	for _, l := range tn.links {
		l.a.Close()
	}
	tn.wg.Wait()
}

func (tn *testNet) line() {
	for i := 1; i < len(tn.nodes); i++ {
		tn.connect(i-1, i)
	}
}

func (tn *testNet) ring() {
	tn.line()
	tn.connect(len(tn.nodes)-1, 0)
}

// random joins every node to the one before it (so the graph is
// connected) and adds extra random links.
func (tn *testNet) random(seed uint64, extra int) {
	r := rand.New(rand.NewPCG(seed, 1))
	for i := 1; i < len(tn.nodes); i++ {
		tn.connect(r.IntN(i), i)
	}
	for added := 0; added < extra; {
		i, j := r.IntN(len(tn.nodes)), r.IntN(len(tn.nodes))
		if i == j || tn.links[[2]int{i, j}] != nil || tn.links[[2]int{j, i}] != nil {
			continue
		}
		tn.connect(i, j)
		added++
	}
}

// rawPeer is a hand-driven peer of one service, for protocol tests.
type rawPeer struct {
	end  *pipeEnd
	done chan error
}

func newRawPeer(s *Service, id enode.ID) *rawPeer {
	a, b := msgPipe(64)
	rp := &rawPeer{end: b, done: make(chan error, 1)}
	go func() {
		err := s.Run(id, a, func(error) { a.Close() })
		a.Close()
		rp.done <- err
	}()
	return rp
}

func (rp *rawPeer) send(t testing.TB, code uint64, payload []byte) {
	t.Helper()
	if err := rp.end.WriteMsg(p2p.Msg{Code: code, Payload: payload}); err != nil {
		t.Fatalf("send code %d: %v", code, err)
	}
}

// next returns the next message of the given code, skipping others.
func (rp *rawPeer) next(t testing.TB, code uint64) p2p.Msg {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case m := <-rp.end.C():
			if m.Code == code {
				return m
			}
		case <-timeout:
			t.Fatalf("no message of code %d", code)
		}
	}
}

// result waits for Run to end.
func (rp *rawPeer) result(t testing.TB) error {
	t.Helper()
	select {
	case err := <-rp.done:
		return err
	case <-time.After(time.Hour):
		t.Fatal("Run did not end")
		return nil
	}
}
