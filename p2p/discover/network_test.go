package discover

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/internal/memnet"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

// startUDP starts a node on a real UDP socket on 127.0.0.1.
func startUDP(t *testing.T, cfg Config) *UDPv4 {
	t.Helper()
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.PrivateKey = newKey(t)
	ln := newLocalNode(cfg.PrivateKey, conn.LocalAddr().(*net.UDPAddr).AddrPort(), "devnet")
	d, err := Listen(conn, ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func hasNode(d *UDPv4, id enode.ID) bool {
	return slices.ContainsFunc(d.TableNodes(), func(n *enode.Node) bool { return n.ID() == id })
}

// TestUDPLoopback runs two, then three nodes on real sockets: each finds
// the others, starting from the first.
func TestUDPLoopback(t *testing.T) {
	boot := startUDP(t, Config{})
	defer boot.Close()
	cfg := Config{Bootnodes: []*enode.Node{boot.Self()}}
	a := startUDP(t, cfg)
	defer a.Close()
	waitFor(t, time.Minute, "two nodes know each other", func() bool {
		return hasNode(a, boot.Self().ID()) && hasNode(boot, a.Self().ID())
	})
	b := startUDP(t, cfg)
	defer b.Close()
	nodes := []*UDPv4{boot, a, b}
	waitFor(t, time.Minute, "three nodes know each other", func() bool {
		for _, x := range nodes {
			for _, y := range nodes {
				if x != y && !hasNode(x, y.Self().ID()) {
					return false
				}
			}
		}
		return true
	})
	// A lookup from a for b's key finds b, and b's record resolves.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := a.Lookup(ctx, v4wire.EncodePubkey(b.Self().Pubkey()))
	if len(res) == 0 || res[0].ID() != b.Self().ID() {
		t.Fatalf("lookup of b's key: %v", res)
	}
	rn := a.Resolve(ctx, res[0])
	if nw, _ := rn.Network(); nw != "devnet" || rn.Seq() != b.Self().Seq() {
		t.Fatalf("resolved %v", rn)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRestartSeedsFromDB restarts a node on its database without
// bootnodes: it must find the network again through the nodes it stored.
func TestRestartSeedsFromDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		boot := startMem(t, mn, "10.0.0.1", Config{})
		defer boot.Close()
		other := startMem(t, mn, "10.0.0.3", Config{Bootnodes: []*enode.Node{boot.Self()}})
		defer other.Close()

		key := newKey(t)
		db, err := nodedb.Open(path, nodedb.Config{})
		if err != nil {
			t.Fatal(err)
		}
		a := startMem(t, mn, "10.0.0.2", Config{PrivateKey: key, DB: db, Bootnodes: []*enode.Node{boot.Self()}})
		// Revalidation stores the nodes it finds alive. Usually both are
		// stored within a minute, but in about 2 runs in 100 (the order in
		// which the three nodes meet varies) the second comes later: give
		// it up to five minutes.
		for range 5 {
			time.Sleep(time.Minute)
			if len(db.QuerySeeds(30, time.Hour)) >= 2 {
				break
			}
		}
		a.Close()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		db, err = nodedb.Open(path, nodedb.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if seeds := db.QuerySeeds(30, time.Hour); len(seeds) < 2 {
			t.Fatalf("%d seeds stored", len(seeds))
		}
		a = startMem(t, mn, "10.0.0.2", Config{PrivateKey: key, DB: db}) // no bootnodes
		defer a.Close()
		a.WaitInit(t.Context())
		if !hasNode(a, boot.Self().ID()) || !hasNode(a, other.Self().ID()) {
			t.Fatalf("restarted node's table: %v", a.TableNodes())
		}
		if db.LocalSeq(a.Self().ID()) < a.Self().Seq() {
			t.Fatal("local record seq not stored")
		}
	})
}

// TestRandomNodes checks the dial iterator: it yields only nodes whose
// record names our network (fetching records it does not know), with
// their TCP endpoints, and stops on Close.
func TestRandomNodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		boot := startMemNet(t, mn, "10.0.0.1", "devnet", Config{})
		defer boot.Close()
		bn := []*enode.Node{boot.Self()}
		var want []enode.ID
		var others []*UDPv4
		for i, nw := range []string{"devnet", "devnet", "othernet", "", "devnet", "othernet"} {
			d := startMemNet(t, mn, "10.0.1."+itoa(i+1), nw, Config{Bootnodes: bn})
			defer d.Close()
			others = append(others, d)
			if nw == "devnet" {
				want = append(want, d.Self().ID())
			}
		}
		want = append(want, boot.Self().ID())
		for _, d := range others {
			d.WaitInit(t.Context())
		}
		me := startMem(t, mn, "10.0.2.1", Config{Network: "devnet", Bootnodes: bn})
		defer me.Close()

		it := me.RandomNodes()
		guard := time.AfterFunc(10*time.Minute, it.Close) // if a node is never found
		defer guard.Stop()
		got := map[enode.ID]bool{}
		for len(got) < len(want) && it.Next() {
			c := it.Candidate()
			n := c.Node.(*enode.Node)
			if nw, _ := n.Network(); nw != "devnet" {
				t.Fatalf("candidate of network %q", nw)
			}
			if c.ID != n.ID() || c.Addr != netip.AddrPortFrom(n.IP(), n.TCP()) {
				t.Fatalf("candidate %v for node %v", c, n)
			}
			got[c.ID] = true
		}
		for _, id := range want {
			if !got[id] {
				t.Errorf("devnet node %s never yielded", id.TerminalString())
			}
		}
		done := make(chan bool)
		go func() { done <- it.Next() }()
		time.Sleep(time.Second)
		it.Close()
		if <-done && it.Next() {
			t.Fatal("Next true after Close")
		}
	})
}

var _ dial.Iterator = (*lookupIterator)(nil)

// TestRandomNodesClosedDiscovery checks that closing discovery ends an
// iterator blocked in Next.
func TestRandomNodesClosedDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{})
		it := d.RandomNodes()
		done := make(chan bool)
		go func() { done <- it.Next() }()
		time.Sleep(3 * time.Second)
		d.Close()
		if <-done {
			t.Fatal("Next true on an empty network")
		}
		it.Close()
	})
}

// TestResolveNewRecord checks that Resolve fetches a node's newer record.
func TestResolveNewRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		a := startMem(t, mn, "10.0.0.1", Config{})
		defer a.Close()
		b := startMem(t, mn, "10.0.0.2", Config{Bootnodes: []*enode.Node{a.Self()}})
		defer b.Close()
		old := b.Self()
		b.ln.Set(enr.Network("renamed"))
		rn := a.Resolve(t.Context(), old)
		if rn.Seq() <= old.Seq() {
			t.Fatalf("resolved seq %d, old %d", rn.Seq(), old.Seq())
		}
		if nw, _ := rn.Network(); nw != "renamed" {
			t.Fatalf("resolved network %q", nw)
		}
	})
}

// TestFindnodeSplit checks that 16 nodes are answered in two packets, 12
// and 4, each within the size limit, and that only live nodes are named.
func TestFindnodeSplit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{})
		defer d.Close()
		d.WaitInit(t.Context())
		for i := range 20 {
			p := newRawPeer(t, mn, "10.0.1."+itoa(i+1))
			p.bond(d)
		}
		synctest.Wait()
		if d.TableLen() < bucketSize {
			t.Fatalf("table has %d nodes", d.TableLen())
		}
		p := newRawPeer(t, mn, "10.0.2.1")
		p.bond(d)
		p.send(d, &v4wire.Findnode{Target: randomTarget(), Expiration: future()})
		synctest.Wait()
		got := p.drain()
		if len(got) != 2 {
			t.Fatalf("%d packets", len(got))
		}
		a, b := got[0].p.(*v4wire.Neighbors), got[1].p.(*v4wire.Neighbors)
		if len(a.Nodes) != v4wire.MaxNeighbors || len(b.Nodes) != bucketSize-v4wire.MaxNeighbors {
			t.Fatalf("split %d + %d", len(a.Nodes), len(b.Nodes))
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
