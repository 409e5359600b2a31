package topic

import (
	"crypto"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/status"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
)

// services are a node's status and topic services, wired as the node
// assembly wires them.
type services struct {
	st *status.Service
	tp *Service
}

func newServices(t *testing.T, signer originsig.Signer, policy originsig.Policy) services {
	t.Helper()
	st, err := status.New(status.Config{Signer: signer, Signatures: policy, Interval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := New(Config{Signer: signer, Signatures: policy, Directory: st,
		TopicsChanged: func(ts []string) { st.SetTopics(ts) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tp.Close(); st.Close() })
	return services{st, tp}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func recvWithin(t *testing.T, ch <-chan Delivery, what string) Delivery {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(3 * time.Minute):
		t.Fatalf("no %s", what)
		return Delivery{}
	}
}

// exercise runs the three kinds over a line a - b - c of real transports.
func exercise(t *testing.T, svcs [3]services) {
	a, b, c := svcs[0], svcs[1], svcs[2]
	ch, _, err := c.tp.Subscribe("t")
	if err != nil {
		t.Fatal(err)
	}
	cInbox, _, _ := c.tp.Inbox()
	bInbox, _, _ := b.tp.Inbox()
	waitUntil(t, "a to learn c's topic", func() bool {
		subs := a.st.Subscribers("t")
		return len(subs) == 1 && subs[0] == c.tp.ID()
	})
	if _, err := a.tp.Publish("t", []byte("multicast")); err != nil {
		t.Fatal(err)
	}
	if d := recvWithin(t, ch, "multicast"); string(d.Payload) != "multicast" || d.Origin != a.tp.ID() || d.From != b.tp.ID() {
		t.Fatalf("multicast %+v", d)
	}
	if _, err := a.tp.Send(c.tp.ID(), []byte("unicast")); err != nil {
		t.Fatal(err)
	}
	if d := recvWithin(t, cInbox, "unicast"); string(d.Payload) != "unicast" || d.Kind != Unicast {
		t.Fatalf("unicast %+v", d)
	}
	if _, err := a.tp.Broadcast([]byte("broadcast")); err != nil {
		t.Fatal(err)
	}
	for i, in := range []<-chan Delivery{bInbox, cInbox} {
		if d := recvWithin(t, in, "broadcast"); string(d.Payload) != "broadcast" {
			t.Fatalf("node %d: broadcast %+v", i+1, d)
		}
	}
	// b counts a relay after queueing it, so its writer may deliver first.
	waitUntil(t, "b to count its relays", func() bool {
		st := b.tp.Stats()
		return st.Multicast.Forwarded >= 1 && st.Unicast.Forwarded >= 1 && st.Broadcast.Forwarded >= 1
	})
	if st := b.tp.Stats(); st.Multicast.Forwarded != 1 || st.Unicast.Forwarded != 1 || st.Broadcast.Forwarded != 1 {
		t.Fatalf("relay stats %+v", st)
	}
}

// The protocols run unchanged on p2p/server with RLPx (devnet).
func TestOverRLPx(t *testing.T) {
	var svcs [3]services
	var srvs [3]*server.Server
	for i := range svcs {
		key, err := enode.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		svcs[i] = newServices(t, originsig.NewSecp256k1Signer(key), originsig.Require)
		srv, err := server.New(server.Config{
			PrivateKey: key,
			ListenAddr: "127.0.0.1:0",
			NoDial:     i == 0,
			Protocols:  []server.Protocol{svcs[i].st.Protocol(), svcs[i].tp.Protocol()},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Stop)
		srvs[i] = srv
	}
	// b dials a, c dials b.
	for i := 1; i < 3; i++ {
		if err := srvs[i].AddPeer(srvs[i-1].Self()); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "the line to connect", func() bool {
		return srvs[1].PeerCount() == 2 && svcs[1].tp.Stats().Peers == 2
	})
	exercise(t, svcs)
}

// The protocols run unchanged on the permissioned TLS host, signed with
// the certificates' P-256 keys.
func TestOverTLS(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	if _, err := certs.CreateCA(caDir, certs.Options{}); err != nil {
		t.Fatal(err)
	}
	var (
		svcs  [3]services
		dirs  [3]string
		hosts [3]*tlsconn.Host
	)
	for i := range svcs {
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprint("node", i))
		n, err := certs.CreateNode(caDir, dirs[i], certs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := originsig.NewCertSigner(n.Certificate.PrivateKey.(crypto.Signer))
		if err != nil {
			t.Fatal(err)
		}
		if signer.ID() != n.ID {
			t.Fatalf("signer ID %v, certificate's %v", signer.ID(), n.ID)
		}
		svcs[i] = newServices(t, signer, originsig.Optional)
	}
	for i := range hosts {
		var peers []peerlist.Peer
		if i > 0 {
			peers = []peerlist.Peer{{Addr: hosts[i-1].Addr().String(), ID: svcs[i-1].tp.ID()}}
		}
		h, err := tlsconn.NewHost(tlsconn.HostConfig{
			CertsDir:   dirs[i],
			ListenAddr: "127.0.0.1:0",
			Peers:      peers,
			Protocols:  []tlsconn.Protocol{svcs[i].st.TLSProtocol(), svcs[i].tp.TLSProtocol()},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		if _, ok := h.Addr().(*net.TCPAddr); !ok {
			t.Fatal("no listener")
		}
		hosts[i] = h
	}
	waitUntil(t, "the line to connect", func() bool { return svcs[1].tp.Stats().Peers == 2 })
	exercise(t, svcs)
}
