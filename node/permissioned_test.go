package node

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/p2p/certs"
)

// permissionedConfigs makes a CA and size node certificate directories,
// and a configuration for each node on loopback.
func permissionedConfigs(t *testing.T, size int) []*config.Config {
	t.Helper()
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	if _, err := certs.CreateCA(caDir, certs.Options{}); err != nil {
		t.Fatal(err)
	}
	var cfgs []*config.Config
	for i := range size {
		cfg, err := config.Defaults(config.ProfilePermissioned)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DataDir = filepath.Join(dir, fmt.Sprintf("node%d", i))
		cfg.Certs = filepath.Join(cfg.DataDir, "certs")
		if _, err := certs.CreateNode(caDir, cfg.Certs, certs.Options{}); err != nil {
			t.Fatal(err)
		}
		cfg.Listen = "127.0.0.1:0"
		cfg.API = ""
		cfgs = append(cfgs, cfg)
	}
	return cfgs
}

// TestPermissionedSync: five permissioned nodes over TLS, each listing the
// ones started before it; the first mines, all reach its tip.
func TestPermissionedSync(t *testing.T) {
	cfgs := permissionedConfigs(t, 5)
	var nodes []*Node
	for i, cfg := range cfgs {
		for _, prev := range nodes {
			cfg.Peers = append(cfg.Peers, config.Peer{Address: prev.ListenAddr().String(), ID: prev.ID().String()})
		}
		opts := Options{}
		if i == 0 {
			cfg.Mine = true
			opts.Pacing = Pacing{MinInterval: 100 * time.Millisecond}
		}
		nodes = append(nodes, startNode(t, fmt.Sprintf("p%d", i), cfg, opts))
	}
	miner := nodes[0]
	waitFor(t, 3*time.Minute, func() string { return heights(nodes) }, func() bool {
		return miner.Store().Tip().Height >= 10
	})
	miner.Miner().Stop()
	tip := miner.Store().Tip()
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("tip %d: %s", tip.Height, heights(nodes)) }, func() bool {
		for _, n := range nodes {
			if n.Store().Tip().Hash != tip.Hash || n.PeerCount() != len(nodes)-1 {
				return false
			}
		}
		return true
	})
}
