package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/netsync"
	"github.com/ledgernet/ledgernet/wallet"
)

// TestAPI runs a mining devnet node with its API and a peer, and uses the
// API's Go client on it.
func TestAPI(t *testing.T) {
	cfg := devnetConfig(t)
	cfg.API = "127.0.0.1:0"
	cfg.Mine = true
	cfg.Topics = []string{"news"}
	fast := netsync.Config{TrickleInbound: 300 * time.Millisecond, TrickleOutbound: 100 * time.Millisecond}
	n := startNode(t, "api", cfg, Options{Sync: fast})
	cfg1 := devnetConfig(t)
	cfg1.Bootnodes = []string{n.Self().URLv4()}
	peer := startNode(t, "peer", cfg1, Options{Sync: fast})

	token, err := os.ReadFile(filepath.Join(cfg.DataDir, APITokenFile))
	if err != nil {
		t.Fatal(err)
	}
	c := api.NewClient(n.APIAddr(), strings.TrimSpace(string(token)), nil)
	ctx := context.Background()

	info, err := c.Node(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != n.ID().String() || info.Profile != "devnet" || !strings.HasPrefix(info.Enode, "enode://") || len(info.Listen) != 2 {
		t.Fatalf("node: %+v", info)
	}
	maturity := n.Params().CoinbaseMaturity
	waitFor(t, 3*time.Minute, func() string { return heights([]*Node{n, peer}) }, func() bool {
		return n.Store().Tip().Height > maturity+1 && peer.PeerCount() == 1
	})
	n.Miner().Stop()
	ch, err := c.Chain(ctx)
	if err != nil || ch.Height < int64(maturity) || ch.Syncing {
		t.Fatalf("chain %+v, %v", ch, err)
	}
	peers, err := c.Peers(ctx)
	if err != nil || len(peers) != 1 || peers[0].ID != peer.ID().String() || peers[0].Transport != "rlpx" || len(peers[0].Caps) != 3 {
		t.Fatalf("peers %+v, %v", peers, err)
	}
	net, err := c.Network(ctx)
	if err != nil || len(net.Nodes) != 2 || len(net.Links) != 1 || !net.Nodes[0].Self {
		t.Fatalf("network %+v, %v", net, err)
	}

	// A payment from the miner's wallet, through the API.
	to, _ := wallet.Generate(n.Params(), nil)
	tx, _, err := n.Wallet().Pay(n.Store(), n.Pool(), to.Address(), 1000_000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tx.Encode(nil, 0, 0)
	txid, err := c.SubmitTx(ctx, raw)
	if err != nil || txid != tx.TxHash().String() {
		t.Fatalf("submit: %s, %v", txid, err)
	}
	if _, err := c.SubmitTx(ctx, raw); !errors.Is(err, api.ErrDuplicate) {
		t.Fatalf("resubmit: %v", err)
	}
	if _, err := c.SubmitTx(ctx, []byte{1, 2, 3}); !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("garbage: %v", err)
	}
	mp, err := c.Mempool(ctx)
	if err != nil || mp.Count != 1 || mp.TxIDs[0] != txid {
		t.Fatalf("mempool %+v, %v", mp, err)
	}
	// The gauges are current as soon as the pool changes, not at the next tip.
	fams := scrape(t, n)
	if got, bytes := metricSum(fams, "ledgernet_mempool_transactions"), metricSum(fams, "ledgernet_mempool_bytes"); got != float64(mp.Count) || bytes != float64(mp.Bytes) {
		t.Fatalf("ledgernet_mempool_transactions %v and _bytes %v, /api/v1/mempool %+v", got, bytes, mp)
	}
	waitFor(t, 3*time.Minute, func() string {
		return fmt.Sprintf("tx not relayed: sender %+v, peer %+v, peer tip %d, ours %d", n.Sync().Stats(), peer.Sync().Stats(), peer.Store().Tip().Height, n.Store().Tip().Height)
	}, func() bool { return peer.Pool().Has(tx.TxHash()) })

	// Status records of both nodes; the topic of the config is in ours.
	waitFor(t, time.Minute, func() string { return "status" }, func() bool {
		recs, err := c.Status(ctx)
		return err == nil && len(recs) == 2
	})
	recs, _ := c.Status(ctx)
	for _, r := range recs {
		if r.NodeID == info.ID && (len(r.Topics) != 1 || r.Topics[0] != "news") {
			t.Fatalf("own record %+v", r)
		}
	}

	// Messaging: the peer follows "news"; a publish through the API
	// reaches it; a send to an unknown node is 404.
	sub, cancel, err := peer.TopicService().Subscribe("news2")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	waitFor(t, time.Minute, func() string { return "peer's topic unknown" }, func() bool {
		return len(n.StatusService().Subscribers("news2")) == 1
	})
	if err := c.Publish(ctx, "news2", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-sub:
		if string(d.Payload) != "hello" {
			t.Fatalf("got %q", d.Payload)
		}
	case <-time.After(time.Minute):
		t.Fatal("publish not delivered")
	}
	if err := c.Send(ctx, strings.Repeat("ab", 32), []byte("x")); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("send to nobody: %v", err)
	}

	// Peers: remove by ID disconnects.
	if err := c.RemovePeer(ctx, peer.ID().String()); err != nil {
		t.Fatal(err)
	}
	if err := c.RemovePeer(ctx, strings.Repeat("cd", 32)); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("remove unknown: %v", err)
	}
	if err := c.AddPeer(ctx, peer.Self().URLv4()); err != nil && !errors.Is(err, api.ErrDuplicate) {
		t.Fatal(err)
	}
}

// TestGracefulStop: a stopped node tells its peers it is quitting, and
// stops within a few seconds; goleak (TestMain) checks that nothing is
// left running.
func TestGracefulStop(t *testing.T) {
	cfg0 := devnetConfig(t)
	cfg0.Mine = true
	n0 := startNode(t, "n0", cfg0, Options{Pacing: Pacing{MinInterval: 50 * time.Millisecond}})
	cfg1 := devnetConfig(t)
	cfg1.Bootnodes = []string{n0.Self().URLv4()}
	n1 := startNode(t, "n1", cfg1, Options{})
	waitFor(t, 3*time.Minute, func() string { return heights([]*Node{n0, n1}) }, func() bool {
		return n1.PeerCount() == 1 && n1.Store().Tip().Height >= 3
	})
	events := n1.srv.Subscribe(8)
	start := time.Now()
	if err := n0.Stop(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %v", d)
	}
	if err := n0.Start(context.Background()); !errors.Is(err, ErrStopped) {
		t.Errorf("Start after Stop: %v", err)
	}
	select {
	case ev := <-events.C:
		if ev.Type.String() != "dropped" || !ev.Remote || ev.Reason.String() != "client quitting" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(time.Minute):
		t.Fatal("peer not dropped")
	}
	events.Unsubscribe()
}
