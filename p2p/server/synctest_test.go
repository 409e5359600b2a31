package server

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Tests in this file run servers on an in-memory network inside a
// testing/synctest bubble, so that 15 s pings and 30 s timeouts take no
// real time.

func startPipeServer(t *testing.T, n *pipeNet, ip string, cfg Config) *Server {
	t.Helper()
	cfg.Listener = n.listen(ip)
	cfg.Dialer = n.dialer(ip)
	s := startServer(t, cfg)
	// In a bubble, stop before the bubble ends, not at test cleanup.
	return s
}

// dialPipeClient connects a hand-driven client to srv over n.
func dialPipeClient(t *testing.T, n *pipeNet, srv *Server) *client {
	t.Helper()
	fd, err := n.dialer("10.0.0.99").DialContext(t.Context(), "tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	return handshakeClient(t, fd, srv.Self().Pubkey(), newKey(t))
}

// TestKeepalive: two idle peers stay connected for ten minutes: each side's
// Pings re-arm the other's 30 s idle deadline.
func TestKeepalive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		a := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{idleProtocol()}})
		b := startPipeServer(t, n, "10.0.0.2", Config{Protocols: []Protocol{idleProtocol()}, StaticNodes: []*enode.Node{a.Self()}})
		sub := b.Subscribe(4)
		waitEvent(t, sub, PeerAdded)
		time.Sleep(10 * time.Minute)
		if a.PeerCount() != 1 || b.PeerCount() != 1 {
			t.Fatalf("peers after 10 min idle: %d, %d", a.PeerCount(), b.PeerCount())
		}
		a.Stop()
		b.Stop()
	})
}

// idleProtocol reads and never writes.
func idleProtocol() Protocol {
	return Protocol{Name: "idle", Version: 1, Length: 1, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
		for {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
		}
	}}
}

// TestSilentPeerTimesOut: a peer that reads but never sends anything, not
// even a Pong or a Ping, is dropped 30 s after its last frame, with
// DiscReadTimeout; it received our Pings every 15 s meanwhile.
func TestSilentPeerTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		srv := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{idleProtocol()}})
		sub := srv.Subscribe(4)
		c := dialPipeClient(t, n, srv)
		c.hello(t, []Cap{{Name: "idle", Version: 1}}, nil)
		start := time.Now()
		var frames []string
		for {
			code, data, err := c.read(t)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			frames = append(frames, fmt.Sprintf("%v:%d", time.Since(start), code))
			if code == devp2p.DisconnectMsg {
				if r, _ := devp2p.DecodeDisconnect(data); r != p2p.DiscReadTimeout {
					t.Fatalf("reason %v", r)
				}
				break
			}
		}
		// Pings at 15 s (and maybe at 30 s, as the timers tie), then the
		// Disconnect at 30 s.
		if got := fmt.Sprint(frames); got != "[15s:2 30s:1]" && got != "[15s:2 30s:2 30s:1]" {
			t.Fatalf("client saw %v, want Pings every 15 s, then Disconnect at 30 s", got)
		}
		ev := waitEvent(t, sub, PeerDropped)
		if ev.Reason != p2p.DiscReadTimeout || ev.Remote {
			t.Fatalf("event %+v", ev)
		}
		srv.Stop()
	})
}

// TestPingGetsPong: the server answers the client's Pings, also when its
// own Pings are turned off.
func TestPingGetsPong(t *testing.T) {
	for _, interval := range []time.Duration{0, -1} {
		t.Run(fmt.Sprint(interval), func(t *testing.T) { testPingGetsPong(t, interval) })
	}
}

func testPingGetsPong(t *testing.T, interval time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		srv := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{idleProtocol()}, PingInterval: interval})
		c := dialPipeClient(t, n, srv)
		c.hello(t, []Cap{{Name: "idle", Version: 1}}, nil)
		pongs := 0
		for i := range 6 { // a Ping every 10 s for a minute: alive throughout
			time.Sleep(10 * time.Second)
			c.write(t, devp2p.PingMsg, []byte{0xc0})
			for {
				code, _, err := c.read(t)
				if err != nil {
					t.Fatalf("ping %d: %v", i, err)
				}
				if code == devp2p.PongMsg {
					pongs++
					break
				}
			}
		}
		if pongs != 6 || srv.PeerCount() != 1 {
			t.Fatalf("%d pongs, %d peers", pongs, srv.PeerCount())
		}
		srv.Stop()
	})
}

// TestQueueStall: a protocol that stops reading fills its queue; the reader
// waits QueueTimeout, then drops the peer with DiscSubprotocolError. The
// peer's Pings kept flowing meanwhile.
func TestQueueStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		stuck := Protocol{Name: "stuck", Version: 1, Length: 1, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			<-p.Done()
			return nil
		}}
		srv := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{stuck}, ProtocolQueue: 4})
		sub := srv.Subscribe(4)
		c := dialPipeClient(t, n, srv)
		c.hello(t, []Cap{{Name: "stuck", Version: 1}}, nil)
		go func() {
			for range 5 { // 4 fill the queue, the 5th waits
				if _, err := c.rc.WriteMsg(16, []byte("x")); err != nil {
					return
				}
			}
		}()
		start := time.Now()
		if r := c.expectDisconnect(t); r != p2p.DiscSubprotocolError {
			t.Fatalf("reason %v", r)
		}
		if d := time.Since(start); d != DefaultQueueTimeout {
			t.Fatalf("dropped after %v, want %v", d, DefaultQueueTimeout)
		}
		waitEvent(t, sub, PeerDropped)
		if st := srv.Stats(); st.QueueFull != 1 || st.QueueStalls != 1 {
			t.Fatalf("stats %+v", st)
		}
		srv.Stop()
	})
}

// TestStopDisconnectsAll: Stop tells every peer "quitting" and returns with
// nothing left running (the bubble would not end otherwise).
func TestStopDisconnectsAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		srv := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{idleProtocol()}})
		sub := srv.Subscribe(10)
		var clients []*client
		for range 3 {
			c := dialPipeClient(t, n, srv)
			c.hello(t, []Cap{{Name: "idle", Version: 1}}, nil)
			clients = append(clients, c)
			waitEvent(t, sub, PeerAdded)
		}
		// One more stuck in its handshake.
		fd, err := n.dialer("10.0.0.50").DialContext(t.Context(), "tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer fd.Close()
		done := make(chan struct{})
		go func() { srv.Stop(); close(done) }()
		for i, c := range clients {
			if r := c.expectDisconnect(t); r != p2p.DiscQuitting {
				t.Fatalf("client %d: %v", i, r)
			}
		}
		<-done
		if _, ok := <-sub.C; ok {
			for range sub.C {
			}
		}
	})
}
