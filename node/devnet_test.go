package node

import (
	"fmt"
	"testing"
	"time"
)

// runDevnet starts size nodes from one bootnode (node 0, which mines
// blocks until it has mined blocks), waits until every node has a peer and
// the miner's tip, and checks the peer limits.
func runDevnet(t *testing.T, size, maxPeers int, blocks int32) {
	cfg0 := devnetConfig(t)
	cfg0.Mine = true
	cfg0.MaxPeers = maxPeers
	boot := startNode(t, "n0", cfg0, Options{Pacing: Pacing{MinInterval: 100 * time.Millisecond}})
	nodes := []*Node{boot}
	for i := 1; i < size; i++ {
		cfg := devnetConfig(t)
		cfg.MaxPeers = maxPeers
		cfg.Bootnodes = []string{boot.Self().URLv4()}
		nodes = append(nodes, startNode(t, fmt.Sprintf("n%d", i), cfg, Options{}))
	}
	waitFor(t, 3*time.Minute, func() string { return heights(nodes) }, func() bool {
		return boot.Store().Tip().Height >= blocks
	})
	boot.Miner().Stop()
	tip := boot.Store().Tip()
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("tip %d: %s", tip.Height, heights(nodes)) }, func() bool {
		for _, n := range nodes {
			if n.Store().Tip().Hash != tip.Hash || n.PeerCount() == 0 {
				return false
			}
		}
		return true
	})
	for i, n := range nodes {
		if c := n.PeerCount(); c > maxPeers {
			t.Errorf("node %d has %d peers, max %d", i, c, maxPeers)
		}
		if c := n.srv.PeerCount(); c > maxPeers {
			t.Errorf("node %d: server has %d peers, max %d", i, c, maxPeers)
		}
	}
}

func TestDevnetTwoNodes(t *testing.T) { runDevnet(t, 2, 50, 5) }

// TestDevnetTwenty: a devnet of 20 nodes on loopback from one bootnode.
// With at most 8 peers each, the bootnode cannot take everyone: the
// others must find each other through discovery. Under the race detector
// (ten times slower handshakes and signature checks, on two shared cores)
// it runs 10 nodes with at most 5 peers each, which tests the same.
func TestDevnetTwenty(t *testing.T) {
	if testing.Short() {
		t.Skip("20 nodes")
	}
	if raceEnabled {
		runDevnet(t, 10, 5, 10)
		return
	}
	runDevnet(t, 20, 8, 10)
}
