package btcnode

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync"
)

func TestTwoNodesSync(t *testing.T) {
	blocks := testChain(3000)
	a := startNode(t, testConfig(t, "a"), blocks)
	cfg := testConfig(t, "b")
	cfg.Connect = []string{a.addr()}
	b := startNode(t, cfg, nil)
	waitTip(t, b, tipOf(blocks), 3*time.Minute)
	eventually(t, time.Minute, "b synced", func() bool { return !b.ChainInfo().Syncing })

	ci := b.ChainInfo()
	if ci.Height != 3000 || ci.Headers != 3000 || ci.Outbound != 1 || ci.Network != "regtest" {
		t.Errorf("b's ChainInfo %+v", ci)
	}
	pi := b.PeersInfo()
	if len(pi) != 1 || pi[0].Inbound || !pi[0].Static || pi[0].SyncHeight != 3000 || pi[0].StartHeight != 3000 {
		t.Errorf("b's PeersInfo %+v", pi)
	}
	if ai := a.PeersInfo(); len(ai) != 1 || !ai[0].Inbound {
		t.Errorf("a's PeersInfo %+v", ai)
	}
	// a connected to b: a's address manager? b dialled a: b holds a as tried.
	if ka, ok := b.Addrs().Lookup(mustAddrPort(a.addr())); !ok || !ka.Tried {
		t.Errorf("b's address manager does not hold a as tried: %+v", ka)
	}
}

// Ten nodes on loopback, each dialling a few earlier ones, all reach the
// tip of the one that has the chain.
func TestTenNodesSync(t *testing.T) {
	blocks := testChain(1500)
	nodes := []*Node{startNode(t, testConfig(t, "n0"), blocks)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 1; i < 10; i++ {
		cfg := testConfig(t, fmt.Sprintf("n%d", i))
		for _, j := range r.Perm(i)[:min(i, 3)] {
			cfg.AddPeers = append(cfg.AddPeers, nodes[j].addr())
		}
		nodes = append(nodes, startNode(t, cfg, nil))
	}
	for i, n := range nodes {
		waitTip(t, n, tipOf(blocks), 3*time.Minute)
		t.Logf("n%d: %d peers, requested %d blocks", i, len(n.Peers()), n.Sync().Stats().BlocksRequested)
	}
	// A new block on n0 reaches all.
	more := extendChain(blocks, 1, "new")
	if err := nodes[0].Chain().ProcessBlocks(more); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		waitTip(t, n, tipOf(more), 3*time.Minute)
	}
}

// A node stopped mid-sync (as fast as Stop goes: in-flight and held blocks
// are lost) resumes from its database and asks for no block it stored.
func TestRestartMidSync(t *testing.T) {
	blocks := testChain(6000)
	a := startNode(t, testConfig(t, "a"), blocks)
	cfg := testConfig(t, "b")
	cfg.Connect = []string{a.addr()}
	cfg.Sync = netsync.Config{Window: 128, MaxInFlightLocal: 8}
	b := startNode(t, cfg, nil)
	eventually(t, 3*time.Minute, "b half way", func() bool { return b.Chain().Tip().Height >= 2000 })
	b.Stop()
	first := b.Sync().Stats().BlocksRequested

	st, err := store.Open(filepath.Join(cfg.DataDir, store.FileName), cfg.Params, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	stored := countStored(st, blocks)
	st.Close()
	b2 := startNode(t, cfg, nil)
	waitTip(t, b2, tipOf(blocks), 3*time.Minute)
	second := b2.Sync().Stats().BlocksRequested
	t.Logf("first run requested %d, stored %d; second run requested %d", first, stored, second)
	if int(second) != len(blocks)-stored {
		t.Errorf("second run requested %d blocks, want %d (every block not stored, once)", second, len(blocks)-stored)
	}
}

// A node with an external IP advertises it, with its listening port, to
// its peers, whose address managers learn it. b dials only a (Connect), so
// the advertised documentation address is never dialled.
func TestAdvertisesExternalIP(t *testing.T) {
	cfg := testConfig(t, "a")
	cfg.ExternalIP = netip.MustParseAddr("203.0.113.9")
	cfg.AddrRelay.FlushInterval = 50 * time.Millisecond
	a := startNode(t, cfg, nil)
	cfg = testConfig(t, "b")
	cfg.Connect = []string{a.addr()}
	b := startNode(t, cfg, nil)
	want := netip.AddrPortFrom(netip.MustParseAddr("203.0.113.9"), mustAddrPort(a.addr()).Port())
	eventually(t, time.Minute, "b to learn a's external address", func() bool {
		_, ok := b.Addrs().Lookup(want)
		return ok
	})
	if st := a.relay.Stats(); st.LocalSent == 0 {
		t.Errorf("a's relay stats %+v", st)
	}
}
