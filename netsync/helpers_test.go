package netsync

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync/chaingen"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/plain"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	chainOnce sync.Once
	chainMain []*wire.MsgBlock
)

// testChain returns n blocks of one regtest chain shared by the tests,
// stamped so that the last is a few minutes old.
func testChain(n int) []*wire.MsgBlock {
	chainOnce.Do(func() {
		const total = 6000
		start := uint32(time.Now().Unix()) - total - 600
		chainMain = chaingen.New(chain.RegTestParams(), start, "main").Blocks(total)
	})
	return chainMain[:n]
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("NETSYNC_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("t", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

// node is a minimal node for these tests: a store, a manager, and peers
// over TCP loopback.
type node struct {
	t     testing.TB
	name  string
	store *store.Store
	chain Chain
	m     *Manager
	ln    net.Listener
	pcfg  btcpeer.Config
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup

	mu    sync.Mutex
	peers []*btcpeer.Peer
}

type nodeOpt func(*Config)

func newNode(t testing.TB, name string, blocks []*wire.MsgBlock, opts ...nodeOpt) *node {
	t.Helper()
	p := chain.RegTestParams()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), p, store.Config{NoSync: true, ConnectBatch: 2000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(blocks); i += 1000 {
		if err := st.ProcessBlocks(blocks[i:min(i+1000, len(blocks))]); err != nil {
			t.Fatal(err)
		}
	}
	n := &node{t: t, name: name, store: st, chain: st}
	cfg := Config{Chain: st, Logger: testLogger(t).With("node", name), ProgressInterval: time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	n.chain = cfg.Chain
	n.m, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.m.Start()
	n.ctx, n.stop = context.WithCancel(context.Background())
	n.pcfg = btcpeer.Config{
		Services:         wire.SFNodeNetwork | wire.SFNodeWitness,
		Nonces:           btcpeer.NewNonceSet(0),
		BestHeight:       func() int32 { return st.Tip().Height },
		NoStallDetection: true,
		Handler:          btcpeer.HandlerFunc(n.m.HandleMessage),
		Logger:           cfg.Logger,
	}
	n.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.wg.Go(func() {
		for {
			c, err := n.ln.Accept()
			if err != nil {
				return
			}
			n.run(c, true)
		}
	})
	t.Cleanup(n.close)
	return n
}

func (n *node) addr() string { return n.ln.Addr().String() }

// run starts a peer over c.
func (n *node) run(c net.Conn, inbound bool) *btcpeer.Peer {
	conn, err := plain.New(c, plain.Config{Net: wire.RegTest, Commands: btcpeer.Commands(), MaxPayload: btcpeer.MaxPayload})
	if err != nil {
		c.Close()
		return nil
	}
	p := btcpeer.New(conn, inbound, n.pcfg)
	n.mu.Lock()
	n.peers = append(n.peers, p)
	n.mu.Unlock()
	n.wg.Go(func() { p.Run(n.ctx) })
	n.wg.Go(func() {
		select {
		case <-p.Ready():
			n.m.AddPeer(p)
			<-p.Done()
			n.m.RemovePeer(p)
		case <-p.Done():
		}
	})
	return p
}

// connect dials other.
func (n *node) connect(other *node) *btcpeer.Peer {
	n.t.Helper()
	c, err := net.Dial("tcp", other.addr())
	if err != nil {
		n.t.Fatal(err)
	}
	return n.run(c, false)
}

func (n *node) close() {
	n.ln.Close()
	n.stop()
	n.wg.Wait()
	n.m.Close()
	n.store.Close()
}

// waitTip waits until the node's tip is hash.
func (n *node) waitTip(hash wire.Hash, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if n.store.Tip().Hash == hash {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
