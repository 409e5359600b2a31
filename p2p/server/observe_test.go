package server

import (
	"fmt"
	"net"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
)

// recorder records observer events (p2ptest.Recorder).
type recorder = p2ptest.Recorder

// TestObserver: a peer's arrival and departure, its protocol messages in
// both directions (named from the command table, or by code), and refused
// handshakes reach Config.Observer.
func TestObserver(t *testing.T) {
	obs := &recorder{}
	toy := toyProtocol("toy", 1, 2, nil)
	toy.Commands = []string{"greet"} // code 1 has no name: reported as "1"
	srv := startServer(t, Config{Protocols: []Protocol{toy}, Observer: obs})
	sub := srv.Subscribe(4)

	c := dialClient(t, srv, newKey(t))
	c.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	waitEvent(t, sub, PeerAdded)
	c.write(t, 16, []byte("hello"))
	for { // the server's greeting, then the echo at code 1
		code, data, err := c.read(t)
		if err != nil {
			t.Fatal(err)
		}
		if code == 17 && string(data) == "hello" {
			break
		}
	}
	c.fd.Close()
	waitEvent(t, sub, PeerDropped)

	// Refused: a peer with nothing in common, and garbage instead of auth.
	u := dialClient(t, srv, newKey(t))
	u.hello(t, []Cap{{Name: "other", Version: 1}}, nil)
	u.expectDisconnect(t)
	fd, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	fd.Write(make([]byte, 300))
	defer fd.Close()

	want := []string{
		"connected true rlpx",
		"out toy greet 3", // the greeting, "toy"
		"in toy greet 5",
		"out toy 1 5",
		"disconnected true rlpx",
		"handshake failed rlpx: no shared protocol",
		"handshake failed rlpx: bad auth",
	}
	eventually(t, func() bool { return obs.HasAll(want...) },
		func() string { return fmt.Sprintf("events %q, want %q", obs.List(), want) })
	got := obs.List()
	if i, j := slices.Index(got, "connected true rlpx"), slices.Index(got, "disconnected true rlpx"); i > j {
		t.Errorf("disconnected before connected: %q", got)
	}
}

// TestObserverQueueStall: the message that finds a stalled protocol's queue
// full is reported dropped, against the protocol's inbox.
func TestObserverQueueStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newPipeNet()
		stuck := Protocol{Name: "stuck", Version: 1, Length: 1, Commands: []string{"data"}, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			<-p.Done()
			return nil
		}}
		obs := &recorder{}
		srv := startPipeServer(t, n, "10.0.0.1", Config{Protocols: []Protocol{stuck}, ProtocolQueue: 2, Observer: obs})
		sub := srv.Subscribe(4)
		c := dialPipeClient(t, n, srv)
		c.hello(t, []Cap{{Name: "stuck", Version: 1}}, nil)
		go func() {
			for range 3 { // 2 fill the queue, the 3rd waits
				if _, err := c.rc.WriteMsg(16, []byte("x")); err != nil {
					return
				}
			}
		}()
		if r := c.expectDisconnect(t); r != p2p.DiscSubprotocolError {
			t.Fatalf("reason %v", r)
		}
		waitEvent(t, sub, PeerDropped)
		srv.Stop()
		got := obs.List()
		want := []string{"connected true rlpx", "in stuck data 1", "in stuck data 1", "in stuck data 1",
			"dropped stuck inbox", "disconnected true rlpx"}
		if !slices.Equal(got, want) {
			t.Fatalf("events %q\nwant %q", got, want)
		}
	})
}
