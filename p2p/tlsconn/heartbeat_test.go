package tlsconn

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
)

// stallConn is a net.Conn that, once stalled, neither reads nor writes: a
// dead link whose socket stays open.
type stallConn struct {
	net.Conn
	once    sync.Once
	stalled chan struct{}
	closed  chan struct{}
	cOnce   sync.Once
}

func newStallConn(c net.Conn) *stallConn {
	return &stallConn{Conn: c, stalled: make(chan struct{}), closed: make(chan struct{})}
}

func (s *stallConn) stall() { s.once.Do(func() { close(s.stalled) }) }

func (s *stallConn) wait() error {
	<-s.closed
	return net.ErrClosed
}

func (s *stallConn) Read(p []byte) (int, error) {
	select {
	case <-s.stalled:
		return 0, s.wait()
	default:
	}
	n, err := s.Conn.Read(p)
	select {
	case <-s.stalled:
		return 0, s.wait()
	default:
	}
	return n, err
}

func (s *stallConn) Write(p []byte) (int, error) {
	select {
	case <-s.stalled:
		return 0, s.wait()
	default:
	}
	return s.Conn.Write(p)
}

func (s *stallConn) Close() error {
	s.cOnce.Do(func() { close(s.closed) })
	return s.Conn.Close()
}

// pipePair handshakes a and b over net.Pipe, b's end wrapped in a
// stallConn. It runs inside a synctest bubble.
func pipePair(t *testing.T, a, b *Transport) (*Conn, *Conn, *stallConn) {
	t.Helper()
	pa, pb := net.Pipe()
	sb := newStallConn(pb)
	var cb *Conn
	var errb error
	done := make(chan struct{})
	go func() {
		defer close(done)
		cb, errb = b.Setup(context.Background(), sb, true, nil)
	}()
	ca, erra := a.Setup(context.Background(), pa, false, nil)
	<-done
	if erra != nil || errb != nil {
		t.Fatalf("handshake: %v / %v", erra, errb)
	}
	return ca, cb, sb
}

// synctestTransports issues certificates inside the bubble (whose clock
// starts in 2000, so certificates made outside would not be valid yet).
func synctestTransports(t *testing.T, mod func(*Config)) (*Transport, *Transport) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	return newTransport(t, na, mod), newTransport(t, nb, mod)
}

// TestHeartbeatDeadLink: a link that stops moving bytes is declared dead
// PingInterval+PongTimeout after the last byte at the latest, while an idle
// healthy link stays up forever.
func TestHeartbeatDeadLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ping, pong = 2 * time.Second, 3 * time.Second
		a, b := synctestTransports(t, func(c *Config) { c.PingInterval, c.PongTimeout = ping, pong })
		ca, cb, sb := pipePair(t, a, b)
		defer ca.Close(nil)
		defer cb.Close(nil)

		time.Sleep(time.Minute)
		synctest.Wait()
		if ca.Err() != nil || cb.Err() != nil {
			t.Fatalf("idle link dropped: %v / %v", ca.Err(), cb.Err())
		}
		if ca.RTT() <= 0 || cb.RTT() <= 0 {
			t.Error("no RTT after a minute of pings")
		}

		sb.stall()
		start := time.Now()
		<-ca.Done()
		if d := time.Since(start); d > ping+pong {
			t.Errorf("dead link noticed after %v, bound %v", d, ping+pong)
		}
		if !errors.Is(ca.Err(), ErrHeartbeatTimeout) {
			t.Errorf("end reason %v", ca.Err())
		}
		if _, err := ca.ReadMsg(); !errors.Is(err, ErrHeartbeatTimeout) {
			t.Errorf("ReadMsg after the dead link: %v", err)
		}
		if a.Stats().HeartbeatTimeouts != 1 {
			t.Errorf("stats %+v", a.Stats())
		}
	})
}

// TestHeartbeatSlowConsumer: a peer whose application stops reading for a
// long time is not declared dead (its heartbeat keeps going while its
// reader waits for queue room), and every message arrives afterwards, in
// order.
func TestHeartbeatSlowConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := synctestTransports(t, func(c *Config) {
			c.PingInterval, c.PongTimeout = time.Second, time.Second
			c.QueueSize = 4
		})
		ca, cb, _ := pipePair(t, a, b)
		defer ca.Close(nil)
		defer cb.Close(nil)

		const n = 50
		sent := make(chan error, 1)
		go func() {
			for i := range n {
				if err := ca.WriteMsg(p2p.Msg{Code: uint64(i % 3), Payload: []byte{byte(i)}}); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		// Nobody reads b for a minute: its queue fills, its reader waits,
		// a's writes block.
		time.Sleep(time.Minute)
		synctest.Wait()
		if ca.Err() != nil || cb.Err() != nil {
			t.Fatalf("slow consumer dropped: %v / %v", ca.Err(), cb.Err())
		}
		if cb.Stats().QueueStalls == 0 {
			t.Error("queue never filled")
		}
		for i := range n {
			m, err := cb.ReadMsg()
			if err != nil || m.Payload[0] != byte(i) {
				t.Fatalf("message %d: %+v, %v", i, m, err)
			}
		}
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	})
}

// TestHandshakeTimeoutSynctest: a peer that accepts TCP and says nothing is
// given up after HandshakeTimeout exactly.
func TestHandshakeTimeoutSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, _ := synctestTransports(t, nil)
		pa, pb := net.Pipe()
		defer pb.Close()
		go func() {
			// Drain the ClientHello and answer nothing.
			buf := make([]byte, 4096)
			for {
				if _, err := pb.Read(buf); err != nil {
					return
				}
			}
		}()
		start := time.Now()
		_, err := a.Setup(context.Background(), pa, false, nil)
		if !errors.Is(err, ErrHandshakeTimeout) || time.Since(start) != DefaultHandshakeTimeout {
			t.Fatalf("after %v: %v", time.Since(start), err)
		}
		// A cancelled context ends a handshake at once, and is not a
		// timeout.
		pa, pb2 := net.Pipe()
		defer pb2.Close()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		start = time.Now()
		_, err = a.Setup(ctx, pa, false, nil)
		if errors.Is(err, ErrHandshakeTimeout) || time.Since(start) != time.Second {
			t.Fatalf("cancelled after %v: %v", time.Since(start), err)
		}
	})
}
