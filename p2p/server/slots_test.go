package server

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/p2ptest"
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
	var srcs []netip.Addr
	for i := range 8 {
		srcs = append(srcs, netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i)}))
	}
	closedByServer, wait := p2ptest.Flood(t, srv.ListenAddr().String(), srcs, attackers)
	want := int64(attackers - DefaultMaxPendingHandshakes*3/4)
	wait(want)

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
