package node

import (
	"errors"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/config"
)

// TestReloadPeers: a permissioned node's peer list changes at run time:
// a peer added to the list gets connected, a peer taken off it dropped.
func TestReloadPeers(t *testing.T) {
	cfgs := permissionedConfigs(t, 3)
	var nodes []*Node
	for i, cfg := range cfgs {
		nodes = append(nodes, startNode(t, []string{"a", "b", "c"}[i], cfg, Options{}))
	}
	a, b, c := nodes[0], nodes[1], nodes[2]
	peer := func(n *Node) config.Peer { return config.Peer{Address: n.ListenAddr().String()} }
	count := func() string { return heights(nodes) }

	if err := a.ReloadPeers([]config.Peer{peer(b)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Minute, count, func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 && c.PeerCount() == 0 })

	if err := a.ReloadPeers([]config.Peer{peer(c)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Minute, count, func() bool { return a.PeerCount() == 1 && b.PeerCount() == 0 && c.PeerCount() == 1 })

	if err := a.ReloadPeers([]config.Peer{{Address: "not an address"}}); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("bad list: %v, want ErrInvalid", err)
	}
}
