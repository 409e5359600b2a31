package tlsconn

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
)

var helloSpec = ProtocolSpec{Name: "hello", Version: 1, Commands: []string{"hello", "data"}}

// startServer runs a p2p/server Server with this transport; candidates are
// dialled once each (the server has no static list for non-devp2p IDs yet).
func startServer(t *testing.T, n *certs.Node, rec *helloRecorder, cands []dial.Candidate) *server.Server {
	t.Helper()
	tr := newTransport(t, n, func(c *Config) {
		c.Protocols = []ProtocolSpec{helloSpec}
		c.Logger = testLogger(t)
	})
	hello := helloProto(n.ID, rec)
	var disc dial.Iterator
	if len(cands) > 0 {
		disc = dial.NewSliceIter(cands)
	}
	srv, err := server.New(server.Config{
		Transport:    tr,
		ListenAddr:   "127.0.0.1:0",
		Protocols:    []server.Protocol{ServerProtocol(helloSpec, func(p *server.Peer, rw p2p.MsgReadWriter) error { return hello.Run(nil, rw) })},
		Discovery:    disc,
		PingInterval: 100 * time.Millisecond,
		ReadTimeout:  time.Second,
		Logger:       testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func addrPort(a net.Addr) netip.AddrPort { return a.(*net.TCPAddr).AddrPort() }

// TestServerTransport runs the transport inside p2p/server: sessions,
// capability matching and multiplexing by the server, liveness by the
// server's keepalive through the Conn's Keepalive methods.
func TestServerTransport(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	nc, _ := ca.node(t, certs.Options{})
	recA, recB, recC := &helloRecorder{}, &helloRecorder{}, &helloRecorder{}
	b := startServer(t, nb, recB, nil)
	c := startServer(t, nc, recC, nil)
	a := startServer(t, na, recA, []dial.Candidate{
		{ID: nb.ID, Addr: addrPort(b.ListenAddr())}, // pinned ID
		{Addr: addrPort(c.ListenAddr())},            // address only
	})
	waitFor(t, time.Minute, "a connected to b and c", func() bool {
		return a.PeerCount() == 2 && b.PeerCount() == 1 && c.PeerCount() == 1 &&
			recA.count(nb.ID) == 1 && recA.count(nc.ID) == 1 && recB.count(na.ID) == 1 && recC.count(na.ID) == 1
	})
	for _, p := range a.Peers() {
		if p.Transport != "tls" || p.Name != DefaultUserAgent || len(p.Running) != 1 || p.Running[0].Offset != 0 {
			t.Errorf("peer info %+v", p)
		}
	}
	// Idle for several read timeouts: the server's pings keep the links.
	time.Sleep(1500 * time.Millisecond)
	if a.PeerCount() != 2 || a.Stats().PeersDropped != 0 {
		t.Fatalf("idle links dropped: %+v", a.Stats())
	}
}

// TestServerTransportRefusal: a revoked node dialled through the server is
// refused by the transport, with the reason counted.
func TestServerTransportRefusal(t *testing.T) {
	ca := newTestCA(t)
	_, dirA := ca.node(t, certs.Options{})
	_, dirB := ca.node(t, certs.Options{})
	ca.revoke(t, dirB, dirA)
	nb, err := certs.LoadNode(dirB)
	if err != nil {
		t.Fatal(err)
	}
	na, err := certs.LoadNode(dirA)
	if err != nil {
		t.Fatal(err)
	}
	b := startServer(t, nb, nil, nil)
	trObs, srvObs := &recorder{}, &recorder{}
	tr := newTransport(t, na, func(c *Config) { c.Protocols = []ProtocolSpec{helloSpec}; c.Observer = trObs })
	srv, err := server.New(server.Config{
		Observer:   srvObs,
		Transport:  tr,
		Protocols:  []server.Protocol{ServerProtocol(helloSpec, func(*server.Peer, p2p.MsgReadWriter) error { return nil })},
		Discovery:  dial.NewSliceIter([]dial.Candidate{{ID: enode.ID(nb.ID), Addr: addrPort(b.ListenAddr())}}),
		Logger:     testLogger(t),
		ListenAddr: "",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	// The transport counts the refusal inside the handshake, the server
	// once the handshake has returned.
	waitFor(t, time.Minute, "the refusal", func() bool {
		return tr.Stats().Refused[ReasonRevoked].Outbound == 1 && srv.Stats().HandshakeErrors >= 1
	})
	if srv.PeerCount() != 0 || srv.Stats().HandshakeErrors != 1 {
		t.Errorf("server stats %+v", srv.Stats())
	}
	// The server reports the refusal, with the transport's reason; the
	// transport leaves it to the server, so it is not counted twice.
	waitFor(t, time.Minute, "the observed refusal", func() bool { return srvObs.Count("handshake failed tls: revoked") == 1 })
	if ev := trObs.List(); len(ev) != 0 {
		t.Errorf("transport's observer got %q", ev)
	}
}
