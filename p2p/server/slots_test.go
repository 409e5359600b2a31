package server

import (
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// TestSilentConnectionsFromOneNetwork is issue 17's devnet attack, scaled
// down: 200 silent connections from eight addresses of 127.0.0.0/24, held
// for the whole test (the handshake timeout is long). One network group
// may hold only three quarters of the handshake slots, so the rest of the
// flood is closed at once and a peer from another group (127.0.1.1) gets
// through its RLPx handshake and Hello while the attack goes on.
func TestSilentConnectionsFromOneNetwork(t *testing.T) {
	srv := startServer(t, Config{Protocols: []Protocol{toyProtocol("toy", 1, 1, nil)}, HandshakeTimeout: 10 * time.Minute})
	const attackers = 200
	var closedByServer atomic.Int64
	for i := range attackers {
		src := netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i%8)})
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))}
		c, err := d.Dial("tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		go func() {
			io.Copy(io.Discard, c) // returns when the server closes it (or the test does)
			closedByServer.Add(1)
		}()
	}
	want := int64(attackers - DefaultMaxPendingHandshakes*3/4)
	for deadline := time.Now().Add(time.Minute); closedByServer.Load() < want; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server closed %d of %d extra connections", closedByServer.Load(), want)
		}
	}

	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.1.1"), 0))}
	fd, err := d.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := handshakeClient(t, fd, srv.Self().Pubkey(), newKey(t))
	c.hello(t, []Cap{{Name: "toy", Version: 1}}, nil)
	if n := closedByServer.Load(); n != want {
		t.Errorf("the server closed %d silent connections, want %d", n, want)
	}
}
