package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/config"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testLogger logs to stderr when NODE_LOG is set (NODE_LOG=debug for
// everything).
func testLogger(t testing.TB, name string) *slog.Logger {
	switch os.Getenv("NODE_LOG") {
	case "":
		return slog.New(slog.DiscardHandler)
	case "debug":
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("node", name)
}

// devnetConfig is a devnet node's configuration on loopback with an
// ephemeral port.
func devnetConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Defaults(config.ProfileDevnet)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.API = ""
	return cfg
}

// startNode starts a node and stops it when the test ends.
func startNode(t testing.TB, name string, cfg *config.Config, opts Options) *Node {
	t.Helper()
	opts.NoSync = true
	if raceEnabled && opts.Discovery.RespTimeout == 0 {
		opts.Discovery.RespTimeout = 3 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = testLogger(t, name)
	}
	n, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", timeout, what())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func heights(ns []*Node) string {
	s := ""
	for i, n := range ns {
		s += fmt.Sprintf("n%d: h=%d peers=%d; ", i, n.Store().Tip().Height, n.PeerCount())
	}
	return s
}

// regtestConfig is a regtest node's configuration on loopback with an
// ephemeral port and no API.
func regtestConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Defaults(config.ProfileRegtest)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.Listen, cfg.API = t.TempDir(), "127.0.0.1:0", ""
	return cfg
}

// startPair starts node a of profile (with its API on an ephemeral port)
// and node b, which keeps a as its static peer (redialled when dropped), and
// waits until they are connected.
func startPair(t *testing.T, profile string) (a, b *Node) {
	t.Helper()
	var ca, cb *config.Config
	switch profile {
	case config.ProfileDevnet:
		ca, cb = devnetConfig(t), devnetConfig(t)
	case config.ProfilePermissioned:
		cfgs := permissionedConfigs(t, 2)
		ca, cb = cfgs[0], cfgs[1]
	default:
		ca, cb = regtestConfig(t), regtestConfig(t)
	}
	ca.API = "127.0.0.1:0"
	a = startNode(t, "a", ca, Options{})
	switch profile {
	case config.ProfileDevnet:
		cb.AddPeer = []string{a.Self().URLv4()}
	case config.ProfilePermissioned:
		cb.Peers = []config.Peer{{Address: a.ListenAddr().String(), ID: a.ID().String()}}
	default:
		cb.AddPeer = []string{a.ListenAddr().String()}
	}
	b = startNode(t, "b", cb, Options{})
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("peers %d and %d", a.PeerCount(), b.PeerCount()) }, func() bool {
		return a.PeerCount() == 1 && b.PeerCount() == 1
	})
	return a, b
}
