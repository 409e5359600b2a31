package memnet

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestMemnet(t *testing.T) {
	n := New()
	a, _ := n.Listen(netip.MustParseAddrPort("10.0.0.1:0"))
	b, _ := n.Listen(netip.MustParseAddrPort("10.0.0.2:30303"))
	if _, err := n.Listen(netip.MustParseAddrPort("10.0.0.2:30303")); !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("second listen: %v", err)
	}
	a.WriteToUDPAddrPort([]byte("hello"), b.AddrPort())
	buf := make([]byte, 3)
	k, from, err := b.ReadFromUDPAddrPort(buf)
	if err != nil || k != 3 || string(buf) != "hel" || from != a.AddrPort() {
		t.Fatalf("read %d %q from %v: %v", k, buf[:k], from, err)
	}
	// A full queue drops, as UDP does.
	for range QueueLen + 10 {
		a.WriteToUDPAddrPort([]byte("x"), b.AddrPort())
	}
	a.WriteToUDPAddrPort([]byte("x"), netip.MustParseAddrPort("10.9.9.9:1")) // nobody there
	if sent, dropped := n.Stats(); sent != QueueLen+12 || dropped != 11 || b.Pending() != QueueLen {
		t.Fatalf("sent %d dropped %d pending %d", sent, dropped, b.Pending())
	}
	b.Close()
	if _, _, err := b.ReadFromUDPAddrPort(buf); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if _, err := n.Listen(netip.MustParseAddrPort("10.0.0.2:30303")); err != nil {
		t.Fatalf("address not freed: %v", err)
	}
}
