package tlsconn

import (
	"slices"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
)

// recorder records observer events (p2ptest.Recorder).
type recorder = p2ptest.Recorder

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

	waitFor(t, time.Minute, "hello exchanged", func() bool {
		return obsA.HasAll("connected false tls", "out hello hello 32", "in hello hello 32") &&
			obsB.HasAll("connected true tls", "out hello hello 32", "in hello hello 32") &&
			obsC.Count("handshake failed tls: unexpected node ID") > 0
	})
	b.Close()
	waitFor(t, time.Minute, "disconnections", func() bool {
		return obsA.Count("disconnected false tls") == 1 && obsB.Count("disconnected true tls") == 1
	})
	a.Close()
	if n := obsA.Count("connected false tls"); n != 1 {
		t.Errorf("a connected %d times: %q", n, obsA.List())
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
	if got := obs.List(); !slices.Equal(got, []string{"dropped unknown command"}) {
		t.Errorf("events %q", got)
	}
}
