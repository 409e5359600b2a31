package node

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// TestBootnodeRetriedWithoutDiscovery: a node with discovery off whose
// bootnode is not up yet keeps dialling it (with backoff) and connects once
// it comes up.
func TestBootnodeRetriedWithoutDiscovery(t *testing.T) {
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close() // free again: the bootnode starts on it later
	ap := addr.AddrPort()
	boot := enode.NewV4(key.PubKey(), ap.Addr(), ap.Port(), 0)

	cfg := devnetConfig(t)
	cfg.DiscoveryAddr = "off"
	cfg.Bootnodes = []string{boot.URLv4()}
	joiner := startNode(t, "joiner", cfg, Options{})
	// Its first dial fails: nobody listens there yet.
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprint(joiner.srv.Stats()) }, func() bool {
		return joiner.srv.Stats().Dial.DialFailures > 0
	})

	bcfg := devnetConfig(t)
	bcfg.Listen = addr.String()
	bcfg.DiscoveryAddr = "off"
	startNode(t, "bootnode", bcfg, Options{NodeKey: key})
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("joiner has %d peers", joiner.PeerCount()) }, func() bool {
		return joiner.PeerCount() == 1
	})
}
