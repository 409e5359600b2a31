package node

import (
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/config"
)

// TestRegtest runs two nodes of the regtest profile (the btcnode
// assembly): one mines, the other connects to it and syncs.
func TestRegtest(t *testing.T) {
	regtest := func() *config.Config {
		cfg, err := config.Defaults(config.ProfileRegtest)
		if err != nil {
			t.Fatal(err)
		}
		cfg.DataDir = t.TempDir()
		cfg.Listen = "127.0.0.1:0"
		cfg.API = ""
		cfg.DNSSeed = false
		return cfg
	}
	cfg0 := regtest()
	cfg0.Mine = true
	n0 := startNode(t, "r0", cfg0, Options{Pacing: Pacing{MinInterval: 50 * time.Millisecond}})
	cfg1 := regtest()
	cfg1.Connect = []string{n0.ListenAddr().String()}
	n1 := startNode(t, "r1", cfg1, Options{})
	if !n0.ID().IsZero() || n0.StatusService() != nil || n0.TopicService() != nil {
		t.Fatal("a Bitcoin-profile node has an identity or messaging")
	}
	waitFor(t, 3*time.Minute, func() string { return heights([]*Node{n0, n1}) }, func() bool {
		return n0.Store().Tip().Height >= 5
	})
	n0.Miner().Stop()
	tip := n0.Store().Tip()
	waitFor(t, 3*time.Minute, func() string { return heights([]*Node{n0, n1}) }, func() bool {
		return n1.Store().Tip().Hash == tip.Hash && n1.PeerCount() == 1
	})
	if ps := n1.PeersInfo(); len(ps) != 1 || ps[0].Transport != "plain" {
		t.Fatalf("peers %+v", ps)
	}
}
