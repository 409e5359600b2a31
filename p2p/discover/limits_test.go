package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
)

func TestIPLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newIPLimiter(10, 20)
	ip := netip.MustParseAddr("1.2.3.4")
	n := 0
	for l.allow(ip, now) {
		n++
	}
	if n != 20 {
		t.Fatalf("burst %d, want 20", n)
	}
	if !l.allow(ip, now.Add(100*time.Millisecond)) || l.allow(ip, now.Add(100*time.Millisecond)) {
		t.Fatal("refill after 100ms should allow exactly one")
	}
	if !l.allow(netip.MustParseAddr("1.2.3.5"), now) {
		t.Fatal("other IP limited")
	}
	if !l.allow(netip.MustParseAddr("::ffff:1.2.3.5"), now) || len(l.buckets) != 2 {
		t.Fatal("IPv4-mapped address tracked apart")
	}
	for range 100 {
		if !l.allow(netip.MustParseAddr("127.0.0.1"), now) {
			t.Fatal("loopback limited")
		}
	}
}

// TestIPLimiterBounded checks that spoofed sources cannot grow the map
// beyond its bound, nor gain budget once it is full.
func TestIPLimiterBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newIPLimiter(1, 2)
	l.max = 100
	allowed := 0
	for i := range 1000 {
		ip := netip.AddrFrom4([4]byte{1, byte(i >> 16), byte(i >> 8), byte(i)})
		if l.allow(ip, now) {
			allowed++
		}
	}
	if len(l.buckets) > 100 {
		t.Fatalf("%d buckets", len(l.buckets))
	}
	// 100 tracked IPs got a token each; the other 900 shared the overflow
	// bucket's burst of 2.
	if allowed != 102 {
		t.Fatalf("%d allowed", allowed)
	}
	// Once the tracked buckets have refilled they are pruned for new IPs.
	if !l.allow(netip.MustParseAddr("9.9.9.9"), now.Add(time.Hour)) || l.buckets[netip.MustParseAddr("9.9.9.9")] == nil {
		t.Fatal("idle buckets not pruned")
	}
}

func TestReplayCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newReplayCache()
	h1, h2 := v4wire.Hash{1}, v4wire.Hash{2}
	c.add(h1, now.Add(20*time.Second), now)
	c.add(h2, now.Add(time.Hour), now) // capped at maxReplayWindow
	if !c.contains(h1, now) || !c.contains(h2, now) {
		t.Fatal("not remembered")
	}
	if c.contains(h1, now.Add(21*time.Second)) {
		t.Fatal("remembered past expiration")
	}
	if c.contains(h2, now.Add(maxReplayWindow+time.Second)) {
		t.Fatal("remembered past the window")
	}
	c.add(v4wire.Hash{3}, now.Add(-time.Second), now) // already expired
	if c.contains(v4wire.Hash{3}, now) {
		t.Fatal("expired packet remembered")
	}
	c.expire(now.Add(2 * maxReplayWindow))
	if c.len() != 0 {
		t.Fatalf("%d entries after expiry", c.len())
	}
}

func TestReplayCacheBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newReplayCache()
	for i := range maxReplayEntries + 100 {
		c.add(v4wire.Hash{byte(i), byte(i >> 8), byte(i >> 16)}, now.Add(time.Minute), now)
	}
	if c.len() != maxReplayEntries {
		t.Fatalf("%d entries", c.len())
	}
	if c.contains(v4wire.Hash{0, 0, 0}, now) {
		t.Fatal("oldest entry not evicted")
	}
	if len(c.order)-c.head > maxReplayEntries+1 {
		t.Fatalf("FIFO holds %d", len(c.order)-c.head)
	}
}

func TestCheckRelayIP(t *testing.T) {
	tests := []struct {
		sender, ip string
		ok         bool
	}{
		{"1.1.1.1", "8.8.8.8", true},
		{"1.1.1.1", "127.0.0.1", false},
		{"127.0.0.1", "127.0.0.1", true},
		{"1.1.1.1", "10.0.0.1", false},
		{"10.0.0.2", "10.0.0.1", true},
		{"127.0.0.1", "10.0.0.1", true},
		{"1.1.1.1", "0.0.0.0", false},
		{"1.1.1.1", "224.0.0.1", false},
		{"1.1.1.1", "192.0.2.1", false},
		{"1.1.1.1", "2001:db8::1", false},
		{"1.1.1.1", "2a01:4f8::1", true},
		{"1.1.1.1", "::ffff:8.8.8.8", true},
	}
	for _, tc := range tests {
		err := checkRelayIP(netip.MustParseAddr(tc.sender), netip.MustParseAddr(tc.ip))
		if (err == nil) != tc.ok {
			t.Errorf("checkRelayIP(%s, %s) = %v, want ok=%v", tc.sender, tc.ip, err, tc.ok)
		}
	}
	if checkRelayIP(netip.MustParseAddr("1.1.1.1"), netip.Addr{}) == nil {
		t.Error("invalid IP relayed")
	}
}
