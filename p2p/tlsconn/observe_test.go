package tlsconn

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
)

// recorder is a p2p.Observer that records every event as a line of text.
type recorder struct {
	mu     sync.Mutex // guards events
	events []string
}

var _ p2p.Observer = (*recorder)(nil)

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) PeerConnected(inbound bool, tr string) { r.add("connected %v %s", inbound, tr) }
func (r *recorder) PeerDisconnected(inbound bool, tr string) {
	r.add("disconnected %v %s", inbound, tr)
}
func (r *recorder) HandshakeFailed(tr, reason string)  { r.add("handshake failed %s: %s", tr, reason) }
func (r *recorder) MsgIn(proto, cmd string, size int)  { r.add("in %s %s %d", proto, cmd, size) }
func (r *recorder) MsgOut(proto, cmd string, size int) { r.add("out %s %s %d", proto, cmd, size) }
func (r *recorder) Dropped(queue string)               { r.add("dropped %s", queue) }
func (r *recorder) Banned(reason string)               { r.add("banned %s", reason) }

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) count(ev string) int {
	n := 0
	for _, e := range r.list() {
		if e == ev {
			n++
		}
	}
	return n
}

func (r *recorder) hasAll(want ...string) bool {
	got := r.list()
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// TestHostObserver: a Host reports its peers' arrival and departure, the
// hello protocol's messages both ways, and a refusal with its reason.
func TestHostObserver(t *testing.T) {
	ca := newTestCA(t)
	_, dirA := ca.node(t, certs.Options{})
	_, dirB := ca.node(t, certs.Options{})
	_, dirC := ca.node(t, certs.Options{})
	obsA, obsB, obsC := &recorder{}, &recorder{}, &recorder{}
	b := startHost(t, dirB, "", nil, func(c *HostConfig) { c.Observer = obsB })
	a := startHost(t, dirA, "", []peerlist.Peer{b.entry(true)}, func(c *HostConfig) { c.Observer = obsA })
	// C lists B under another ID: its certificate does not match.
	startHost(t, dirC, "", []peerlist.Peer{{Addr: b.Addr().String(), ID: enode.ID{1, 2, 3}}},
		func(c *HostConfig) { c.Observer = obsC })

	waitFor(t, 10*time.Second, "hello exchanged", func() bool {
		return obsA.hasAll("connected false tls", "out hello hello 32", "in hello hello 32") &&
			obsB.hasAll("connected true tls", "out hello hello 32", "in hello hello 32") &&
			obsC.count("handshake failed tls: unexpected node ID") > 0
	})
	b.Close()
	waitFor(t, 10*time.Second, "disconnections", func() bool {
		return obsA.count("disconnected false tls") == 1 && obsB.count("disconnected true tls") == 1
	})
	a.Close()
	if n := obsA.count("connected false tls"); n != 1 {
		t.Errorf("a connected %d times: %q", n, obsA.list())
	}
}

// TestObserverUnknownCommand: a Conn reports the messages it skips because
// no shared protocol has their command.
func TestObserverUnknownCommand(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	obs := &recorder{}
	ta := newTransport(t, na, nil)
	// b's table of the same protocol names code 2 differently: a's "c2"
	// is unknown to b.
	other := ProtocolSpec{Name: testProto.Name, Version: testProto.Version, Commands: []string{"c0", "c1", "zz"}}
	tb := newTransport(t, nb, func(c *Config) { c.Protocols = []ProtocolSpec{other}; c.Observer = obs })
	ca2, cb := connPair(t, ta, tb)
	defer ca2.Close(nil)
	defer cb.Close(nil)
	if err := ca2.WriteMsg(p2p.Msg{Code: 2, Payload: []byte("skipped")}); err != nil {
		t.Fatal(err)
	}
	if err := ca2.WriteMsg(p2p.Msg{Code: 1, Payload: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	msg, err := cb.ReadMsg()
	if err != nil || msg.Code != 1 {
		t.Fatalf("read %+v, %v", msg, err)
	}
	if got := obs.list(); !slices.Equal(got, []string{"dropped unknown command"}) {
		t.Errorf("events %q", got)
	}
}
