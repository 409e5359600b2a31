package btcnode

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/miner"
	"github.com/ledgernet/ledgernet/netsync"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

// Four devnet nodes (ledger rules, mempools): blocks mined on one reach
// all; transactions submitted at the far end reach every pool through the
// trickled inv/getdata relay, and leave them once mined.
func TestDevnetTransactions(t *testing.T) {
	p := chain.DevNetParams()
	var nodes []*Node
	for i := range 4 {
		cfg := Config{
			Params: p, DataDir: filepath.Join(t.TempDir(), fmt.Sprint(i)), Listen: "127.0.0.1:0", NoDNSSeed: true,
			Sync:   netsync.Config{TrickleInbound: 50 * time.Millisecond, TrickleOutbound: 20 * time.Millisecond},
			Logger: testLogger(fmt.Sprintf("dev%d", i)),
		}
		cfg.Store.NoSync = true
		if i > 0 {
			cfg.AddPeers = []string{nodes[i-1].addr()} // a line: 0 - 1 - 2 - 3
		}
		nodes = append(nodes, startNode(t, cfg, nil))
	}
	if nodes[0].Pool() == nil {
		t.Fatal("devnet node without a mempool")
	}
	w, err := wallet.Generate(p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mn, err := miner.New(miner.Config{Chain: nodes[0].Chain(), Txs: nodes[0].Pool(), PayTo: w.PkScript()})
	if err != nil {
		t.Fatal(err)
	}
	mine := func() *wire.MsgBlock {
		t.Helper()
		b, err := mn.MineBlock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var last *wire.MsgBlock
	for range p.CoinbaseMaturity + 3 {
		last = mine()
	}
	for _, n := range nodes {
		waitTip(t, n, last.BlockHash(), 3*time.Minute)
	}
	// The wallet's coins are on node 3's chain too: pay from there.
	to, _ := wallet.Generate(p, rand.Reader)
	far := nodes[3]
	var txs []wire.Hash
	for range 3 {
		tx, _, err := w.Pay(far.Chain(), far.Pool(), to.Address(), 5_000_000, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if err := far.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx.TxHash())
	}
	for i, n := range nodes {
		eventually(t, time.Minute, fmt.Sprintf("txs in node %d's pool", i), func() bool {
			for _, h := range txs {
				if !n.Pool().Has(h) {
					return false
				}
			}
			return true
		})
	}
	blk := mine()
	if len(blk.Transactions) != 1+len(txs) {
		t.Errorf("mined block has %d transactions", len(blk.Transactions))
	}
	for i, n := range nodes {
		waitTip(t, n, blk.BlockHash(), 3*time.Minute)
		eventually(t, time.Minute, fmt.Sprintf("node %d's pool empty", i), func() bool { return n.Pool().Count() == 0 })
		if ci := n.ChainInfo(); ci.MempoolTxs != 0 || ci.Network != "devnet" {
			t.Errorf("node %d: %+v", i, ci)
		}
	}
}
