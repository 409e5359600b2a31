package tlsconn

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
)

// TestSilentHandshakesFromOneAddress is issue 17's permissioned attack:
// more silent connections from 127.0.0.1 than the host has handshake
// slots, held open for the whole test (the handshake timeout is long).
// One address may hold only half the slots, so the extra connections are
// closed at once and a certified node from 127.0.0.2 completes its
// handshake while the attack goes on.
func TestSilentHandshakesFromOneAddress(t *testing.T) {
	ca := newTestCA(t)
	_, dirA := ca.node(t, certs.Options{})
	a := startHost(t, dirA, "", nil, func(c *HostConfig) { c.Transport.HandshakeTimeout = 10 * time.Minute })
	const attackers = DefaultMaxPendingHandshakes + 8
	closedByHost, wait := p2ptest.Flood(t, a.Addr().String(), []netip.Addr{netip.MustParseAddr("127.0.0.1")}, attackers)
	// Half the slots go to 127.0.0.1; the host closes the rest at once.
	want := int64(attackers - DefaultMaxPendingHandshakes/2)
	wait(want)

	_, dirB := ca.node(t, certs.Options{})
	nb, err := certs.LoadNode(dirB)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTransport(t, nb, func(c *Config) { c.Protocols = []ProtocolSpec{helloSpec} })
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), 0))}
	raw, err := d.Dial("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := a.ID()
	start := time.Now()
	conn, err := tr.Setup(ctx, raw, false, &id)
	if err != nil {
		t.Fatalf("a certified node from 127.0.0.2 during the attack: %v", err)
	}
	conn.Close(nil)
	t.Logf("attack 3: %d silent TLS handshakes from 127.0.0.1 held; a certified node from 127.0.0.2 completed its handshake in %v",
		attackers, time.Since(start).Round(time.Millisecond))
	if n := closedByHost.Load(); n != want {
		t.Errorf("the host closed %d silent connections, want %d (it keeps half its slots for one address)", n, want)
	}
}
