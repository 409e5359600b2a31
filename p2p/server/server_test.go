package server

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// TestTwoServers: B dials A (static), the toy protocol greets and echoes in
// both directions, Peers describes the connection, and A's Stop tells B
// "quitting".
func TestTwoServers(t *testing.T) {
	gotA, gotB := make(chan toyMsg, 10), make(chan toyMsg, 10)
	a := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 2, gotA)}, ClientName: "server-a"})
	subA := a.Subscribe(10)
	// B subscribes before it starts: its static dial may complete at once.
	b := newServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 2, gotB)}, StaticNodes: []*enode.Node{a.Self()}})
	subB := b.Subscribe(10)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}

	evA, evB := waitEvent(t, subA, PeerAdded), waitEvent(t, subB, PeerAdded)
	if evA.Peer.ID != b.LocalID() || !evA.Peer.Inbound || evB.Peer.ID != a.LocalID() || evB.Peer.Inbound {
		t.Fatalf("added events: %+v / %+v", evA.Peer, evB.Peer)
	}
	// Each side reads the other's greeting (code 0) and the echo of its own
	// (code 1).
	for _, got := range []chan toyMsg{gotA, gotB} {
		seen := map[uint64]string{}
		for range 2 {
			select {
			case m := <-got:
				seen[m.msg.Code] = string(m.msg.Payload)
			case <-time.After(time.Minute):
				t.Fatal("toy messages missing")
			}
		}
		if seen[0] != "toy" || seen[1] != "toy" {
			t.Fatalf("toy protocol saw %v", seen)
		}
	}

	ps := b.Peers()
	if len(ps) != 1 {
		t.Fatalf("B has %d peers", len(ps))
	}
	p := ps[0]
	want := []ProtocolInfo{{Name: "toy", Version: 1, Offset: 16, Length: 2}}
	if p.ID != a.LocalID() || p.Inbound || !p.Static || p.Transport != "rlpx" || p.Name != "server-a" ||
		len(p.Caps) != 1 || p.Caps[0] != (Cap{Name: "toy", Version: 1}) || fmt.Sprint(p.Running) != fmt.Sprint(want) ||
		p.RemoteAddr != a.ListenAddr().String() {
		t.Fatalf("B's peer info: %+v", p)
	}
	if pa := a.Peers(); len(pa) != 1 || !pa[0].Inbound || pa[0].Static {
		t.Fatalf("A's peer info: %+v", pa)
	}

	a.Stop()
	ev := waitEvent(t, subB, PeerDropped)
	if ev.Reason != p2p.DiscQuitting || !ev.Remote {
		t.Fatalf("B's drop event: reason %v remote %v err %v", ev.Reason, ev.Remote, ev.Err)
	}
	if _, ok := <-subA.C; ok {
		for range subA.C {
		}
	}
	if st := a.Stats(); st.PeersAdded != 1 || st.PeersDropped != 1 {
		t.Errorf("A's stats: %+v", st)
	}
}

// TestTenServers: ten servers on loopback, each with static links to every
// server started before it, form a full mesh of 45 connections, and every
// toy message reaches every neighbour.
func TestTenServers(t *testing.T) {
	const n = 10
	type node struct {
		srv *Server
		got chan toyMsg
	}
	nodes := make([]node, n)
	var statics []*enode.Node
	for i := range nodes {
		got := make(chan toyMsg, 4*n)
		nodes[i] = node{got: got, srv: startServer(t, Config{
			Protocols:   []Protocol{toyProtocol("toy", 1, 2, got)},
			StaticNodes: append([]*enode.Node(nil), statics...),
		})}
		statics = append(statics, nodes[i].srv.Self())
	}
	deadline := time.Now().Add(3 * time.Minute)
	for i, nd := range nodes {
		// Two messages from each neighbour: its greeting and our echo.
		from := map[enode.ID]int{}
		for len(from) < n-1 || !allAtLeast(from, 2) {
			select {
			case m := <-nd.got:
				from[m.from]++
			case <-time.After(time.Until(deadline)):
				t.Fatalf("node %d heard from %d peers: %v", i, len(from), from)
			}
		}
		if pc := nd.srv.PeerCount(); pc != n-1 {
			t.Errorf("node %d has %d peers", i, pc)
		}
	}
}

func allAtLeast(m map[enode.ID]int, k int) bool {
	for _, v := range m {
		if v < k {
			return false
		}
	}
	return true
}

// TestCapabilityOffsetsOnWire: a hand-driven client checks where the
// server puts each matched protocol's codes.
func TestCapabilityOffsetsOnWire(t *testing.T) {
	got := make(chan toyMsg, 10)
	srv := startServer(t, Config{Protocols: []Protocol{
		toyProtocol("bbb", 1, 3, got),
		toyProtocol("aaa", 2, 5, got),
		toyProtocol("aaa", 1, 2, got),
		toyProtocol("ccc", 1, 1, got),
	}})
	c := dialClient(t, srv, newKey(t))
	theirs := c.hello(t, []Cap{{Name: "bbb", Version: 1}, {Name: "zzz", Version: 9}, {Name: "aaa", Version: 1}, {Name: "aaa", Version: 2}}, nil)
	if fmt.Sprint(theirs.Caps) != "[aaa/1 aaa/2 bbb/1 ccc/1]" {
		t.Fatalf("server offers %v, want them sorted", theirs.Caps)
	}
	// aaa/2 runs at 16..20, bbb/1 at 21..23; both greet with their code 0.
	greet := map[uint64]string{}
	for len(greet) < 2 {
		code, data, err := c.read(t)
		if err != nil {
			t.Fatal(err)
		}
		if code >= devp2p.BaseLength {
			greet[code] = string(data)
		}
	}
	if greet[16] != "aaa" || greet[21] != "bbb" {
		t.Fatalf("greetings at %v, want aaa at 16 and bbb at 21", greet)
	}
	c.write(t, 16+4, []byte("aaa code 4"))
	c.write(t, 21+2, []byte("bbb code 2"))
	read := map[string]uint64{}
	for range 2 {
		m := <-got
		read[string(m.msg.Payload)] = m.msg.Code
	}
	if read["aaa code 4"] != 4 || read["bbb code 2"] != 2 {
		t.Fatalf("protocols read %v", read)
	}
	if ps := srv.Peers(); len(ps) != 1 || fmt.Sprint(ps[0].Running) != "[{aaa 2 16 5} {bbb 1 21 3}]" {
		t.Fatalf("running: %+v", ps)
	}
	// Code 24 belongs to nobody: breach of protocol.
	c.write(t, 24, nil)
	if r := c.expectDisconnect(t); r != p2p.DiscProtocolError {
		t.Fatalf("got %v, want protocol error", r)
	}
}

func TestUselessPeer(t *testing.T) {
	t.Run("client", func(t *testing.T) {
		srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 2, 1, nil)}})
		c := dialClient(t, srv, newKey(t))
		c.hello(t, []Cap{{Name: "toy", Version: 1}, {Name: "eth", Version: 68}}, nil)
		if r := c.expectDisconnect(t); r != p2p.DiscUselessPeer {
			t.Fatalf("got %v, want useless peer", r)
		}
		eventually(t, func() bool {
			st := srv.Stats()
			return st.UselessPeers == 1 && st.PeersAdded == 0
		}, func() string { return fmt.Sprintf("stats %+v", srv.Stats()) })
	})
	t.Run("servers", func(t *testing.T) {
		a := startServer(t, Config{Protocols: []Protocol{toyProtocol("a", 1, 1, nil)}})
		b := startServer(t, Config{Protocols: []Protocol{toyProtocol("b", 1, 1, nil)}, StaticNodes: []*enode.Node{a.Self()}})
		eventually(t, func() bool { return a.Stats().UselessPeers > 0 && b.Stats().UselessPeers > 0 },
			func() string {
				return fmt.Sprintf("useless counts: a %d, b %d", a.Stats().UselessPeers, b.Stats().UselessPeers)
			})
		if a.PeerCount()+b.PeerCount() != 0 {
			t.Fatal("useless peers were added")
		}
	})
}

// TestHelloWrongID: the Hello's node ID is not the key of the RLPx
// handshake.
func TestHelloWrongID(t *testing.T) {
	srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	c := dialClient(t, srv, newKey(t))
	other := devp2p.PubkeyID(newKey(t).PubKey())
	h := &devp2p.Hello{Version: 5, Caps: []Cap{{Name: "toy", Version: 1}}, ID: other}
	c.write(t, devp2p.HelloMsg, devp2p.AppendHello(nil, h))
	if code, _, err := c.read(t); err != nil || code != devp2p.HelloMsg {
		t.Fatalf("expected the server's hello first: %d %v", code, err)
	}
	if r := c.expectDisconnect(t); r != p2p.DiscUnexpectedIdentity {
		t.Fatalf("got %v, want unexpected identity", r)
	}
	eventually(t, func() bool {
		st := srv.Stats()
		return st.HandshakeErrors == 1 && st.PeersAdded == 0
	}, func() string { return fmt.Sprintf("stats %+v", srv.Stats()) })
}

func TestSelfAndDuplicate(t *testing.T) {
	key := newKey(t)
	srv := startServer(t, Config{PrivateKey: key, Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	self := dialClient(t, srv, key)
	self.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	if r := self.expectDisconnect(t); r != p2p.DiscSelf {
		t.Fatalf("self: %v", r)
	}

	sub := srv.Subscribe(4)
	ck := newKey(t)
	first := dialClient(t, srv, ck)
	first.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	waitEvent(t, sub, PeerAdded)
	second := dialClient(t, srv, ck)
	second.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	if r := second.expectDisconnect(t); r != p2p.DiscAlreadyConnected {
		t.Fatalf("duplicate: %v", r)
	}
	eventually(t, func() bool { return srv.Stats().PeersRefused == 2 && srv.PeerCount() == 1 },
		func() string { return fmt.Sprintf("stats %+v, %d peers", srv.Stats(), srv.PeerCount()) })
}

// TestStalledHandshake: connections that stall before or in the middle of
// the handshake are closed at the deadline and counted; Stop leaves no
// goroutine (goleak).
func TestStalledHandshake(t *testing.T) {
	srv := startServer(t, Config{HandshakeTimeout: 300 * time.Millisecond, Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	var conns []net.Conn
	for _, prefix := range [][]byte{nil, {0x01, 0x30, 1, 2, 3}} { // silent; half an auth packet
		fd, err := net.Dial("tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer fd.Close()
		fd.Write(prefix)
		conns = append(conns, fd)
	}
	// Stalled after the RLPx handshake: no Hello.
	c := dialClient(t, srv, newKey(t))
	conns = append(conns, c.fd)
	for i, fd := range conns {
		fd.SetReadDeadline(time.Now().Add(5 * time.Second))
		start := time.Now()
		_, err := io_ReadAll(fd)
		if isTimeout(err) {
			t.Fatalf("conn %d: server did not close it", i)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("conn %d closed after %v", i, d)
		}
	}
	eventually(t, func() bool {
		st := srv.Stats()
		return st.HandshakeTimeouts == 3 && st.HandshakeErrors == 3 && st.Accepted == 3 && st.PendingHandshakes <= 1
	}, func() string { return fmt.Sprintf("stats %+v", srv.Stats()) })
}

// io_ReadAll reads until EOF or error, discarding.
func io_ReadAll(fd net.Conn) ([]byte, error) {
	var all []byte
	buf := make([]byte, 4096)
	for {
		n, err := fd.Read(buf)
		all = append(all, buf[:n]...)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || err.Error() == "EOF" {
				return all, nil
			}
			return all, err
		}
	}
}

// TestGarbageInsteadOfAuth: the server drops a connection that sends
// something other than an auth packet at once, not at the deadline.
func TestGarbageInsteadOfAuth(t *testing.T) {
	srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	for _, garbage := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"),
		bytes.Repeat([]byte{0xff}, 300),
		append([]byte{0x00, 0xc8}, bytes.Repeat([]byte{0x04}, 200)...),
	} {
		fd, err := net.Dial("tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		fd.Write(garbage)
		fd.SetReadDeadline(time.Now().Add(3 * time.Second))
		start := time.Now()
		_, err = io_ReadAll(fd)
		fd.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) && isTimeout(err) {
			t.Fatalf("garbage %q…: not closed", garbage[:8])
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("garbage %q…: closed after %v, want at once", garbage[:8], d)
		}
	}
	eventually(t, func() bool {
		st := srv.Stats()
		return st.HandshakeErrors == 3 && st.HandshakeTimeouts == 0
	}, func() string { return fmt.Sprintf("stats %+v", srv.Stats()) })
}

// TestRemoteDisconnectEncodings: a Disconnect as a list and as a bare
// reason both reach the drop event.
func TestRemoteDisconnectEncodings(t *testing.T) {
	for _, tt := range []struct {
		payload []byte
		want    p2p.DiscReason
	}{
		{[]byte{0xc1, 0x04}, p2p.DiscTooManyPeers},
		{[]byte{0x05}, p2p.DiscAlreadyConnected},
		{[]byte{0xc0}, p2p.DiscRequested},
		{nil, p2p.DiscRequested},
		{[]byte{0xc1, 0x10}, p2p.DiscSubprotocolError},
	} {
		t.Run(fmt.Sprintf("%x", tt.payload), func(t *testing.T) {
			srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
			sub := srv.Subscribe(4)
			c := dialClient(t, srv, newKey(t))
			c.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
			waitEvent(t, sub, PeerAdded)
			c.write(t, devp2p.DisconnectMsg, tt.payload)
			ev := waitEvent(t, sub, PeerDropped)
			if !ev.Remote || ev.Reason != tt.want {
				t.Fatalf("drop event: remote %v reason %v err %v", ev.Remote, ev.Reason, ev.Err)
			}
		})
	}
}

// TestProtocolErrors: what a protocol returns decides the reason sent.
func TestProtocolErrors(t *testing.T) {
	for _, tt := range []struct {
		ret  error
		want p2p.DiscReason
	}{
		{nil, p2p.DiscQuitting},
		{errors.New("bad block"), p2p.DiscSubprotocolError},
		{fmt.Errorf("status: %w", p2p.DiscUselessPeer), p2p.DiscUselessPeer},
	} {
		t.Run(fmt.Sprint(tt.ret), func(t *testing.T) {
			proto := Protocol{Name: "p", Version: 1, Length: 1, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
				if _, err := rw.ReadMsg(); err != nil {
					return err
				}
				return tt.ret
			}}
			srv := startServer(t, Config{Protocols: []Protocol{proto}})
			sub := srv.Subscribe(4)
			c := dialClient(t, srv, newKey(t))
			c.hello(t, []Cap{{Name: "p", Version: 1}}, nil)
			c.write(t, 16, nil)
			if r := c.expectDisconnect(t); r != tt.want {
				t.Fatalf("got %v, want %v", r, tt.want)
			}
			ev := waitEvent(t, sub, PeerDropped)
			if ev.Remote || ev.Reason != tt.want || (tt.ret != nil && !errors.Is(ev.Err, tt.ret)) {
				t.Fatalf("event: %+v", ev)
			}
		})
	}
}

// TestInvalidWrites: a code past the protocol's length and an oversized
// payload are refused to the protocol without ending the peer.
func TestInvalidWrites(t *testing.T) {
	errc := make(chan error, 2)
	proto := Protocol{Name: "p", Version: 1, Length: 2, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
		errc <- rw.WriteMsg(p2p.Msg{Code: 2})
		errc <- rw.WriteMsg(p2p.Msg{Code: 1, Payload: make([]byte, devp2p.DefaultMaxMessageSize+1)})
		rw.WriteMsg(p2p.Msg{Code: 1, Payload: []byte("ok")})
		_, err := rw.ReadMsg()
		return err
	}}
	srv := startServer(t, Config{Protocols: []Protocol{proto}})
	c := dialClient(t, srv, newKey(t))
	c.hello(t, []Cap{{Name: "p", Version: 1}}, nil)
	if err := <-errc; !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("code 2: %v", err)
	}
	if err := <-errc; !errors.Is(err, p2p.ErrMsgTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if code, data, err := c.read(t); err != nil || code != 17 || string(data) != "ok" {
		t.Fatalf("read %d %q %v", code, data, err)
	}
}

func TestEventsBounded(t *testing.T) {
	srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	sub := srv.Subscribe(1)
	all := srv.Subscribe(10)
	c := dialClient(t, srv, newKey(t))
	c.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	c.fd.Close()
	waitEvent(t, all, PeerAdded)
	waitEvent(t, all, PeerDropped)
	// The feed delivers to subscriptions in turn under its lock: taking
	// the lock (Subscribe) waits until sub had its turn too.
	srv.Subscribe(1).Unsubscribe()
	if sub.Dropped() != 1 || srv.Stats().EventsDropped != 1 {
		t.Fatalf("dropped %d / %d, want 1", sub.Dropped(), srv.Stats().EventsDropped)
	}
	if ev := <-sub.C; ev.Type != PeerAdded {
		t.Fatalf("kept %v, want the first event", ev.Type)
	}
	sub.Unsubscribe()
	sub.Unsubscribe()
	if _, ok := <-sub.C; ok {
		t.Fatal("channel open after Unsubscribe")
	}
}

func TestAddRemovePeer(t *testing.T) {
	a := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	b := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	sub := b.Subscribe(4)
	if err := b.AddPeer(a.Self()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, sub, PeerAdded)
	if err := b.RemovePeer(a.Self()); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, sub, PeerDropped)
	if ev.Reason != p2p.DiscRequested || ev.Remote {
		t.Fatalf("drop: %+v", ev)
	}
}

func TestConfigAndLifecycle(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := New(Config{PrivateKey: newKey(t), Protocols: []Protocol{{Name: "x"}}}); !errors.Is(err, ErrConfig) {
		t.Fatalf("bad protocol: %v", err)
	}
	s, err := New(Config{PrivateKey: newKey(t), ListenAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddPeer(s.Self()); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("AddPeer before Start: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Start: %v", err)
	}
	self := s.Self()
	if ap, ok := self.TCPEndpoint(); !ok || ap.String() != s.ListenAddr().String() || self.ID() != s.LocalID() {
		t.Fatalf("Self %v, listening on %v", self.URLv4(), s.ListenAddr())
	}
	s.Stop()
	s.Stop()
	if err := s.Start(); err == nil {
		t.Fatal("Start after Stop succeeded")
	}
}

// eventually polls cond for up to 10 s (for counters updated just after
// the event a test can observe).
func eventually(t *testing.T, cond func() bool, msg func() string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHandshakeSlots: with one handshake slot, a second connection is not
// accepted (so not timed) until the first handshake has given up.
func TestHandshakeSlots(t *testing.T) {
	srv := startServer(t, Config{MaxPendingHandshakes: 1, HandshakeTimeout: 200 * time.Millisecond,
		Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}})
	start := time.Now()
	var fds []net.Conn
	for range 2 {
		fd, err := net.Dial("tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer fd.Close()
		fds = append(fds, fd)
	}
	var closed []time.Duration
	for _, fd := range fds {
		fd.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io_ReadAll(fd); isTimeout(err) {
			t.Fatal("not closed")
		}
		closed = append(closed, time.Since(start))
	}
	if closed[1] < 2*200*time.Millisecond {
		t.Fatalf("second connection closed after %v: its handshake ran alongside the first", closed[1])
	}
	eventually(t, func() bool { return srv.Stats().HandshakeSlotsFull >= 1 && srv.Stats().HandshakeTimeouts == 2 },
		func() string { return fmt.Sprintf("stats %+v", srv.Stats()) })
}

// exclusiveProtocol refuses a second session with a node it is already
// running with, as the topic and status services do.
func exclusiveProtocol() Protocol {
	var mu sync.Mutex
	running := map[enode.ID]bool{}
	return Protocol{Name: "excl", Version: 1, Length: 1, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
		mu.Lock()
		if running[p.ID()] {
			mu.Unlock()
			return fmt.Errorf("already running with %v: %w", p.ID().TerminalString(), p2p.DiscAlreadyConnected)
		}
		running[p.ID()] = true
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(running, p.ID())
			mu.Unlock()
		}()
		for {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
		}
	}}
}

// Two nodes that dial each other at once keep one connection, even when
// a protocol refuses to run twice with one node: the kept connection's
// protocols start once the replaced one's have ended.
func TestSimultaneousDialKeepsOne(t *testing.T) {
	for i := range 20 {
		a := startServer(t, Config{Protocols: []Protocol{exclusiveProtocol()}})
		b := startServer(t, Config{Protocols: []Protocol{exclusiveProtocol()}})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a.AddPeer(b.Self()) }()
		go func() { defer wg.Done(); b.AddPeer(a.Self()) }()
		wg.Wait()
		eventually(t, func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 }, func() string {
			return fmt.Sprintf("round %d: peers a %d b %d", i, a.PeerCount(), b.PeerCount())
		})
		// Settled: no drop follows.
		time.Sleep(100 * time.Millisecond)
		if a.PeerCount() != 1 || b.PeerCount() != 1 {
			t.Fatalf("round %d: peers a %d b %d after settling", i, a.PeerCount(), b.PeerCount())
		}
		a.Stop()
		b.Stop()
	}
}
