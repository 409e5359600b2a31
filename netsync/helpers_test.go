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

	params *chain.Params
	drop   func(wire.Message) bool
	now    func() time.Time
	// setup, if set, runs after the store opens and before the manager
	// starts (to add a pool to the config).
	setup func(*node, *Config)

	mu     sync.Mutex
	peers  []*btcpeer.Peer
	closed bool
}

type nodeOpt func(*node, *Config)

// withFilter drops the messages for which drop returns true before the
// manager sees them (a peer that stops answering some requests).
func withFilter(drop func(wire.Message) bool) nodeOpt {
	return func(n *node, _ *Config) { n.drop = drop }
}

// withParams runs the node on another network.
func withParams(p *chain.Params) nodeOpt {
	return func(n *node, _ *Config) { n.params = p }
}

func withConfig(f func(*Config)) nodeOpt { return func(_ *node, c *Config) { f(c) } }

// fsyncStores makes test stores sync on commit, as a real node does (for
// benchmarks).
var fsyncStores = false

func newNode(t testing.TB, name string, blocks []*wire.MsgBlock, opts ...nodeOpt) *node {
	t.Helper()
	n := &node{t: t, name: name, params: chain.RegTestParams()}
	cfg := Config{Logger: testLogger(t).With("node", name), ProgressInterval: time.Second}
	for _, o := range opts {
		o(n, &cfg)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), n.params, store.Config{NoSync: !fsyncStores, ConnectBatch: 2000, Now: n.now})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(blocks); i += 1000 {
		if err := st.ProcessBlocks(blocks[i:min(i+1000, len(blocks))]); err != nil {
			t.Fatal(err)
		}
	}
	n.store = st
	if cfg.Chain == nil {
		cfg.Chain = st
	}
	n.chain = cfg.Chain
	if n.setup != nil {
		n.setup(n, &cfg)
	}
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
		Handler: btcpeer.HandlerFunc(func(p *btcpeer.Peer, msg wire.Message) {
			if n.drop != nil && n.drop(msg) {
				return
			}
			n.m.HandleMessage(p, msg)
		}),
		Logger: cfg.Logger,
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
	conn, err := plain.New(c, plain.Config{Net: n.params.Net, Commands: btcpeer.Commands(), MaxPayload: btcpeer.MaxPayload})
	if err != nil {
		c.Close()
		return nil
	}
	// As the node does, messages reach the manager only after AddPeer: a
	// message sent right after the handshake would otherwise race the
	// peer's registration and be dropped.
	added := make(chan struct{})
	pcfg := n.pcfg
	pcfg.Handler = btcpeer.HandlerFunc(func(p *btcpeer.Peer, msg wire.Message) {
		select {
		case <-added:
		case <-p.Closing():
			return
		}
		n.pcfg.Handler.OnMessage(p, msg)
	})
	p := btcpeer.New(conn, inbound, pcfg)
	n.mu.Lock()
	n.peers = append(n.peers, p)
	n.mu.Unlock()
	n.wg.Go(func() { p.Run(n.ctx) })
	n.wg.Go(func() {
		select {
		case <-p.Ready():
			n.m.AddPeer(p)
			close(added)
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
	if n.closed {
		return
	}
	n.closed = true
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

// peerList returns the node's peers.
func (n *node) peerList() []*btcpeer.Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*btcpeer.Peer(nil), n.peers...)
}

// eventually polls cond until it holds or timeout passes.
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
