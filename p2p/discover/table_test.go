package discover

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// fakeTransport answers the table's pings from a list of dead nodes.
type fakeTransport struct {
	selfNode *enode.Node
	mu       sync.Mutex
	dead     map[enode.ID]bool
	pinged   map[enode.ID]int
	lookups  int
	onLookup func() // runs on each lookup, when set
}

func newFakeTransport(tb testing.TB) *fakeTransport {
	key := newKey(tb)
	return &fakeTransport{
		selfNode: newLocalNode(key, netip.MustParseAddrPort("10.0.0.1:30303"), "").Node(),
		dead:     make(map[enode.ID]bool),
		pinged:   make(map[enode.ID]int),
	}
}

func (f *fakeTransport) self() *enode.Node { return f.selfNode }
func (f *fakeTransport) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pinged[n.ID()]++
	if f.dead[n.ID()] {
		return 0, ErrTimeout
	}
	return n.Seq(), nil
}
func (f *fakeTransport) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	return nil, ErrTimeout
}
func (f *fakeTransport) lookup(ctx context.Context, target v4wire.Pubkey, wait bool) []*enode.Node {
	f.mu.Lock()
	f.lookups++
	hook := f.onLookup
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	return nil
}

func (f *fakeTransport) lookupCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookups
}
func (f *fakeTransport) kill(id enode.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead[id] = true
}

func newTestTable(tb testing.TB, cfg Config) (*Table, *fakeTransport) {
	tr := newFakeTransport(tb)
	cfg = cfg.withDefaults()
	db := nodedb.OpenMemory(nodedb.Config{})
	tb.Cleanup(func() { db.Close() })
	return newTable(tr, db, cfg), tr
}

// nodeAtDistance returns a node at log distance d from self, at ip.
func nodeAtDistance(tb testing.TB, self enode.ID, d int, ip string) *enode.Node {
	tb.Helper()
	for range 1 << 16 {
		k := newKey(tb)
		if enode.LogDist(self, enode.PubkeyToID(k.PubKey())) == d {
			return enode.NewV4(k.PubKey(), netip.MustParseAddr(ip), 30303, 30303)
		}
	}
	tb.Fatalf("no key at distance %d", d)
	return nil
}

func TestTableBucketIndex(t *testing.T) {
	for _, tc := range []struct{ dist, bucket int }{{256, 16}, {255, 15}, {242, 2}, {241, 1}, {240, 0}, {239, 0}, {1, 0}} {
		if got := bucketIndex(tc.dist); got != tc.bucket {
			t.Errorf("distance %d in bucket %d, want %d", tc.dist, got, tc.bucket)
		}
	}
	tab, _ := newTestTable(t, Config{})
	n := nodeAtDistance(t, tab.self, 254, "1.2.3.4")
	if tab.bucket(n.ID()) != tab.buckets[14] {
		t.Error("distance 254 not in bucket 14")
	}
}

func TestTableSubnetLimits(t *testing.T) {
	tab, _ := newTestTable(t, Config{})
	// Per bucket: at most 2 of one /24.
	for i := range 3 {
		n := nodeAtDistance(t, tab.self, 256, fmt.Sprintf("1.2.3.%d", i+1))
		if got, want := tab.addFoundNode(n), i < 2; got != want {
			t.Errorf("bucket node %d from 1.2.3.0/24: added %v, want %v", i, got, want)
		}
	}
	// Per table: at most 10 of one /24, across buckets (2 per bucket).
	added := 2 // the two above
	for d := 255; d >= 251; d-- {
		for i := range 2 {
			n := nodeAtDistance(t, tab.self, d, fmt.Sprintf("1.2.3.%d", 10*(256-d)+i))
			if tab.addFoundNode(n) {
				added++
			}
		}
	}
	if added != 10 {
		t.Errorf("%d nodes of 1.2.3.0/24 in the table, want 10", added)
	}
	// IPv6: /48.
	for i := range 3 {
		n := nodeAtDistance(t, tab.self, 256, fmt.Sprintf("2a01:4f8:1:%x::1", i))
		if got, want := tab.addFoundNode(n), i < 2; got != want {
			t.Errorf("IPv6 node %d of one /48: added %v, want %v", i, got, want)
		}
	}
	// LAN and loopback are exempt.
	for i := range 5 {
		n := nodeAtDistance(t, tab.self, 255, fmt.Sprintf("10.0.0.%d", i+1))
		if !tab.addFoundNode(n) {
			t.Errorf("LAN node %d refused", i)
		}
	}
}

func TestTableReplacements(t *testing.T) {
	tab, _ := newTestTable(t, Config{})
	var nodes []*enode.Node
	for i := range bucketSize + 12 {
		nodes = append(nodes, nodeAtDistance(t, tab.self, 256, fmt.Sprintf("1.2.%d.1", i)))
	}
	for i, n := range nodes {
		if got := tab.addFoundNode(n); got != (i < bucketSize) {
			t.Fatalf("node %d: added %v", i, got)
		}
	}
	b := tab.buckets[16]
	if len(b.entries) != bucketSize || len(b.replacements) != maxReplacements {
		t.Fatalf("%d entries, %d replacements", len(b.entries), len(b.replacements))
	}
	if b.replacements[0].n.ID() != nodes[len(nodes)-1].ID() {
		t.Error("replacements not most recent first")
	}
	// The two oldest replacements were pushed out, and their IPs freed.
	if !tab.ips.canAdd(nodes[bucketSize].IP()) || tab.ips.counts[subnetOf(nodes[bucketSize].IP())] != 0 {
		t.Error("IP of a dropped replacement still counted")
	}
}

func TestTableInboundBeforeInit(t *testing.T) {
	tab, _ := newTestTable(t, Config{})
	n := nodeAtDistance(t, tab.self, 256, "1.2.3.4")
	if tab.addInboundNode(n) {
		t.Fatal("inbound node added before the first refresh")
	}
	close(tab.initDone)
	if !tab.addInboundNode(n) {
		t.Fatal("inbound node refused after the first refresh")
	}
}

func TestTableClosestPrefersLive(t *testing.T) {
	tab, _ := newTestTable(t, Config{})
	close(tab.initDone)
	var live, unverified []*enode.Node
	for i := range 6 {
		n := nodeAtDistance(t, tab.self, 256-i%3, fmt.Sprintf("1.2.%d.1", i))
		if i%2 == 0 {
			tab.addInboundNode(n)
			live = append(live, n)
		} else {
			tab.addFoundNode(n)
			unverified = append(unverified, n)
		}
	}
	got := tab.closest(tab.self, bucketSize, true)
	if len(got) != len(live) {
		t.Fatalf("preferLive gave %d nodes, want the %d live ones", len(got), len(live))
	}
	for _, n := range got {
		if slices.Contains(unverified, n) {
			t.Fatalf("preferLive gave the unverified node %v", n.ID())
		}
	}
	if all := tab.closest(tab.self, bucketSize, false); len(all) != 6 {
		t.Fatalf("closest gave %d nodes", len(all))
	}
	for i := 1; i < len(got); i++ {
		if enode.DistCmp(tab.self, got[i-1].ID(), got[i].ID()) > 0 {
			t.Fatal("closest not sorted")
		}
	}
}

// TestRevalidationReplacesDead runs the table's loop in virtual time: a
// dead node is found by revalidation and replaced by a replacement, which
// is then checked in turn.
func TestRevalidationReplacesDead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{Clock: dial.SystemClock{}})
		var nodes []*enode.Node
		for i := range bucketSize + 3 {
			n := nodeAtDistance(t, tab.self, 256, fmt.Sprintf("1.2.%d.1", i))
			tab.addFoundNode(n)
			nodes = append(nodes, n)
		}
		victim := nodes[5]
		tr.kill(victim.ID())
		tab.start()
		defer tab.close()

		// Every entry gets checked within a minute (one per second on
		// average); the victim fails its first check and goes.
		time.Sleep(time.Minute)
		synctest.Wait()
		tab.mu.Lock()
		b := tab.buckets[16]
		if findEntry(b.entries, victim.ID()) != nil {
			t.Error("dead node still in the table")
		}
		if len(b.entries) != bucketSize || len(b.replacements) != 2 {
			t.Errorf("%d entries, %d replacements; want a replacement promoted", len(b.entries), len(b.replacements))
		}
		for _, e := range b.entries {
			if e.livenessChecks == 0 {
				t.Errorf("entry %v never checked", e.n.IP())
			}
		}
		tab.mu.Unlock()
		tr.mu.Lock()
		if tr.pinged[victim.ID()] != 1 {
			t.Errorf("victim pinged %d times", tr.pinged[victim.ID()])
		}
		tr.mu.Unlock()
	})
}

// TestRevalidationTolerance checks go-ethereum's liveness arithmetic: a node
// that answered many checks survives one failure.
func TestRevalidationTolerance(t *testing.T) {
	tab, _ := newTestTable(t, Config{})
	n := nodeAtDistance(t, tab.self, 256, "1.2.3.4")
	tab.addFoundNode(n)
	e := tab.buckets[16].entries[0]
	e.livenessChecks = 6
	tab.handleRevalidation(revalResult{e: e, n: n, alive: false})
	if tab.getNode(n.ID()) == nil || e.livenessChecks != 2 {
		t.Fatalf("node with 6 checks: after a failure in table=%v checks=%d", tab.getNode(n.ID()) != nil, e.livenessChecks)
	}
	tab.handleRevalidation(revalResult{e: e, n: n, alive: false})
	if tab.getNode(n.ID()) != nil {
		t.Fatal("node kept after its checks ran out")
	}
}

// While refreshes keep finding nodes the next one comes within seconds;
// once they find none, the wait doubles back to the periodic interval. A
// refresh is four lookups (our own ID and three random targets).
func TestAdaptiveRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{Clock: dial.SystemClock{}, NoRevalidate: true})
		// The first three refreshes (12 lookups) each find new nodes.
		var found int
		tr.onLookup = func() {
			if found < 12 {
				found++
				tab.addFoundNode(nodeAtDistance(t, tab.self, 256-found%3, fmt.Sprintf("10.%d.0.1", found)))
			}
		}
		tab.start()
		defer tab.close()
		refreshes := func() int { synctest.Wait(); return tr.lookupCount() / 4 }

		// Growing: each next refresh within 10 s, the fourth (first
		// fruitless) one by 30 s.
		time.Sleep(30*time.Second + time.Millisecond)
		if n := refreshes(); n < 4 {
			t.Fatalf("%d refreshes in the first 30 s of a growing table, want 4", n)
		}
		if tab.len() != 12 {
			t.Fatalf("table holds %d, want 12", tab.len())
		}
		// Settling: waits of 10–20, 20–40, …, 320–640 s after the fourth
		// to tenth refreshes (the tenth by 21.5 min), then only the
		// periodic ones, 15–30 min apart.
		time.Sleep(25 * time.Minute)
		settled := refreshes()
		if settled != 10 {
			t.Fatalf("%d refreshes by 25 min, want the backoff's 10", settled)
		}
		time.Sleep(time.Hour)
		if n := refreshes() - settled; n < 2 || n > 4 {
			t.Fatalf("%d refreshes in an hour of a settled table, want the periodic 2 to 4", n)
		}
	})
}

// A node alone (no bootnode, nothing found) backs off from the start.
func TestAdaptiveRefreshAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{Clock: dial.SystemClock{}, NoRevalidate: true})
		tab.start()
		defer tab.close()
		time.Sleep(time.Hour)
		synctest.Wait()
		// Start, then waits of 10–20, 20–40, …, 320–640 s (the seventh
		// refresh at 10.5 to 21 min), then periodic ones 15–30 min apart.
		if n := tr.lookupCount() / 4; n < 8 || n > 10 {
			t.Fatalf("%d refreshes in an hour alone, want 8 to 10", n)
		}
	})
}
