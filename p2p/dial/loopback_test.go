package dial

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// TestLoopbackWiring wires two schedulers to real TCP sockets on 127.0.0.1,
// the way a transport does: the listener asks CheckInbound on accept and
// AddPeer after its handshake (here, one byte each way); the dialer's
// DialFunc dials, handshakes and calls AddPeer. Both report the end with
// RemovePeer.
func TestLoopbackWiring(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lnAddr := ln.Addr().(*net.TCPAddr).AddrPort()

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	connected := make(chan Peer, 2)
	gone := make(chan Peer, 2)
	// run holds a connection until ctx is done or the remote closes it.
	run := func(s *Scheduler, c net.Conn, p Peer) {
		defer wg.Done()
		connected <- p
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
		c.Read(make([]byte, 1))
		c.Close()
		s.RemovePeer(p)
		gone <- p
	}
	handshake := func(c net.Conn) error {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte{1}); err != nil {
			return err
		}
		_, err := c.Read(make([]byte, 1))
		c.SetDeadline(time.Time{})
		return err
	}

	server, err := New(Config{MaxPeers: 4, NoDial: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	wg.Add(1)
	go func() { // accept loop
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			remote := c.RemoteAddr().(*net.TCPAddr).AddrPort()
			if server.CheckInbound(remote.Addr()) != nil || handshake(c) != nil {
				c.Close()
				continue
			}
			p := Peer{Addr: remote, Inbound: true}
			if server.AddPeer(p) != nil {
				c.Close()
				continue
			}
			wg.Add(1)
			go run(server, c, p)
		}
	}()
	defer ln.Close()

	var client *Scheduler
	dialFunc := func(ctx context.Context, c Candidate) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", c.Addr.String())
		if err != nil {
			return err
		}
		if err := handshake(conn); err != nil {
			conn.Close()
			return err
		}
		p := Peer{ID: c.ID, Addr: c.Addr}
		if err := client.AddPeer(p); err != nil {
			conn.Close()
			return err
		}
		wg.Add(1)
		go run(client, conn, p)
		return nil
	}
	ready := make(chan struct{})
	client, err = New(Config{
		MaxPeers: 4,
		Static:   []Candidate{{Addr: lnAddr}},
		Dial: func(ctx context.Context, c Candidate) error {
			<-ready
			return dialFunc(ctx, c)
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	close(ready)

	timeout := time.After(time.Minute)
	for range 2 {
		select {
		case <-connected:
		case <-timeout:
			t.Fatal("no connection on loopback")
		}
	}
	if _, out := client.PeerCount(); out != 1 {
		t.Errorf("client outbound = %d, want 1", out)
	}
	if in, _ := server.PeerCount(); in != 1 {
		t.Errorf("server inbound = %d, want 1", in)
	}
	if ps := client.Peers(); len(ps) != 1 || !ps[0].Static || ps[0].Addr != lnAddr {
		t.Errorf("client peers = %+v", ps)
	}
	// Loopback is not throttled: a second connection from 127.0.0.1 passes
	// the gate, and is refused by AddPeer only as a duplicate address.
	if err := server.CheckInbound(netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Errorf("CheckInbound(127.0.0.1): %v", err)
	}
	if err := client.AddPeer(Peer{Addr: lnAddr}); !errors.Is(err, ErrAlreadyConnected) {
		t.Errorf("duplicate outbound: %v, want ErrAlreadyConnected", err)
	}
	cancel() // close both connections
	for range 2 {
		select {
		case <-gone:
		case <-time.After(time.Minute):
			t.Fatal("connections not torn down")
		}
	}
	client.Close()
	server.Close()
	ln.Close()
}
