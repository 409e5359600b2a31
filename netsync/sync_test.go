package netsync

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/miner"
	"github.com/ledgernet/ledgernet/netsync/chaingen"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

func tipOf(blocks []*wire.MsgBlock) wire.Hash { return blocks[len(blocks)-1].BlockHash() }

// extend builds n blocks on blocks' last one.
func extend(blocks []*wire.MsgBlock, n int, tag string) []*wire.MsgBlock {
	last := blocks[len(blocks)-1]
	b := chaingen.New(chain.RegTestParams(), 0, "").Fork(last.BlockHash(), int32(len(blocks)), last.Header.Timestamp, tag)
	return b.Blocks(n)
}

func TestTwoNodesSync(t *testing.T) {
	blocks := testChain(5000)
	a := newNode(t, "a", blocks)
	b := newNode(t, "b", nil)
	start := time.Now()
	b.connect(a)
	if !b.waitTip(tipOf(blocks), 3*time.Minute) {
		t.Fatalf("b at %d, want %d; info %+v", b.store.Tip().Height, len(blocks), b.m.Info())
	}
	d := time.Since(start)
	st := b.m.Stats()
	t.Logf("synced %d blocks in %v (%.0f blocks/s)", len(blocks), d, float64(len(blocks))/d.Seconds())
	if st.BlocksRequested != uint64(len(blocks)) || st.BlocksDuplicate != 0 {
		t.Errorf("requested %d blocks, %d duplicates", st.BlocksRequested, st.BlocksDuplicate)
	}
	eventually(t, time.Minute, "sync done", func() bool { return !b.m.Info().Syncing })
	// b never announces a's blocks back to a, yet a knows b holds them: it
	// served them (what /api/v1/peers shows as the peer's height).
	eventually(t, time.Minute, "b's height at a", func() bool {
		ps := a.m.Peers()
		return len(ps) == 1 && ps[0].BestHeight == int32(len(blocks))
	})

	// A new block on a is announced (b sent sendheaders: as headers) and
	// fetched.
	more := extend(blocks, 3, "new")
	for _, blk := range more {
		if err := a.store.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	if !b.waitTip(tipOf(more), 3*time.Minute) {
		t.Fatalf("b did not follow: at %d", b.store.Tip().Height)
	}
	// Announced as headers, not inv: no getheaders round trip needed.
	if got := b.m.Stats().GetHeadersSent; got != st.GetHeadersSent {
		t.Errorf("getheaders sent for an announcement: %d -> %d", st.GetHeadersSent, got)
	}
	// And b, now synced, announces back to a nothing it has: a knows.
}

// A fresh node syncs from three peers at once and spreads its requests.
func TestManyPeersSync(t *testing.T) {
	blocks := testChain(3000)
	var srcs []*node
	for _, name := range []string{"s1", "s2", "s3"} {
		srcs = append(srcs, newNode(t, name, blocks))
	}
	dst := newNode(t, "dst", nil, withConfig(func(c *Config) { c.MaxInFlightLocal = 16 }))
	for _, s := range srcs {
		dst.connect(s)
	}
	if !dst.waitTip(tipOf(blocks), 3*time.Minute) {
		t.Fatalf("not synced: %+v", dst.m.Info())
	}
	var served uint64
	for _, s := range srcs {
		n := s.m.Stats().BlocksServed
		served += n
		t.Logf("%s served %d", s.name, n)
	}
	if served != uint64(len(blocks)) {
		t.Errorf("served %d blocks in all, want %d (each once)", served, len(blocks))
	}
	busy := 0
	for _, s := range srcs {
		if s.m.Stats().BlocksServed > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("only %d of 3 peers served blocks", busy)
	}
}

func dropGetData(msg wire.Message) bool { _, ok := msg.(*wire.MsgGetData); return ok }

// A peer that stops answering getdata holds the window's first blocks; it
// is dropped after the stall timeout and the honest peer gets its blocks.
func TestStallerReplaced(t *testing.T) {
	blocks := testChain(3000)
	staller := newNode(t, "staller", blocks, withFilter(dropGetData))
	honest := newNode(t, "honest", blocks)
	dst := newNode(t, "dst", nil, withConfig(func(c *Config) {
		c.StallTimeout = 200 * time.Millisecond
		c.BlockTimeout = 10 * time.Second
	}))
	sp := dst.connect(staller)
	<-sp.Ready()
	eventually(t, time.Minute, "staller owes blocks", func() bool { return dst.m.Info().InFlight > 0 })
	dst.connect(honest)
	if !dst.waitTip(tipOf(blocks), 3*time.Minute) {
		t.Fatalf("not synced: %+v", dst.m.Info())
	}
	st := dst.m.Stats()
	if st.Stalls == 0 {
		t.Errorf("no stall detected: %+v", st)
	}
	if !errors.Is(sp.Err(), errStalling) {
		t.Errorf("staller ended with %v", sp.Err())
	}
	// The timeout doubles when a stall fires and shrinks back by 15 % per
	// block received, never under the configured one.
	if info := dst.m.Info(); info.StallTimeout < 200*time.Millisecond || info.StallTimeout > dst.m.cfg.MaxStallTimeout {
		t.Errorf("stall timeout %v outside [200ms, %v]", info.StallTimeout, dst.m.cfg.MaxStallTimeout)
	}
}

// A lone peer that owes blocks and delivers none is dropped after
// BlockTimeout and scored; a later honest peer completes the sync.
func TestSilentPeerDropped(t *testing.T) {
	blocks := testChain(500)
	silent := newNode(t, "silent", blocks, withFilter(dropGetData))
	dst := newNode(t, "dst", nil, withConfig(func(c *Config) { c.BlockTimeout = 300 * time.Millisecond }))
	sp := dst.connect(silent)
	select {
	case <-sp.Done():
	case <-time.After(time.Minute):
		t.Fatal("silent peer not dropped")
	}
	if sp.BanScore() != ScoreBlockStall || !errors.Is(sp.Err(), errBlockTimeout) {
		t.Errorf("silent peer: score %d, err %v", sp.BanScore(), sp.Err())
	}
	dst.connect(newNode(t, "honest", blocks))
	if !dst.waitTip(tipOf(blocks), 3*time.Minute) {
		t.Fatalf("not synced: %+v", dst.m.Info())
	}
}

// A node follows the branch with more work: when a second peer offers a
// longer fork, and when its only peer reorganises.
func TestReorg(t *testing.T) {
	main := testChain(400)
	fork := append(append([]*wire.MsgBlock(nil), main[:300]...), extend(main[:300], 150, "fork")...)
	a := newNode(t, "a", main)
	b := newNode(t, "b", fork)
	c := newNode(t, "c", nil)
	d := newNode(t, "d", nil)
	c.connect(a)
	d.connect(a)
	if !c.waitTip(tipOf(main), 3*time.Minute) || !d.waitTip(tipOf(main), 3*time.Minute) {
		t.Fatal("c, d did not sync the main chain")
	}
	c.connect(b)
	if !c.waitTip(tipOf(fork), 3*time.Minute) {
		t.Fatalf("c did not reorganise to the fork: %+v", c.m.Info())
	}
	// a learns the fork from b, reorganises, and d (connected to a only)
	// follows.
	a.connect(b)
	if !a.waitTip(tipOf(fork), 3*time.Minute) {
		t.Fatalf("a did not reorganise: %+v", a.m.Info())
	}
	if !d.waitTip(tipOf(fork), 3*time.Minute) {
		t.Fatalf("d did not follow a's reorganisation: %+v", d.m.Info())
	}
	if h, _ := d.store.BlockHashAt(350); h != fork[349].BlockHash() {
		t.Error("d's chain is not the fork")
	}
}

// Transactions relay across a line of devnet nodes a - b - c, enter their
// pools, and leave them when a block confirms them.
func TestTxRelay(t *testing.T) {
	p := chain.DevNetParams()
	w, err := wallet.Generate(p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pools := map[*node]*mempool.Pool{}
	withPool := func(n *node, c *Config) {
		pool, err := mempool.New(mempool.Config{Params: n.params, Chain: n.store})
		if err != nil {
			t.Fatal(err)
		}
		cancel := n.store.Subscribe(pool.HandleEvent)
		t.Cleanup(cancel)
		c.Pool = pool
		c.TrickleInbound, c.TrickleOutbound = 20*time.Millisecond, 10*time.Millisecond
		pools[n] = pool
	}
	opts := []nodeOpt{withParams(p), func(n *node, _ *Config) { n.setup = withPool }}
	a := newNode(t, "a", nil, opts...)
	b := newNode(t, "b", nil, opts...)
	c := newNode(t, "c", nil, opts...)
	mn, err := miner.New(miner.Config{Chain: a.store, Txs: pools[a], PayTo: w.PkScript()})
	if err != nil {
		t.Fatal(err)
	}
	for range p.CoinbaseMaturity + 2 {
		if _, err := mn.MineBlock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	b.connect(a)
	c.connect(b)
	if !c.waitTip(a.store.Tip().Hash, 3*time.Minute) {
		t.Fatalf("c did not sync: %+v", c.m.Info())
	}
	eventually(t, time.Minute, "b and c done syncing", func() bool { return !b.m.Info().Syncing && !c.m.Info().Syncing })

	to, _ := wallet.Generate(p, rand.Reader)
	var txs []wire.Hash
	for range 3 {
		tx, _, err := w.Pay(a.store, pools[a], to.Address(), 1000_000, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.m.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx.TxHash())
	}
	eventually(t, time.Minute, "txs in c's pool", func() bool {
		for _, h := range txs {
			if !pools[c].Has(h) {
				return false
			}
		}
		return true
	})
	if a.m.Stats().TxAnnounced == 0 || b.m.Stats().TxRequested == 0 {
		t.Errorf("relay stats a %+v b %+v", a.m.Stats(), b.m.Stats())
	}
	blk, err := mn.MineBlock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Transactions) != 4 {
		t.Errorf("block has %d transactions", len(blk.Transactions))
	}
	if !c.waitTip(blk.BlockHash(), 3*time.Minute) {
		t.Fatal("c did not get the block")
	}
	eventually(t, time.Minute, "c's pool emptied", func() bool { return pools[c].Count() == 0 })
}

// Requests are served: getheaders (2,000 at most, empty when nothing),
// getblocks (500), getdata with notfound for the unknown.
func TestServe(t *testing.T) {
	blocks := testChain(2500)
	a := newNode(t, "a", blocks)
	got := make(chan wire.Message, 100)
	b := newNode(t, "b", nil, withFilter(func(msg wire.Message) bool {
		switch msg.(type) {
		case *wire.MsgHeaders, *wire.MsgInv, *wire.MsgNotFound, *wire.MsgBlock:
			got <- msg
			return true
		}
		return false
	}))
	p := b.connect(a)
	<-p.Ready()
	// b's own manager asks first; drain that.
	next := func(cmd string) wire.Message {
		t.Helper()
		for {
			select {
			case m := <-got:
				if m.Command() == cmd {
					return m
				}
			case <-time.After(time.Minute):
				t.Fatalf("no %s", cmd)
			}
		}
	}
	if hs := next(wire.CmdHeaders).(*wire.MsgHeaders); len(hs.Headers) != 2000 {
		t.Fatalf("first headers reply has %d", len(hs.Headers))
	}
	send := func(m wire.Message) {
		if err := p.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	tip := tipOf(blocks)
	send(&wire.MsgGetHeaders{ProtocolVersion: wire.ProtocolVersion, BlockLocatorHashes: []wire.Hash{tip}})
	for {
		if hs := next(wire.CmdHeaders).(*wire.MsgHeaders); len(hs.Headers) == 0 {
			break
		}
	}
	send(&wire.MsgGetBlocks{ProtocolVersion: wire.ProtocolVersion, BlockLocatorHashes: []wire.Hash{blocks[99].BlockHash()}})
	if inv := next(wire.CmdInv).(*wire.MsgInv); len(inv.InvList) != 500 || inv.InvList[0].Hash != blocks[100].BlockHash() {
		t.Errorf("getblocks answered with %d", len(inv.InvList))
	}
	unknown := wire.Hash{1}
	send(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeWitnessBlock, Hash: blocks[7].BlockHash()}, {Type: wire.InvTypeBlock, Hash: unknown}, {Type: wire.InvTypeTx, Hash: unknown}}})
	blk := next(wire.CmdBlock).(*wire.MsgBlock)
	if blk.BlockHash() != blocks[7].BlockHash() {
		t.Error("wrong block served")
	}
	if nf := next(wire.CmdNotFound).(*wire.MsgNotFound); len(nf.InvList) != 2 {
		t.Errorf("notfound lists %d", len(nf.InvList))
	}
	_ = btcpeer.ScoreStall
}

// corruptChain serves one block with a changed coinbase: its transactions no
// longer match its header's merkle root.
type corruptChain struct {
	Chain
	bad wire.Hash
}

func (c corruptChain) RawBlock(hash wire.Hash) ([]byte, error) {
	raw, err := c.Chain.RawBlock(hash)
	if err != nil || hash != c.bad {
		return raw, err
	}
	var b wire.MsgBlock
	if err := b.Decode(raw, wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
		return nil, err
	}
	b.Transactions[0].TxOut[0].Value--
	return b.Append(nil, wire.WitnessEncoding), nil
}

// A peer that sends an invalid block is scored 100 and dropped; the block
// is fetched again from an honest peer.
func TestInvalidBlock(t *testing.T) {
	blocks := testChain(300)
	bad := blocks[99].BlockHash()
	liar := newNode(t, "liar", blocks, func(n *node, _ *Config) {
		n.setup = func(n *node, c *Config) { c.Chain = corruptChain{Chain: n.store, bad: bad} }
	})
	dst := newNode(t, "dst", nil)
	lp := dst.connect(liar)
	select {
	case <-lp.Done():
	case <-time.After(time.Minute):
		t.Fatal("liar not dropped")
	}
	if lp.BanScore() < ScoreInvalidBlock || dst.m.Stats().BadBlocks != 1 {
		t.Errorf("liar score %d, stats %+v", lp.BanScore(), dst.m.Stats())
	}
	if h := dst.store.Tip().Height; h != 99 {
		t.Errorf("tip at %d, want 99 (below the bad block)", h)
	}
	dst.connect(newNode(t, "honest", blocks))
	if !dst.waitTip(tipOf(blocks), 3*time.Minute) {
		t.Fatalf("not synced: %+v", dst.m.Info())
	}
}

// A transaction that arrives before its parent is refused but not
// remembered as refused: announced again once the parent is in, it is
// fetched and accepted (Core keeps orphans out of its reject filter).
func TestOrphanFetchedAgain(t *testing.T) {
	p := chain.DevNetParams()
	a, pool, w := fundedNode(t, p, nil)
	// The test speaks for b: b's manager never sees a's getdata.
	getdata := make(chan *wire.MsgGetData, 16)
	b := newNode(t, "b", nil, withParams(p), withFilter(func(msg wire.Message) bool {
		if gd, ok := msg.(*wire.MsgGetData); ok {
			getdata <- gd
			return true
		}
		return false
	}))
	peer := b.connect(a)
	<-peer.Ready()

	coins, err := w.Coins(a.store, pool)
	if err != nil || len(coins) == 0 {
		t.Fatalf("coins %d, %v", len(coins), err)
	}
	to, _ := wallet.Generate(p, rand.Reader)
	parent, _, err := w.CreateTx(coins[:1], []wallet.Payment{{To: to.Address(), Amount: 1000_000}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	change := wire.OutPoint{Hash: parent.TxHash(), Index: 1}
	child, _, err := w.CreateTx([]store.OutputCoin{{OutPoint: change, Coin: ledger.Coin{Value: parent.TxOut[1].Value, PkScript: w.PkScript()}}},
		[]wallet.Payment{{To: to.Address(), Amount: 1000_000}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	send := func(m wire.Message) {
		t.Helper()
		if err := peer.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	announce := func(tx *wire.MsgTx) {
		t.Helper()
		send(&wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeTx, Hash: tx.TxHash()}}})
		for {
			select {
			case gd := <-getdata:
				for _, iv := range gd.InvList {
					if iv.Hash == tx.TxHash() {
						send(tx)
						return
					}
				}
			case <-time.After(time.Minute):
				t.Fatalf("a did not ask for %v", tx.TxHash())
			}
		}
	}
	announce(child) // the parent is unknown: refused
	eventually(t, time.Minute, "the orphan refused", func() bool { return a.m.Stats().TxRejected == 1 })
	announce(parent)
	eventually(t, time.Minute, "the parent accepted", func() bool { return pool.Has(parent.TxHash()) })
	announce(child) // asked for again, and now accepted
	eventually(t, time.Minute, "the child accepted", func() bool { return pool.Has(child.TxHash()) })
}

// BIP133 both ways: a node tells each peer its pool's minimum fee rate,
// and announces to a peer only transactions at or above the peer's filter.
func TestFeeFilter(t *testing.T) {
	p := chain.DevNetParams()
	a, pool, w := fundedNode(t, p, func(c *Config) {
		c.TrickleInbound, c.TrickleOutbound = 10*time.Millisecond, 10*time.Millisecond
	})
	invs := make(chan *wire.MsgInv, 16)
	b := newNode(t, "b", nil, withParams(p), withFilter(func(msg wire.Message) bool {
		if inv, ok := msg.(*wire.MsgInv); ok {
			for _, iv := range inv.InvList {
				if iv.Type == wire.InvTypeTx || iv.Type == wire.InvTypeWTx {
					invs <- inv
					return true
				}
			}
		}
		return false
	}))
	peer := b.connect(a)
	<-peer.Ready()
	eventually(t, time.Minute, "a's feefilter", func() bool { return peer.FeeFilter() == mempool.DefaultMinFeeRate })

	// b wants 5,000 per kvB at least.
	if err := peer.Send(&wire.MsgFeeFilter{MinFee: 5000}); err != nil {
		t.Fatal(err)
	}
	to, _ := wallet.Generate(p, rand.Reader)
	pay := func(feeRate int64) *wire.MsgTx {
		t.Helper()
		tx, _, err := w.Pay(a.store, pool, to.Address(), 1000_000, feeRate)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.m.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	// The filter is read by a's trickle; give the message time to arrive.
	eventually(t, time.Minute, "b's feefilter at a", func() bool {
		for _, q := range a.peerList() {
			if q.FeeFilter() == 5000 {
				return true
			}
		}
		return false
	})
	cheap := pay(2000)
	dear := pay(10_000)
	select {
	case inv := <-invs:
		if len(inv.InvList) != 1 || inv.InvList[0].Hash != dear.TxHash() {
			t.Fatalf("announced %v, want only the transaction above the filter %v", inv.InvList, dear.TxHash())
		}
	case <-time.After(time.Minute):
		t.Fatal("nothing announced")
	}
	eventually(t, time.Minute, "the cheap one counted", func() bool { return a.m.Stats().TxFeeFiltered == 1 })
	if !pool.Has(cheap.TxHash()) {
		t.Fatal("the cheap transaction left a's pool")
	}
}

// fundedNode returns node "a" on network p with a transaction pool and a
// wallet owning mature coinbase coins (CoinbaseMaturity + 2 blocks mined
// to it); mod, if set, changes a's manager configuration.
func fundedNode(t *testing.T, p *chain.Params, mod func(*Config)) (*node, *mempool.Pool, *wallet.Wallet) {
	t.Helper()
	w, err := wallet.Generate(p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var pool *mempool.Pool
	a := newNode(t, "a", nil, withParams(p), func(n *node, _ *Config) {
		n.setup = func(n *node, c *Config) {
			if pool, err = mempool.New(mempool.Config{Params: n.params, Chain: n.store}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(n.store.Subscribe(pool.HandleEvent))
			c.Pool = pool
			if mod != nil {
				mod(c)
			}
		}
	})
	mn, err := miner.New(miner.Config{Chain: a.store, Txs: pool, PayTo: w.PkScript()})
	if err != nil {
		t.Fatal(err)
	}
	for range p.CoinbaseMaturity + 2 {
		if _, err := mn.MineBlock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return a, pool, w
}
