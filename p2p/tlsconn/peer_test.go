package tlsconn

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
)

// TestPeerMux: two protocols share a connection, each sees its own codes;
// a protocol that stops reading gets the peer dropped after the queue
// timeout; the other side sees the reason.
func TestPeerMux(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	alpha := ProtocolSpec{Name: "alpha", Version: 1, Commands: []string{"a0", "a1"}}
	beta := ProtocolSpec{Name: "beta", Version: 1, Commands: []string{"b0"}}
	mod := func(c *Config) { c.Protocols = []ProtocolSpec{beta, alpha} }
	ta, tb := newTransport(t, na, mod), newTransport(t, nb, mod)
	ca2, cb := connPair(t, ta, tb)

	gotAlpha := make(chan p2p.Msg, 1)
	flood := make(chan struct{})
	stop := make(chan struct{})
	// Side a: alpha sends a1 and then 100 beta messages go out; side b:
	// alpha reads one message, beta never reads.
	sideA := []Protocol{
		{Name: "alpha", Version: 1, Commands: alpha.Commands, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			if err := rw.WriteMsg(p2p.Msg{Code: 1, Payload: []byte("x")}); err != nil {
				return err
			}
			if err := rw.WriteMsg(p2p.Msg{Code: 2}); !errors.Is(err, ErrUnknownCode) {
				t.Errorf("code out of range: %v", err)
			}
			_, err := rw.ReadMsg()
			return err
		}},
		{Name: "beta", Version: 1, Commands: beta.Commands, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			// After alpha's message arrived: a full inbox blocks the
			// reader for every protocol.
			<-flood
			for range 100 {
				if err := rw.WriteMsg(p2p.Msg{Code: 0, Payload: []byte("flood")}); err != nil {
					return err
				}
			}
			_, err := rw.ReadMsg()
			return err
		}},
	}
	sideB := []Protocol{
		{Name: "alpha", Version: 1, Commands: alpha.Commands, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			m, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			gotAlpha <- m
			_, err = rw.ReadMsg()
			return err
		}},
		{Name: "beta", Version: 1, Commands: beta.Commands, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			select {
			case <-p.Done():
			case <-stop:
			}
			return nil
		}},
	}
	var stalls atomic.Uint64
	obsA, obsB := &recorder{}, &recorder{}
	pa := newPeer(ca2, sideA, 4, time.Minute, &stalls, obsA, testLogger(t))
	pb := newPeer(cb, sideB, 4, 100*time.Millisecond, &stalls, obsB, testLogger(t))
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() { errA <- pa.run() }()
	go func() { errB <- pb.run() }()

	select {
	case m := <-gotAlpha:
		if m.Code != 1 || string(m.Payload) != "x" {
			t.Errorf("alpha got %+v", m)
		}
	case <-time.After(time.Minute):
		t.Fatal("alpha message lost")
	}
	close(flood)
	if err := <-errB; !errors.Is(err, ErrQueueStalled) {
		t.Errorf("b ended with %v, want ErrQueueStalled", err)
	}
	if err := <-errA; !errors.Is(err, p2p.DiscSubprotocolError) {
		t.Errorf("a ended with %v, want the peer's reason", err)
	}
	close(stop)
	if stalls.Load() != 1 {
		t.Errorf("stalls %d", stalls.Load())
	}
	// The observers saw the messages at the mux, named from the tables,
	// and the message that found beta's inbox full.
	if !obsA.HasAll("out alpha a1 1", "out beta b0 5") || obsA.Count("dropped beta inbox") != 0 {
		t.Errorf("a's events %q", obsA.List())
	}
	if !obsB.HasAll("in alpha a1 1", "in beta b0 5") || obsB.Count("dropped beta inbox") != 1 {
		t.Errorf("b's events %q", obsB.List())
	}
}

// TestPeerDisconnect: Disconnect and a protocol returning both end the
// peer, and the reason reaches the other side.
func TestPeerDisconnect(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	ta, tb := newTransport(t, na, nil), newTransport(t, nb, nil)
	wait := func(p *Peer, rw p2p.MsgReadWriter) error {
		_, err := rw.ReadMsg()
		return err
	}
	for _, tc := range []struct {
		name   string
		run    func(p *Peer, rw p2p.MsgReadWriter) error
		reason p2p.DiscReason
	}{
		{"disconnect", func(p *Peer, rw p2p.MsgReadWriter) error {
			p.Disconnect(p2p.DiscTooManyPeers)
			return wait(p, rw)
		}, p2p.DiscTooManyPeers},
		{"returned", func(p *Peer, rw p2p.MsgReadWriter) error { return nil }, p2p.DiscQuitting},
		{"error", func(p *Peer, rw p2p.MsgReadWriter) error { return p2p.DiscUselessPeer }, p2p.DiscUselessPeer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca2, cb := connPair(t, ta, tb)
			pa := newPeer(ca2, []Protocol{{Name: testProto.Name, Version: 1, Commands: testProto.Commands, Run: tc.run}}, 4, time.Second, new(atomic.Uint64), nil, testLogger(t))
			pb := newPeer(cb, []Protocol{{Name: testProto.Name, Version: 1, Commands: testProto.Commands, Run: wait}}, 4, time.Second, new(atomic.Uint64), nil, testLogger(t))
			errB := make(chan error, 1)
			go func() { errB <- pb.run() }()
			pa.run()
			err := <-errB
			var de *DisconnectError
			if !errors.As(err, &de) || de.RemoteReason() != tc.reason {
				t.Errorf("other side ended with %v, want the peer's %v", err, tc.reason)
			}
		})
	}
}

// TestCloseReason: Close tells the peer its reason; nil means
// p2p.DiscRequested, other errors are mapped.
func TestCloseReason(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	ta, tb := newTransport(t, na, nil), newTransport(t, nb, nil)
	for _, tc := range []struct {
		reason error
		want   p2p.DiscReason
	}{
		{nil, p2p.DiscRequested},
		{p2p.DiscTooManyPeers, p2p.DiscTooManyPeers},
		{ErrHeartbeatTimeout, p2p.DiscReadTimeout},
		{ErrSelf, p2p.DiscSelf},
		{errors.New("something"), p2p.DiscSubprotocolError},
	} {
		a, b := connPair(t, ta, tb)
		a.Close(tc.reason)
		_, err := b.ReadMsg()
		var de *DisconnectError
		if !errors.As(err, &de) || de.Reason != tc.want {
			t.Errorf("Close(%v): peer read %v, want %v", tc.reason, err, tc.want)
		}
		if !errors.Is(a.Err(), ErrClosed) {
			t.Errorf("Err after Close: %v", a.Err())
		}
		b.Close(nil)
	}
}
