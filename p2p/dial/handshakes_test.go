package dial

import (
	"net/netip"
	"testing"
)

func TestHandshakeSlots(t *testing.T) {
	h := NewHandshakeSlots(8) // 4 per address, 6 per group
	a, b := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	other := netip.MustParseAddr("192.0.2.1")
	for i := range 4 {
		if !h.Acquire(a) {
			t.Fatalf("slot %d from a refused", i)
		}
	}
	if h.Acquire(a) || h.Acquire(netip.MustParseAddr("::ffff:127.0.0.1")) {
		t.Fatal("a fifth slot from one address")
	}
	for range 2 {
		if !h.Acquire(b) {
			t.Fatal("a slot from b refused")
		}
	}
	if h.Acquire(netip.MustParseAddr("127.0.0.3")) {
		t.Fatal("a seventh slot from one /24")
	}
	if !h.Acquire(other) {
		t.Fatal("another group refused while one group is full")
	}
	h.Release(a)
	if !h.Acquire(netip.MustParseAddr("127.0.0.3")) {
		t.Fatal("no slot after a release")
	}
	v6 := netip.MustParseAddr("2001:db8::1")
	for range 4 {
		h.Acquire(v6)
	}
	if !h.Acquire(netip.MustParseAddr("2001:db8::2")) {
		t.Fatal("a second address of the /64 refused below the group cap")
	}
}
