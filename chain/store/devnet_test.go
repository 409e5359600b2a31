package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/miner"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

// clock is a test clock that the test moves.
type clock struct{ unix atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *clock) advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// node is a chain state with its pool and miner.
type node struct {
	st    *store.Store
	pool  *mempool.Pool
	miner *miner.Miner
}

func newNode(t *testing.T, p *chain.Params, clk *clock, payTo *wallet.Wallet) *node {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), p, store.Config{Now: clk.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pool, err := mempool.New(mempool.Config{Params: p, Chain: st, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	cancel := st.Subscribe(pool.HandleEvent)
	t.Cleanup(cancel)
	m, err := miner.New(miner.Config{Chain: st, Txs: pool, PayTo: payTo.PkScript(), Now: clk.now, Text: []byte("ledgernet test")})
	if err != nil {
		t.Fatal(err)
	}
	return &node{st: st, pool: pool, miner: m}
}

func (n *node) mine(t *testing.T, clk *clock) *wire.MsgBlock {
	t.Helper()
	clk.advance(5 * time.Second)
	b, err := n.miner.MineBlock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newWallet(t *testing.T, p *chain.Params, seed byte) *wallet.Wallet {
	var k [32]byte
	k[0], k[31] = 0x77, seed
	w, err := wallet.FromKeyBytes(p, k[:])
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestDevnetWallets mines 300 devnet blocks (crossing four retargets; 120
// under the race detector) with wallets paying each other through the pool,
// then checks every wallet's balance against the payments made, and the
// total against the subsidies.
func TestDevnetWallets(t *testing.T) {
	p := chain.DevNetParams()
	clk := &clock{}
	clk.unix.Store(int64(p.GenesisBlock.Header.Timestamp))
	mw := newWallet(t, p, 1)
	users := []*wallet.Wallet{newWallet(t, p, 2), newWallet(t, p, 3), newWallet(t, p, 4)}
	n := newNode(t, p, clk, mw)
	want := make(map[wallet.Address]int64)
	blocks := int32(300)
	if raceEnabled {
		blocks = 120
	}
	const feeRate = 2000
	var subsidies int64
	payments := 0
	for h := int32(1); h <= blocks; h++ {
		// The miner pays a user; each user pays the next.
		if h > p.CoinbaseMaturity {
			to := users[int(h)%len(users)]
			tx, fee, err := mw.Pay(n.st, n.pool, to.Address(), 3*ledger.Subsidy(p, h)/4, feeRate)
			if err != nil {
				t.Fatalf("height %d: miner pays: %v", h, err)
			}
			if _, err := n.pool.Accept(tx); err != nil {
				t.Fatalf("height %d: %v", h, err)
			}
			want[mw.Address()] -= 3*ledger.Subsidy(p, h)/4 + fee
			want[to.Address()] += 3 * ledger.Subsidy(p, h) / 4
			payments++
			for i, u := range users {
				if h%2 == 0 {
					break // users pay every other block
				}
				next := users[(i+1)%len(users)]
				amount := int64(h) * 1_000_000
				tx, fee, err := u.Pay(n.st, n.pool, next.Address(), amount, feeRate)
				if errors.Is(err, wallet.ErrInsufficientFunds) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if _, err := n.pool.Accept(tx); err != nil {
					t.Fatalf("height %d: user %d pays: %v", h, i, err)
				}
				want[u.Address()] -= amount + fee
				want[next.Address()] += amount
				payments++
			}
		}
		pooled := n.pool.Stats()
		var fees int64
		for _, d := range n.pool.TemplateTxs(1_000_000, 0) {
			fees += d.Fee
		}
		b := n.mine(t, clk)
		if len(b.Transactions) != 1+pooled.Count || n.pool.Count() != 0 {
			t.Fatalf("height %d: block has %d txs for %d pooled, %d left", h, len(b.Transactions), pooled.Count, n.pool.Count())
		}
		want[mw.Address()] += ledger.Subsidy(p, h) + fees
		subsidies += ledger.Subsidy(p, h)
	}
	tip := n.st.Tip()
	if tip.Height != blocks {
		t.Fatalf("tip at %d", tip.Height)
	}
	if tip.Header.Bits == p.PowLimitBits {
		t.Fatal("5 s blocks with Bitcoin's off-by-one retarget should have raised the difficulty")
	}
	for _, w := range append(users, mw) {
		b, err := w.Balance(n.st, n.pool)
		if err != nil {
			t.Fatal(err)
		}
		if b.Confirmed != want[w.Address()] {
			t.Errorf("wallet %s: balance %d, want %d", w.Address(), b.Confirmed, want[w.Address()])
		}
	}
	count, total, err := n.st.CoinCount()
	if err != nil {
		t.Fatal(err)
	}
	if total != subsidies {
		t.Fatalf("coins total %d, subsidies %d", total, subsidies)
	}
	t.Logf("%d blocks, %d payments, %d coins", blocks, payments, count)
}

// TestReorgMempool: two nodes share 22 blocks, then mine different blocks.
// Node A's block has txX (pays U1) and txZ; node B's conflicting txY spends
// txX's coin (pays U2). When B's longer branch reaches A, txX is gone for
// good (its coin is spent), txZ comes back to A's pool and is mined again.
func TestReorgMempool(t *testing.T) {
	p := chain.DevNetParams()
	clk := &clock{}
	clk.unix.Store(int64(p.GenesisBlock.Header.Timestamp))
	mw, u1, u2, u3 := newWallet(t, p, 1), newWallet(t, p, 2), newWallet(t, p, 3), newWallet(t, p, 4)
	a, b := newNode(t, p, clk, mw), newNode(t, p, clk, mw)
	var shared []*wire.MsgBlock
	for range 22 {
		shared = append(shared, a.mine(t, clk))
	}
	if err := b.st.ProcessBlocks(shared); err != nil {
		t.Fatal(err)
	}
	txX, _, err := mw.Pay(a.st, a.pool, u1.Address(), 10*1e8, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Accept(txX); err != nil {
		t.Fatal(err)
	}
	txZ, _, err := mw.Pay(a.st, a.pool, u3.Address(), 5*1e8, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Accept(txZ); err != nil {
		t.Fatal(err)
	}
	if txZ.TxIn[0].PreviousOutPoint == txX.TxIn[0].PreviousOutPoint {
		t.Fatal("wallet reused a coin the pool spends")
	}
	a23 := a.mine(t, clk)
	if len(a23.Transactions) != 3 {
		t.Fatalf("A's block has %d txs", len(a23.Transactions))
	}
	// B never saw txX: the wallet spends the same (oldest) coin there.
	txY, _, err := mw.Pay(b.st, b.pool, u2.Address(), 10*1e8, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if txY.TxIn[0].PreviousOutPoint != txX.TxIn[0].PreviousOutPoint {
		t.Fatal("test setup: txY should conflict with txX")
	}
	if _, err := b.pool.Accept(txY); err != nil {
		t.Fatal(err)
	}
	b23, b24 := b.mine(t, clk), b.mine(t, clk)
	var events []store.Event
	a.st.Subscribe(func(ev store.Event) { events = append(events, ev) })
	if err := a.st.ProcessBlocks([]*wire.MsgBlock{b23, b24}); err != nil {
		t.Fatal(err)
	}
	if a.st.Tip().Hash != b24.BlockHash() {
		t.Fatal("A did not switch to B's branch")
	}
	if len(events) != 4 || events[0].Kind != store.EventBlockDisconnected || events[3].Kind != store.EventTipChanged {
		t.Fatalf("events %v", events)
	}
	if a.pool.Has(txX.TxHash()) || !a.pool.Has(txZ.TxHash()) {
		t.Fatalf("A's pool after the reorg: txX %v (want false), txZ %v (want true)", a.pool.Has(txX.TxHash()), a.pool.Has(txZ.TxHash()))
	}
	a25 := a.mine(t, clk)
	if len(a25.Transactions) != 2 || a25.Transactions[1].TxHash() != txZ.TxHash() {
		t.Fatal("txZ not mined again")
	}
	for _, c := range []struct {
		w    *wallet.Wallet
		want int64
	}{{u1, 0}, {u2, 10 * 1e8}, {u3, 5 * 1e8}} {
		bal, err := c.w.Balance(a.st, a.pool)
		if err != nil {
			t.Fatal(err)
		}
		if bal.Confirmed != c.want {
			t.Errorf("%s: %d, want %d", c.w.Address(), bal.Confirmed, c.want)
		}
	}
}
