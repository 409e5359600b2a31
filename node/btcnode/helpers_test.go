package btcnode

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync/chaingen"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	goleak.VerifyTestMain(m)
}

var (
	chainOnce sync.Once
	chainMain []*wire.MsgBlock
)

// testChain returns n blocks of one regtest chain shared by the tests.
func testChain(n int) []*wire.MsgBlock {
	chainOnce.Do(func() {
		const total = 6000
		start := uint32(time.Now().Unix()) - total - 600
		chainMain = chaingen.New(chain.RegTestParams(), start, "main").Blocks(total)
	})
	return chainMain[:n]
}

func tipOf(blocks []*wire.MsgBlock) wire.Hash { return blocks[len(blocks)-1].BlockHash() }

func testLogger(name string) *slog.Logger {
	if os.Getenv("BTCNODE_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("node", name)
	}
	return slog.New(slog.DiscardHandler)
}

// preload writes blocks into a new chain state in dir.
func preload(t testing.TB, dir string, blocks []*wire.MsgBlock) {
	t.Helper()
	if len(blocks) == 0 {
		return
	}
	os.MkdirAll(dir, 0o700)
	st, err := store.Open(filepath.Join(dir, store.FileName), chain.RegTestParams(), store.Config{NoSync: true, ConnectBatch: 2000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := 0; i < len(blocks); i += 1000 {
		if err := st.ProcessBlocks(blocks[i:min(i+1000, len(blocks))]); err != nil {
			t.Fatal(err)
		}
	}
}

// testConfig is a regtest node on loopback with fast test stores.
func testConfig(t testing.TB, name string) Config {
	return Config{
		Params:    chain.RegTestParams(),
		DataDir:   filepath.Join(t.TempDir(), name),
		Listen:    "127.0.0.1:0",
		NoDNSSeed: true,
		Store:     store.Config{NoSync: true},
		Logger:    testLogger(name),
	}
}

// startNode starts a node with blocks preloaded and stops it at cleanup.
func startNode(t testing.TB, cfg Config, blocks []*wire.MsgBlock) *Node {
	t.Helper()
	preload(t, cfg.DataDir, blocks)
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

func (n *Node) addr() string { return n.ListenAddr().String() }

// waitTip waits until the node's tip is hash.
func waitTip(t testing.TB, n *Node, hash wire.Hash, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, fmt.Sprintf("tip %s", hash), func() bool { return n.Chain().Tip().Hash == hash })
}

func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
