package addrmgr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
func ip(s string) netip.Addr     { return netip.MustParseAddr(s) }

func na(s string, ts time.Time) wire.NetAddress {
	a := ap(s)
	return wire.NetAddress{Timestamp: uint32(ts.Unix()), Services: wire.SFNodeNetwork, IP: a.Addr().Unmap(), Port: a.Port()}
}

// testKey replaces the manager's random key in tests. Where an address
// lands comes from the key, and a taken slot rightly refuses a newcomer;
// with a fixed key the addresses of a test land in the same slots every
// run, so a test checks its rule and never a chance collision (with random
// keys, TestAddRules and TestGoodSelectTerrible each failed about one run
// in 60).
var testKey = [32]byte{1, 2, 3}

// newTest returns a manager with testKey, unless it loads a saved table
// (which keeps its own key).
func newTest(t *testing.T, cfg Config) *Manager {
	t.Helper()
	_, statErr := os.Stat(cfg.Path)
	fresh := cfg.Path == "" || errors.Is(statErr, fs.ErrNotExist)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fresh {
		m.key = testKey
	}
	return m
}

func TestGroup(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"1.2.3.4", "1.2.200.1", true},
		{"1.2.3.4", "1.3.3.4", false},
		{"2a01:1234:5678::1", "2a01:1234:9999::2", true},
		{"2a01:1234::1", "2a01:1235::1", false},
		{"2001:470:1000::1", "2001:470:1fff::1", true},            // he.net /36
		{"2001:470:1000::1", "2001:470:2000::1", false},           // he.net /36
		{"2002:0102:0304::1", "1.2.99.99", true},                  // 6to4 embeds 1.2.3.4
		{"2001:0:4136:e378:8000:63bf:fefd:fcfb", "1.2.3.4", true}, // Teredo, inverted 1.2.3.4
		{"64:ff9b::102:304", "1.2.5.5", true},                     // NAT64
		{"127.0.0.1", "::1", true},                                // local
		{"10.0.0.1", "192.168.1.1", true},                         // unroutable
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			if got := Group(ip(tt.a)) == Group(ip(tt.b)); got != tt.same {
				t.Errorf("same group = %v, want %v (%q, %q)", got, tt.same, Group(ip(tt.a)), Group(ip(tt.b)))
			}
		})
	}
}

func TestIsRoutable(t *testing.T) {
	tests := map[string]bool{
		"8.8.8.8": true, "1.2.3.4": true, "2a00:1450::1": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.0.1": false,
		"169.254.1.1": false, "100.64.0.1": false, "198.18.0.1": false, "192.0.2.1": false,
		"0.0.0.0": false, "224.0.0.1": false, "240.0.0.1": false, "255.255.255.255": false,
		"::1": false, "::": false, "fe80::1": false, "fc00::1": false, "2001:db8::1": false,
		"2001:10::1": false, "ff02::1": false,
	}
	for s, want := range tests {
		if got := IsRoutable(ip(s)); got != want {
			t.Errorf("IsRoutable(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestAddRules(t *testing.T) {
	now := time.Now()
	m := newTest(t, Config{})
	src := ip("9.9.9.9")
	tests := []struct {
		name string
		addr wire.NetAddress
		ok   bool
	}{
		{"routable", na("1.2.3.4:8333", now), true},
		{"duplicate", na("1.2.3.4:8333", now), false},
		{"other port", na("1.2.3.4:8334", now), true},
		{"port 0", na("1.2.3.5:0", now), false},
		{"loopback", na("127.0.0.1:8333", now), false},
		{"private", na("192.168.1.1:8333", now), false},
		{"unspecified", na("0.0.0.0:8333", now), false},
		{"ipv6", na("[2a00:1450::1]:8333", now), true},
		{"future", na("5.6.7.8:8333", now.Add(time.Hour)), true},
	}
	for _, tt := range tests {
		if got := m.Add([]wire.NetAddress{tt.addr}, src) == 1; got != tt.ok {
			t.Errorf("%s: added = %v, want %v", tt.name, got, tt.ok)
		}
	}
	ka, ok := m.Lookup(ap("5.6.7.8:8333"))
	if !ok || !ka.Timestamp.Before(now.Add(-4*24*time.Hour)) {
		t.Errorf("future timestamp not re-dated: %v", ka.Timestamp)
	}
	if s := m.Stats(); s.Refused != 4 || s.New != 4 {
		t.Errorf("stats %+v", s)
	}
	// AllowLocal lets loopback in.
	m2 := newTest(t, Config{AllowLocal: true})
	if !m2.AddAddress(ap("127.0.0.1:18444"), 0, ip("127.0.0.1")) {
		t.Error("AllowLocal refused loopback")
	}
}

// A flood from one source group reaches at most 64 new buckets, whatever
// the addresses: the source cannot fill the table.
func TestSourceGroupBucketLimit(t *testing.T) {
	m := newTest(t, Config{})
	now := time.Now()
	var addrs []wire.NetAddress
	for i := range 20000 {
		addrs = append(addrs, na(fmt.Sprintf("%d.%d.%d.1:8333", 1+i%200, i/200%250, i%7), now))
	}
	m.Add(addrs, ip("9.9.1.1"))
	m.Add(addrs, ip("9.9.2.2")) // same /16 source group
	buckets := map[int]bool{}
	for b := range m.newTable {
		for _, e := range m.newTable[b] {
			if e != nil {
				buckets[b] = true
			}
		}
	}
	if len(buckets) > newBucketsPerSourceGroup {
		t.Errorf("one source group filled %d buckets, limit %d", len(buckets), newBucketsPerSourceGroup)
	}
	if n := m.Len(); n > newBucketsPerSourceGroup*BucketSize {
		t.Errorf("%d addresses kept from one source group", n)
	}
}

func TestGoodSelectTerrible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newTest(t, Config{})
		now := time.Now()
		m.Add([]wire.NetAddress{na("1.2.3.4:8333", now), na("5.6.7.8:8333", now)}, ip("9.9.9.9"))
		m.Good(ap("1.2.3.4:8333"))
		if s := m.Stats(); s.Tried != 1 || s.New != 1 {
			t.Fatalf("stats after Good: %+v", s)
		}
		seen := map[netip.AddrPort]bool{}
		for range 200 {
			ka, ok := m.Select(false)
			if !ok {
				t.Fatal("Select found nothing")
			}
			seen[ka.Addr] = true
		}
		if len(seen) != 2 {
			t.Errorf("Select picked %v", seen)
		}
		if ka, _ := m.Select(true); ka.Addr != ap("5.6.7.8:8333") {
			t.Errorf("Select(newOnly) = %v", ka.Addr)
		}
		// Three failed attempts without a success make it terrible.
		for range 3 {
			m.Attempt(ap("5.6.7.8:8333"))
		}
		time.Sleep(2 * time.Minute)
		for _, a := range m.GetAddr() {
			if a.AddrPort() == ap("5.6.7.8:8333") {
				t.Error("terrible address in GetAddr")
			}
		}
		// ... and loses its slot to a newcomer hashing to the same place.
		e := m.addrs[ap("5.6.7.8:8333")]
		if !e.isTerrible(time.Now()) {
			t.Error("not terrible")
		}
	})
}

func TestGetAddrShare(t *testing.T) {
	m := newTest(t, Config{})
	now := time.Now()
	for i := range 200 {
		var addrs []wire.NetAddress
		for j := range 50 {
			addrs = append(addrs, na(fmt.Sprintf("%d.%d.1.%d:8333", 1+i, j, 1+j), now))
		}
		m.Add(addrs, ip(fmt.Sprintf("9.%d.1.1", i)))
	}
	n := m.Len()
	got := m.GetAddr()
	want := min(n*23/100, 1000)
	if len(got) != want {
		t.Errorf("GetAddr gave %d of %d, want %d", len(got), n, want)
	}
	small := newTest(t, Config{})
	for i := range 100 {
		small.AddAddress(ap(fmt.Sprintf("%d.1.1.1:8333", i+1)), 0, ip(fmt.Sprintf("9.%d.1.1", i)))
	}
	if got := len(small.GetAddr()); got != small.Len()*23/100 {
		t.Errorf("GetAddr of %d gave %d", small.Len(), got)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peers.json")
	m := newTest(t, Config{Path: path})
	m.Start()
	now := time.Now()
	m.Add([]wire.NetAddress{na("1.2.3.4:8333", now), na("5.6.7.8:8333", now), na("[2a00:1::1]:8333", now)}, ip("9.9.9.9"))
	m.Good(ap("5.6.7.8:8333"))
	m.Attempt(ap("1.2.3.4:8333"))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files (temporary left behind?)", len(entries))
	}
	m2 := newTest(t, Config{Path: path})
	if m2.key != m.key {
		t.Error("key not kept")
	}
	if s := m2.Stats(); s.New != 2 || s.Tried != 1 {
		t.Errorf("reloaded stats %+v", s)
	}
	if ka, _ := m2.Lookup(ap("1.2.3.4:8333")); ka.Attempts != 1 || ka.Source != ip("9.9.9.9") {
		t.Errorf("reloaded entry %+v", ka)
	}
	// A corrupt file is an error, not a silent reset.
	os.WriteFile(path, []byte("{"), 0o644)
	if _, err := New(Config{Path: path}); !errors.Is(err, ErrBadFile) {
		t.Errorf("corrupt file: %v", err)
	}
}

func TestIterator(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newTest(t, Config{DefaultPort: 8333})
		it := m.Iterator()
		got := make(chan netip.AddrPort, 10)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for it.Next() {
				got <- it.Candidate().Addr
			}
		}()
		synctest.Wait()
		if len(got) != 0 {
			t.Fatal("iterator yielded from an empty manager")
		}
		now := time.Now()
		m.Add([]wire.NetAddress{na("1.2.3.4:8333", now), na("1.2.9.9:8333", now), na("7.7.7.7:8333", now)}, ip("9.9.9.9"))
		synctest.Wait()
		seen := map[netip.AddrPort]bool{}
		for len(got) > 0 {
			seen[<-got] = true
		}
		if len(seen) != 3 {
			t.Errorf("iterator yielded %v, want all three once", seen)
		}
		// Nothing new: it waits (recently yielded addresses are skipped).
		time.Sleep(time.Minute)
		synctest.Wait()
		if len(got) != 0 {
			t.Errorf("yielded again within 10 minutes: %v", <-got)
		}
		it.Close()
		<-done
	})
}

func TestBanList(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bans.json")
		l, err := OpenBanList(BanConfig{Path: path, Whitelist: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := l.Ban(ip("1.2.3.4"), 0, "test"); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, _ := l.Ban(ip("10.1.1.1"), 0, "test"); ok {
			t.Error("whitelisted address banned")
		}
		l.Ban(ip("5.6.7.8"), time.Hour, "short")
		if !l.Banned(ip("1.2.3.4")) || !l.Banned(netip.AddrFrom16(ip("1.2.3.4").As16())) || l.Banned(ip("10.1.1.1")) {
			t.Error("Banned wrong")
		}
		l2, err := OpenBanList(BanConfig{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if len(l2.List()) != 2 || !l2.Banned(ip("1.2.3.4")) {
			t.Errorf("reloaded %v", l2.List())
		}
		time.Sleep(2 * time.Hour)
		if l2.Banned(ip("5.6.7.8")) || !l2.Banned(ip("1.2.3.4")) {
			t.Error("expiry wrong")
		}
		time.Sleep(23 * time.Hour)
		if l2.Banned(ip("1.2.3.4")) {
			t.Error("24 h ban still in force")
		}
		l2.Unban(ip("1.2.3.4"))
		if l3, _ := OpenBanList(BanConfig{Path: path}); len(l3.List()) != 0 {
			t.Errorf("expired bans reloaded: %v", l3.List())
		}
	})
}

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestSeeds(t *testing.T) {
	m := newTest(t, Config{})
	r := fakeResolver{"seed.a": {ip("1.2.3.4"), ip("2a00::1")}, "seed.b": {ip("5.6.7.8")}}
	p := chain.MainNetParams()
	if n := m.SeedFromDNS(context.Background(), r, []string{"seed.a", "seed.b", "seed.broken"}, p.DefaultPort); n != 3 {
		t.Errorf("seeded %d", n)
	}
	ka, ok := m.Lookup(ap("1.2.3.4:8333"))
	if age := time.Since(ka.Timestamp); !ok || age < 3*24*time.Hour || age > 7*24*time.Hour+time.Minute {
		t.Errorf("seed age %v", age)
	}
	if n := m.AddFixedSeeds([]netip.AddrPort{ap("9.8.7.6:8333")}); n != 1 {
		t.Errorf("fixed seeds %d", n)
	}
	_ = FixedSeeds(p)
}

// fakePeer records what the relay sends it.
type fakePeer struct {
	addr    net.Addr
	inbound bool
	v2      bool
	mu      sync.Mutex
	sent    []wire.Message
}

func newFakePeer(s string, inbound bool) *fakePeer {
	return &fakePeer{addr: net.TCPAddrFromAddrPort(ap(s)), inbound: inbound}
}
func (p *fakePeer) Send(m wire.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, m)
	return nil
}
func (p *fakePeer) Inbound() bool     { return p.inbound }
func (p *fakePeer) WantsAddrV2() bool { return p.v2 }
func (p *fakePeer) Addr() net.Addr    { return p.addr }
func (p *fakePeer) addrsSent() (n int, msgs []wire.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.sent {
		switch m := m.(type) {
		case *wire.MsgAddr:
			n += len(m.AddrList)
		case *wire.MsgAddrV2:
			n += len(m.AddrList)
		}
	}
	return n, append([]wire.Message(nil), p.sent...)
}

func TestRelayRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newTest(t, Config{})
		r := NewRelay(RelayConfig{Manager: m})
		r.Start()
		defer r.Close()
		in := newFakePeer("9.9.9.9:5000", true)
		r.AddPeer(in)
		now := time.Now()
		var flood []wire.NetAddress
		for i := range 1000 {
			flood = append(flood, na(fmt.Sprintf("%d.%d.1.1:8333", 1+i/250, i%250), now.Add(-time.Hour)))
		}
		r.HandleMessage(in, &wire.MsgAddr{AddrList: flood})
		if s := r.Stats(); s.RateLimited != 999 || m.Len() != 1 {
			t.Errorf("unsolicited flood: stats %+v, manager %d", s, m.Len())
		}
		// 100 s later the bucket holds 10 more tokens.
		time.Sleep(100 * time.Second)
		r.HandleMessage(in, &wire.MsgAddr{AddrList: flood[1:]})
		if got := m.Len(); got != 11 {
			t.Errorf("after 100 s: %d addresses, want 11", got)
		}
		// An outbound peer we asked (getaddr) may answer with 1,000.
		out := newFakePeer("8.8.8.8:8333", false)
		r.AddPeer(out)
		if _, msgs := out.addrsSent(); len(msgs) != 1 || msgs[0].Command() != wire.CmdGetAddr {
			t.Fatalf("outbound peer not asked: %v", msgs)
		}
		var reply []wire.NetAddress
		for i := range 1000 {
			reply = append(reply, na(fmt.Sprintf("%d.%d.1.1:8333", 50+i/250, i%250), now.Add(-time.Hour)))
		}
		r.HandleMessage(out, &wire.MsgAddr{AddrList: reply})
		// One source reaches 64 buckets: some collide, most get in.
		if got := m.Len(); got < 11+800 {
			t.Errorf("getaddr reply limited: %d addresses", got)
		}
	})
}

func TestRelayForwardAndGetAddr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newTest(t, Config{})
		r := NewRelay(RelayConfig{Manager: m, FlushInterval: time.Second})
		r.Start()
		defer r.Close()
		src := newFakePeer("9.9.9.9:5000", true)
		var others []*fakePeer
		r.AddPeer(src)
		for i := range 5 {
			p := newFakePeer(fmt.Sprintf("10.0.0.%d:8333", i+1), true)
			p.v2 = i == 0
			others = append(others, p)
			r.AddPeer(p)
		}
		fresh := na("1.2.3.4:8333", time.Now())
		r.HandleMessage(src, &wire.MsgAddr{AddrList: []wire.NetAddress{fresh}})
		// The same announcement again goes nowhere new.
		r.HandleMessage(src, &wire.MsgAddr{AddrList: []wire.NetAddress{fresh}})
		time.Sleep(time.Minute)
		synctest.Wait()
		got := 0
		for _, p := range others {
			n, _ := p.addrsSent()
			got += n
		}
		if got != relayFanout {
			t.Errorf("fresh address forwarded %d times, want %d", got, relayFanout)
		}
		if n, _ := src.addrsSent(); n != 0 {
			t.Error("forwarded back to its source")
		}
		// An old address is not forwarded.
		r.HandleMessage(src, &wire.MsgAddr{AddrList: []wire.NetAddress{na("4.4.4.4:8333", time.Now().Add(-time.Hour))}})
		time.Sleep(time.Minute)
		synctest.Wait()
		if s := r.Stats(); s.Forwarded != relayFanout {
			t.Errorf("forwarded %d", s.Forwarded)
		}

		// getaddr: inbound once, outbound never.
		q := newFakePeer("7.7.7.7:1000", true)
		r.AddPeer(q)
		r.HandleMessage(q, &wire.MsgGetAddr{})
		r.HandleMessage(q, &wire.MsgGetAddr{})
		_, msgs := q.addrsSent()
		if len(msgs) != 0 {
			// Two addresses: 23 % rounds to 0; add more and retry below.
			t.Logf("reply to tiny table: %v", msgs)
		}
		if s := r.Stats(); s.GetAddrs != 1 || s.GetAddrsIgn != 1 {
			t.Errorf("getaddr stats %+v", s)
		}
		o := newFakePeer("6.6.6.6:8333", false)
		r.AddPeer(o)
		r.HandleMessage(o, &wire.MsgGetAddr{})
		if s := r.Stats(); s.GetAddrsIgn != 2 {
			t.Errorf("outbound getaddr answered: %+v", s)
		}
	})
}

// banRecorder records the observer's ban labels.
type banRecorder struct {
	p2p.NopObserver
	mu     sync.Mutex // guards labels
	labels []string
}

func (r *banRecorder) Banned(reason string) {
	r.mu.Lock()
	r.labels = append(r.labels, reason)
	r.mu.Unlock()
}

// TestBanObserver: each ban, and no refused one, reaches the observer with
// the kind of its reason.
func TestBanObserver(t *testing.T) {
	obs := &banRecorder{}
	l, err := OpenBanList(BanConfig{Whitelist: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	l.Ban(ip("1.2.3.4"), 0, "btcpeer: malformed message: block: unexpected EOF")
	l.Ban(ip("10.1.1.1"), 0, "whitelisted: not banned")
	l.Ban(ip("1.2.3.5"), 0, "invalid block: bad merkle root")
	if want := []string{"malformed message", "invalid block"}; !slices.Equal(obs.labels, want) {
		t.Errorf("labels %q, want %q", obs.labels, want)
	}
	for _, tc := range []struct{ reason, want string }{
		{"inventory flood", "inventory flood"},
		{"btcpeer: request stalled: no [headers] within 30s", "request stalled"},
		{"invalid header: time too old", "invalid header"},
		{"", "unspecified"},
		{"  ", "unspecified"},
		{"netsync:", "netsync:"},
		{strings.Repeat("long reason ", 10), "long reason long reason long rea"},
	} {
		if got := banLabel(tc.reason); got != tc.want {
			t.Errorf("banLabel(%q) = %q, want %q", tc.reason, got, tc.want)
		}
	}
}

// localSent returns how many times p was sent addr.
func localSent(p *fakePeer, addr netip.AddrPort) int {
	_, msgs := p.addrsSent()
	n := 0
	for _, m := range msgs {
		if m, ok := m.(*wire.MsgAddr); ok {
			for _, a := range m.AddrList {
				if a.AddrPort() == addr {
					n++
				}
			}
		}
	}
	return n
}

// Our own address goes to every peer soon after the handshake, then about
// once a day; never when the node has none to give.
func TestRelayAdvertisesLocal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newTest(t, Config{})
		self := ap("203.0.113.7:8333")
		var have atomic.Bool
		have.Store(true)
		r := NewRelay(RelayConfig{Manager: m, FlushInterval: time.Second, Local: func() (wire.NetAddress, bool) {
			return wire.NetAddress{Services: wire.SFNodeNetwork, IP: self.Addr(), Port: self.Port()}, have.Load()
		}})
		r.Start()
		defer r.Close()
		in, out := newFakePeer("9.9.9.9:5000", true), newFakePeer("8.8.8.8:8333", false)
		r.AddPeer(in)
		r.AddPeer(out)
		time.Sleep(time.Minute)
		synctest.Wait()
		for _, p := range []*fakePeer{in, out} {
			if n := localSent(p, self); n != 1 {
				t.Fatalf("%v got our address %d times in the first minute, want 1", p.addr, n)
			}
		}
		// Mean one a day: over ten days, each peer gets it about ten more
		// times (Poisson; the bounds fail about once in 10^6 runs).
		time.Sleep(10 * 24 * time.Hour)
		synctest.Wait()
		for _, p := range []*fakePeer{in, out} {
			if n := localSent(p, self); n < 2 || n > 30 {
				t.Fatalf("%v got our address %d times in ten days, want about 11", p.addr, n)
			}
		}
		_, msgs := in.addrsSent()
		if a := msgs[0].(*wire.MsgAddr).AddrList[0]; a.Services != wire.SFNodeNetwork || a.Timestamp == 0 {
			t.Errorf("advertised %+v: want our services and a fresh timestamp", a)
		}
		// No address to give: nothing more is sent.
		have.Store(false)
		before := localSent(in, self)
		time.Sleep(10 * 24 * time.Hour)
		synctest.Wait()
		if n := localSent(in, self); n != before {
			t.Fatalf("sent our address %d more times without one", n-before)
		}
	})
}
