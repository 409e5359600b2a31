package miner_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/miner"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type clock struct{ unix atomic.Int64 }

func (c *clock) now() time.Time { return time.Unix(c.unix.Load(), 0) }

func setup(t *testing.T, p *chain.Params) (*store.Store, *mempool.Pool, *wallet.Wallet, *clock) {
	t.Helper()
	clk := &clock{}
	clk.unix.Store(int64(p.GenesisBlock.Header.Timestamp) + 1)
	st, err := store.Open(filepath.Join(t.TempDir(), store.FileName), p, store.Config{Now: clk.now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var pool *mempool.Pool
	if st.KeepsCoins() {
		if pool, err = mempool.New(mempool.Config{Params: p, Chain: st, Now: clk.now}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Subscribe(pool.HandleEvent))
	}
	w, err := wallet.FromKeyBytes(p, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return st, pool, w, clk
}

func TestMineBlocksWithFees(t *testing.T) {
	p := chain.DevNetParams()
	st, pool, w, clk := setup(t, p)
	m, err := miner.New(miner.Config{Chain: st, Txs: pool, PayTo: w.PkScript(), Now: clk.now, Text: []byte("ln")})
	if err != nil {
		t.Fatal(err)
	}
	for range p.CoinbaseMaturity + 1 {
		clk.unix.Add(5)
		if _, err := m.MineBlock(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	to, _ := wallet.ParseAddress("ln1" + "00112233445566778899aabbccddeeff00112233")
	tx, fee, err := w.Pay(st, pool, to, 1e8, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Accept(tx); err != nil {
		t.Fatal(err)
	}
	clk.unix.Add(5)
	b, err := m.MineBlock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	height := p.CoinbaseMaturity + 2
	cb := b.Transactions[0]
	if len(b.Transactions) != 2 || b.Transactions[1].TxHash() != tx.TxHash() {
		t.Fatalf("block has %d txs", len(b.Transactions))
	}
	if cb.TxOut[0].Value != ledger.Subsidy(p, height)+fee || !bytes.Equal(cb.TxOut[0].PkScript, w.PkScript()) {
		t.Fatalf("coinbase pays %d to %x", cb.TxOut[0].Value, cb.TxOut[0].PkScript)
	}
	if !bytes.HasPrefix(cb.TxIn[0].SignatureScript, chain.AppendScriptInt(nil, int64(height))) {
		t.Fatal("coinbase lacks the BIP34 height")
	}
	if tip := st.Tip(); tip.Hash != b.BlockHash() || tip.Height != height || m.Mined() != uint64(height) {
		t.Fatalf("tip %d, mined %d", tip.Height, m.Mined())
	}
	if b.Header.Timestamp != uint32(clk.now().Unix()) {
		t.Fatalf("timestamp %d, clock %d", b.Header.Timestamp, clk.now().Unix())
	}
}

// TestStaleAndCancel gives Solve a target it will not meet soon.
func TestStaleAndCancel(t *testing.T) {
	p := chain.DevNetParams()
	st, _, w, clk := setup(t, p)
	m, _ := miner.New(miner.Config{Chain: st, PayTo: w.PkScript(), Now: clk.now})
	other, _ := miner.New(miner.Config{Chain: st, PayTo: w.PkScript(), Now: clk.now, Text: []byte("other")})
	tmpl, err := m.NewTemplate()
	if err != nil {
		t.Fatal(err)
	}
	tmpl.Block.Header.Bits = 0x1d00ffff // Bitcoin's difficulty 1: 2^32 hashes
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Solve(ctx, tmpl); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	clk.unix.Add(5)
	if _, err := other.MineBlock(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Solve(context.Background(), tmpl); !errors.Is(err, miner.ErrStale) {
		t.Fatalf("after the tip moved: %v", err)
	}
}

func TestStartStop(t *testing.T) {
	p := chain.DevNetParams()
	st, pool, w, clk := setup(t, p)
	m, _ := miner.New(miner.Config{Chain: st, Txs: pool, PayTo: w.PkScript(), Now: clk.now})
	connected := make(chan struct{}, 100)
	cancel := st.Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventBlockConnected {
			select {
			case connected <- struct{}{}:
			default: // never block the miner's ProcessBlock
			}
		}
	})
	defer cancel()
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); !errors.Is(err, miner.ErrRunning) {
		t.Fatalf("second Start: %v", err)
	}
	timeout := time.After(3 * time.Minute)
	for i := 0; i < 5; i++ {
		select {
		case <-connected:
		case <-timeout:
			t.Fatal("no blocks")
		}
	}
	m.Stop()
	m.Stop() // idempotent
	if m.Err() != nil || m.Mined() < 5 || st.Tip().Height < 5 {
		t.Fatalf("err %v, mined %d", m.Err(), m.Mined())
	}
}

func TestRegtest(t *testing.T) {
	p := chain.RegTestParams()
	st, _, w, clk := setup(t, p)
	if st.KeepsCoins() {
		t.Fatal("regtest keeps no coin set")
	}
	m, _ := miner.New(miner.Config{Chain: st, PayTo: w.PkScript(), Now: clk.now})
	var last *wire.MsgBlock
	for range 3 {
		clk.unix.Add(1)
		b, err := m.MineBlock(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		last = b
	}
	if st.Tip().Hash != last.BlockHash() || st.Tip().Height != 3 {
		t.Fatal("regtest blocks not connected")
	}
}

func TestConfig(t *testing.T) {
	if _, err := miner.New(miner.Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
}

// TestTwoMiners runs two miners on one chain state: each sees the other's
// blocks move the tip and starts over; neither stops with an error.
func TestTwoMiners(t *testing.T) {
	p := chain.DevNetParams()
	st, pool, w, clk := setup(t, p)
	connected := make(chan struct{}, 1000)
	defer st.Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventBlockConnected {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})()
	var ms []*miner.Miner
	for i := range 2 {
		m, _ := miner.New(miner.Config{Chain: st, Txs: pool, PayTo: w.PkScript(), Now: clk.now, Text: []byte{byte(i)}})
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	timeout := time.After(3 * time.Minute)
	for range 10 {
		select {
		case <-connected:
		case <-timeout:
			t.Fatal("no blocks")
		}
	}
	for _, m := range ms {
		m.Stop()
		if m.Err() != nil {
			t.Fatal(m.Err())
		}
	}
	if st.Tip().Height < 10 || ms[0].Mined()+ms[1].Mined() < 10 {
		t.Fatalf("tip %d, mined %d + %d", st.Tip().Height, ms[0].Mined(), ms[1].Mined())
	}
}

func TestPacing(t *testing.T) {
	p := chain.DevNetParams()
	st, pool, w, clk := setup(t, p)
	const interval = 150 * time.Millisecond
	type arrival struct {
		height int32
		at     time.Time
	}
	arrivals := make(chan arrival, 100)
	defer st.Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventBlockConnected {
			select {
			case arrivals <- arrival{ev.Height, time.Now()}:
			default:
			}
		}
	})()
	if _, err := miner.New(miner.Config{Chain: st, PayTo: w.PkScript(), MinInterval: -1}); err == nil {
		t.Fatal("negative MinInterval accepted")
	}
	m, err := miner.New(miner.Config{Chain: st, Txs: pool, PayTo: w.PkScript(), Now: clk.now,
		MinInterval: interval, Jitter: interval / 10, PaceFrom: 4})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	var got []arrival
	timeout := time.After(3 * time.Minute)
	for len(got) < 6 {
		select {
		case a := <-arrivals:
			got = append(got, a)
		case <-timeout:
			t.Fatal("no blocks")
		}
	}
	m.Stop()
	// Heights 1..3 come at full speed; from 4 on each waits for the tip to
	// be interval old.
	if d := got[2].at.Sub(start); d > interval {
		t.Errorf("first three blocks took %v, want them unpaced", d)
	}
	for i := 3; i < len(got); i++ {
		if d := got[i].at.Sub(got[i-1].at); d < interval {
			t.Errorf("block %d came %v after the previous one, want at least %v", got[i].height, d, interval)
		}
	}
}
