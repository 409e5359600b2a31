package addrmgr

import (
	"net/netip"
	"testing"
)

func TestDiscouragedBounded(t *testing.T) {
	d := NewDiscouraged(3)
	ips := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
		netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("::ffff:192.0.2.4"),
	}
	for _, ip := range ips[:3] {
		d.Add(ip)
	}
	d.Add(ips[0]) // again: no change of order
	if d.Len() != 3 || !d.Contains(ips[0]) {
		t.Fatalf("len %d", d.Len())
	}
	d.Add(ips[3]) // evicts the oldest, ips[0]
	if d.Len() != 3 || d.Contains(ips[0]) || !d.Contains(netip.MustParseAddr("192.0.2.4")) || !d.Contains(ips[1]) {
		t.Fatalf("after eviction: len %d", d.Len())
	}
	d.Add(netip.Addr{})
	if d.Len() != 3 {
		t.Fatal("the zero address was added")
	}
	d.Clear()
	if d.Len() != 0 || d.Contains(ips[1]) {
		t.Fatal("not cleared")
	}
}

func TestBanSubnet(t *testing.T) {
	path := t.TempDir() + "/bans.json"
	white := netip.MustParsePrefix("192.0.2.7/32")
	l, err := OpenBanList(BanConfig{Path: path, Whitelist: []netip.Prefix{white}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := l.BanSubnet(netip.MustParsePrefix("192.0.2.99/24"), 0, "operator"); !ok || err != nil {
		t.Fatalf("ban: %v %v", ok, err)
	}
	for ip, want := range map[string]bool{"192.0.2.9": true, "::ffff:192.0.2.200": true, "192.0.3.1": false, "192.0.2.7": false} {
		if got := l.Banned(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Banned(%s) = %v", ip, got)
		}
	}
	// Persisted, with the subnet, and read back.
	l2, err := OpenBanList(BanConfig{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if bs := l2.List(); len(bs) != 1 || bs[0].Subnet != netip.MustParsePrefix("192.0.2.0/24") || !l2.Banned(netip.MustParseAddr("192.0.2.1")) {
		t.Fatalf("reloaded %+v", bs)
	}
	if ok, _ := l2.UnbanSubnet(netip.MustParsePrefix("192.0.2.0/24")); !ok || l2.Banned(netip.MustParseAddr("192.0.2.1")) {
		t.Fatal("unban")
	}
	l2.Ban(netip.MustParseAddr("198.51.100.1"), 0, "x")
	if err := l2.Clear(); err != nil || len(l2.List()) != 0 {
		t.Fatal("clear")
	}
}
