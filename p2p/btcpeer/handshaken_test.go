package btcpeer

import (
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// TestHandshakenByTransport runs two peers whose transport already exchanged
// version/verack (the permissioned TLS transport): both start ready, send no
// version, verack or ping, exchange data, and stay connected through long
// silences because liveness is the transport's job.
func TestHandshakenByTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ca, cb := net.Pipe()
		a := newNode(func(c *Config) { c.Handshaken = version(70016, wire.SFNodeNetwork, 1) })
		b := newNode(func(c *Config) { c.Handshaken = version(70015, wire.SFNodeNetwork, 2) })
		pa := a.start(t, ca, false)
		pb := b.start(t, cb, true)
		<-pa.Ready()
		<-pb.Ready()
		if got := pa.Info().Version; got != 70016 {
			t.Fatalf("remote version %d, want the transport's 70016", got)
		}
		time.Sleep(time.Hour) // far past ping, pong and idle timeouts
		synctest.Wait()
		alive(t, pa)
		alive(t, pb)
		if err := pa.Send(&wire.MsgGetAddr{}); err != nil {
			t.Fatal(err)
		}
		for {
			m := <-b.received
			switch m.(type) {
			case *wire.MsgVersion, *wire.MsgVerAck, *wire.MsgPing, *wire.MsgPong:
				t.Fatalf("peer sent %s although the transport owns the handshake and liveness", m.Command())
			case *wire.MsgGetAddr:
				return
			}
		}
	})
}
