package interop

// Interop of ledgernet's Bitcoin sync, run as the real `ledgernet node
// --profile regtest` program, with btcd v0.26.2 on regtest, all on
// 127.0.0.1. ledgernet's state is read through its HTTP API and its command
// line client.

import (
	"strings"
	"testing"
	"time"
)

// (a) ledgernet syncs 600 blocks mined by btcd and reports the same tip;
// (b) it follows btcd's new blocks within seconds; (c) a fresh btcd that
// knows only ledgernet syncs the whole chain from it.
func TestBtcdSync(t *testing.T) {
	a := startBtcd(t, "a", 1)
	a.generate(600)
	want := a.bestHash().String()

	l := startLedgernet(t, "l", "--connect", a.p2p)
	d := waitFor(t, 3*time.Minute, "ledgernet synced from btcd", func() bool { return l.tip() == want })
	ci := l.cliChain()
	t.Logf("(a) ledgernet synced 600 btcd blocks in %v: height %d tip %s", d, ci.Height, ci.Tip)
	if ci.Height != 600 || ci.Tip != want || a.height() != 600 {
		t.Fatalf("heights: ledgernet %d (tip %s), btcd %d", ci.Height, ci.Tip, a.height())
	}
	pi := l.peers()
	if len(pi) != 1 || pi[0].UserAgent == "" {
		t.Fatalf("ledgernet peers: %+v", pi)
	}
	t.Logf("btcd peer: %s version %d services %v", pi[0].UserAgent, pi[0].Version, pi[0].Services)
	// Its /metrics agree: one peer, outbound, on the plain transport.
	if got := l.metric(`ledgernet_peers{direction="outbound",transport="plain"}`); got != 1 {
		t.Errorf("ledgernet_peers{outbound,plain} = %v with one btcd peer", got)
	}

	// (b) btcd mines while connected.
	for round := range 3 {
		start := time.Now()
		a.generate(1 + round*2)
		want = a.bestHash().String()
		waitFor(t, time.Minute, "ledgernet follows btcd", func() bool { return l.tip() == want })
		t.Logf("(b) round %d: followed btcd's %d new blocks within %v of the generate call", round, 1+round*2, time.Since(start))
	}
	height := a.height()

	// (c) a fresh btcd connected only to ledgernet.
	c := startBtcd(t, "c", 3, "--connect="+l.listen)
	d = waitFor(t, 3*time.Minute, "fresh btcd synced from ledgernet", func() bool { return c.height() == height && c.bestHash().String() == want })
	t.Logf("(c) fresh btcd synced %d blocks from ledgernet in %v", height, d)
	peers := c.peers()
	if len(peers) != 1 {
		t.Errorf("btcd c has %d peers", len(peers))
	} else {
		t.Logf("btcd c's peer: %v %v", peers[0]["addr"], peers[0]["subver"])
		if ua, _ := peers[0]["subver"].(string); !strings.Contains(ua, "ledgernet") {
			t.Errorf("btcd c's peer is %q, not ledgernet", ua)
		}
	}

	// ... and a block btcd c mines reaches a through ledgernet.
	start := time.Now()
	c.generate(1)
	want = c.bestHash().String()
	waitFor(t, time.Minute, "btcd a gets btcd c's block through ledgernet", func() bool { return a.bestHash().String() == want })
	t.Logf("(c) btcd c's new block reached btcd a through ledgernet within %v of the generate call", time.Since(start))
	if bad := l.syncTrouble(); len(bad) != 0 {
		t.Errorf("ledgernet saw bad blocks or headers: %v", bad)
	}
}

// (d) Two btcd nodes mine competing branches while apart. ledgernet syncs
// the shorter one from the first, then connects to the second too: it
// reorganises to the branch with more work, and relays that branch to the
// first btcd, which reorganises as well.
func TestBtcdCompetingBranches(t *testing.T) {
	b1 := startBtcd(t, "b1", 11)
	b2 := startBtcd(t, "b2", 22)
	b1.generate(100)
	b2.generate(120)
	h1, h2 := b1.bestHash().String(), b2.bestHash().String()
	if h1 == h2 {
		t.Fatal("branches are the same")
	}
	l := startLedgernet(t, "l", "--connect", b1.p2p)
	d := waitFor(t, 3*time.Minute, "ledgernet on b1's branch", func() bool { return l.tip() == h1 })
	t.Logf("(d) ledgernet synced b1's branch (100 blocks) in %v", d)

	l.addPeer(b2.p2p) // `ledgernet admin addpeer`, over the API
	d = waitFor(t, 3*time.Minute, "ledgernet on b2's branch", func() bool { return l.tip() == h2 })
	ci := l.cliChain()
	t.Logf("(d) connected to b2 too: ledgernet reorganised to b2's branch (more work, height %d) in %v", ci.Height, d)
	if ci.Height != 120 {
		t.Errorf("height %d", ci.Height)
	}
	d = waitFor(t, 3*time.Minute, "b1 reorganised through ledgernet", func() bool { return b1.bestHash().String() == h2 })
	t.Logf("(d) b1 took b2's branch from ledgernet in %v", d)
	if n := len(l.peers()); n != 2 {
		t.Errorf("ledgernet has %d peers", n)
	}
}
