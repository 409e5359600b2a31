package topic

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
	"github.com/ledgernet/ledgernet/p2p/status"
)

// The in-memory pipe of p2ptest, under the names these tests use.
var (
	errPipeClosed = p2ptest.ErrPipeClosed
	msgPipe       = p2ptest.MsgPipe
)

type pipeEnd = p2ptest.PipeEnd

// node is one test node: topic over status, as the node assembly wires
// them.
type node struct {
	topic  *Service
	status *status.Service
	inbox  <-chan Delivery
}

type testNet struct {
	t     testing.TB
	nodes []*node
	links map[[2]int]*link
	wg    sync.WaitGroup
}

type link struct {
	status, topic [2]*pipeEnd
	mu            sync.Mutex
	errs          [2]error // topic Run results
}

func (l *link) topicErrs() [2]error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errs
}

type netConfig struct {
	topic  Config
	status status.Config
	// noStatus runs topic without a directory.
	noStatus bool
}

const statusInterval = time.Second

func newTestNet(t testing.TB, n int, nc netConfig) *testNet {
	t.Helper()
	tn := &testNet{t: t, links: map[[2]int]*link{}}
	for range n {
		var signer originsig.Signer
		if nc.topic.Signatures == originsig.Require || nc.topic.Signer != nil {
			k, err := enode.GenerateKey(nil)
			if err != nil {
				t.Fatal(err)
			}
			signer = originsig.NewSecp256k1Signer(k)
		}
		nd := &node{}
		tc := nc.topic
		tc.Signer = signer
		if signer == nil {
			tc.ID = enode.ID{byte(len(tn.nodes) >> 8), byte(len(tn.nodes)), 0xee}
		}
		if !nc.noStatus {
			sc := nc.status
			sc.Signer, sc.ID, sc.Signatures = signer, tc.ID, tc.Signatures
			if sc.Interval == 0 {
				sc.Interval = statusInterval
			}
			st, err := status.New(sc)
			if err != nil {
				t.Fatal(err)
			}
			nd.status = st
			tc.Directory = st
			tc.TopicsChanged = func(ts []string) { st.SetTopics(ts) }
		}
		tp, err := New(tc)
		if err != nil {
			t.Fatal(err)
		}
		nd.topic = tp
		if nd.inbox, _, err = tp.Inbox(); err != nil {
			t.Fatal(err)
		}
		tn.nodes = append(tn.nodes, nd)
	}
	t.Cleanup(tn.close)
	return tn
}

func (tn *testNet) id(i int) enode.ID { return tn.nodes[i].topic.ID() }

func (tn *testNet) connect(i, j int) *link { return tn.connectSlow(i, j, 0) }

// slowWriter delays every write: a slow link in one direction.
type slowWriter struct {
	*pipeEnd
	d time.Duration
}

func (w slowWriter) WriteMsg(m p2p.Msg) error {
	time.Sleep(w.d)
	return w.pipeEnd.WriteMsg(m)
}

// connectSlow joins i and j; i's messages to j take d each.
func (tn *testNet) connectSlow(i, j int, d time.Duration) *link {
	l := &link{}
	tn.links[[2]int{i, j}] = l
	a, b := msgPipe(256)
	l.topic = [2]*pipeEnd{a, b}
	runTopic := func(k int, s *Service, peer enode.ID, e *pipeEnd) {
		defer tn.wg.Done()
		var rw p2p.MsgReadWriter = e
		if k == 0 && d > 0 {
			rw = slowWriter{e, d}
		}
		err := s.Run(peer, rw, func(error) { e.Close() })
		e.Close()
		l.mu.Lock()
		l.errs[k] = err
		l.mu.Unlock()
	}
	tn.wg.Add(2)
	go runTopic(0, tn.nodes[i].topic, tn.id(j), a)
	go runTopic(1, tn.nodes[j].topic, tn.id(i), b)
	if tn.nodes[i].status != nil {
		sa, sb := msgPipe(64)
		l.status = [2]*pipeEnd{sa, sb}
		runStatus := func(s *status.Service, peer enode.ID, e *pipeEnd) {
			defer tn.wg.Done()
			s.Run(peer, e, func(error) { e.Close() })
			e.Close()
		}
		tn.wg.Add(2)
		go runStatus(tn.nodes[i].status, tn.id(j), sa)
		go runStatus(tn.nodes[j].status, tn.id(i), sb)
	}
	return l
}

func (tn *testNet) close() {
	for _, nd := range tn.nodes {
		nd.topic.Close()
		if nd.status != nil {
			nd.status.Close()
		}
	}
	for _, l := range tn.links {
		l.topic[0].Close()
		if l.status[0] != nil {
			l.status[0].Close()
		}
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

// random links each node to one before it (connected) plus extra links.
func (tn *testNet) random(seed uint64, extra int) {
	r := rand.New(rand.NewPCG(seed, 2))
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

// drain returns what is waiting in ch.
func drain(ch <-chan Delivery) []Delivery {
	var out []Delivery
	for {
		select {
		case d, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, d)
		default:
			return out
		}
	}
}

func (tn *testNet) totals() Stats {
	var t Stats
	for _, nd := range tn.nodes {
		s := nd.topic.Stats()
		for _, k := range []struct{ dst, src *KindStats }{{&t.Unicast, &s.Unicast}, {&t.Multicast, &s.Multicast}, {&t.Broadcast, &s.Broadcast}} {
			k.dst.Sent += k.src.Sent
			k.dst.Received += k.src.Received
			k.dst.Duplicates += k.src.Duplicates
			k.dst.Delivered += k.src.Delivered
			k.dst.Forwarded += k.src.Forwarded
			k.dst.Improved += k.src.Improved
		}
		t.PeerQueueFull += s.PeerQueueFull
		t.SubscriberFull += s.SubscriberFull
		t.RateLimited += s.RateLimited
		t.BadSignature += s.BadSignature
		t.HopLimit += s.HopLimit
	}
	return t
}

// rawPeer is a hand-driven peer of one service.
type rawPeer struct {
	end  *pipeEnd
	done chan error
}

func newRawPeer(s *Service, id enode.ID) *rawPeer {
	a, b := msgPipe(256)
	rp := &rawPeer{end: b, done: make(chan error, 1)}
	go func() {
		err := s.Run(id, a, func(error) { a.Close() })
		a.Close()
		rp.done <- err
	}()
	return rp
}

func (rp *rawPeer) send(t testing.TB, payload []byte) {
	t.Helper()
	if err := rp.end.WriteMsg(p2p.Msg{Code: TopicMsg, Payload: payload}); err != nil {
		t.Fatalf("send: %v", err)
	}
}

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

func (tn *testNet) disconnect(i, j int) {
	for _, k := range [][2]int{{i, j}, {j, i}} {
		if l := tn.links[k]; l != nil {
			l.topic[0].Close()
			if l.status[0] != nil {
				l.status[0].Close()
			}
		}
	}
}
