package mempool

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

// fakeChain is a coin set without blocks.
type fakeChain struct {
	mu    sync.Mutex // guards coins and tip
	coins map[wire.OutPoint]ledger.Coin
	tip   store.TipInfo
}

func (f *fakeChain) FetchCoins(ops []wire.OutPoint) (map[wire.OutPoint]ledger.Coin, store.TipInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[wire.OutPoint]ledger.Coin)
	for _, op := range ops {
		if c, ok := f.coins[op]; ok {
			out[op] = c
		}
	}
	return out, f.tip, nil
}

func testKey(seed byte) *secp256k1.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x33, seed
	return secp256k1.PrivKeyFromBytes(b[:])
}

func script(k *secp256k1.PrivateKey) []byte {
	return chain.PayToPubKeyHashScript(chain.Hash160(k.PubKey().SerializeCompressed()))
}

// fixture is a pool over a chain at height 100 where key a owns ten coins
// of 1 coin each (coin i at height i) and one young coinbase.
type fixture struct {
	t     *testing.T
	chain *fakeChain
	pool  *Pool
	a, b  *secp256k1.PrivateKey
}

const coin = 1_0000_0000

func newFixture(t *testing.T, cfg Config) *fixture {
	a, b := testKey(1), testKey(2)
	fc := &fakeChain{coins: make(map[wire.OutPoint]ledger.Coin), tip: store.TipInfo{Height: 100, MedianTimePast: 1_800_000_000}}
	for i := range 10 {
		fc.coins[op(byte(i))] = ledger.Coin{Value: coin, PkScript: script(a), Height: int32(i)}
	}
	fc.coins[op(99)] = ledger.Coin{Value: 50 * coin, PkScript: script(a), Height: 95, Coinbase: true}
	cfg.Params = chain.DevNetParams()
	cfg.Chain = fc
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, chain: fc, pool: p, a: a, b: b}
}

func op(i byte) wire.OutPoint { return wire.OutPoint{Hash: wire.Hash{0xc0, i}, Index: 0} }

// pay spends ins (coins of key a, values given) to b, paying fee.
func (f *fixture) pay(ins []wire.OutPoint, values []int64, fee int64) *wire.MsgTx {
	f.t.Helper()
	tx := &wire.MsgTx{Version: 2}
	var total int64
	for i, in := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: in, Sequence: 0xffffffff})
		total += values[i]
	}
	tx.TxOut = []*wire.TxOut{{Value: total - fee, PkScript: script(f.a)}}
	for i := range ins {
		if err := ledger.SignInput(tx, i, script(f.a), f.a); err != nil {
			f.t.Fatal(err)
		}
	}
	return tx
}

func (f *fixture) mustAccept(tx *wire.MsgTx) {
	f.t.Helper()
	if _, err := f.pool.Accept(tx); err != nil {
		f.t.Fatal(err)
	}
}

func TestAcceptAndReject(t *testing.T) {
	f := newFixture(t, Config{})
	good := f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 10_000)
	d, err := f.pool.Accept(good)
	if err != nil {
		t.Fatal(err)
	}
	if d.Fee != 10_000 || d.Hash != good.TxHash() || !f.pool.Has(d.Hash) || f.pool.Get(d.Hash) != good {
		t.Fatalf("desc %+v", d)
	}
	// A child spending the pooled output is fine.
	child := f.pay([]wire.OutPoint{{Hash: good.TxHash(), Index: 0}}, []int64{coin - 10_000}, 10_000)
	f.mustAccept(child)
	if !f.pool.IsSpent(op(0)) || !f.pool.IsSpent(wire.OutPoint{Hash: good.TxHash()}) {
		t.Fatal("IsSpent")
	}

	badSig := f.pay([]wire.OutPoint{op(3)}, []int64{coin}, 10_000)
	badSig.TxOut[0].Value--
	nonFinal := f.pay([]wire.OutPoint{op(4)}, []int64{coin}, 10_000)
	nonFinal.TxIn[0].Sequence = 0
	nonFinal.LockTime = 500
	for i := range nonFinal.TxIn {
		_ = ledger.SignInput(nonFinal, i, script(f.a), f.a)
	}
	witness := f.pay([]wire.OutPoint{op(5)}, []int64{coin}, 10_000)
	witness.TxIn[0].Witness = [][]byte{{1}}
	coinbase := &wire.MsgTx{TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: 0xffffffff}, SignatureScript: []byte{1, 2}}},
		TxOut: []*wire.TxOut{{Value: 1, PkScript: script(f.a)}}}

	for _, tc := range []struct {
		name string
		tx   *wire.MsgTx
		want error
	}{
		{"already pooled", good, ErrAlreadyHave},
		{"double spend of a pooled input", f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 20_000), ErrDoubleSpend},
		{"unknown input", f.pay([]wire.OutPoint{op(50)}, []int64{coin}, 10_000), ErrMissingInputs},
		{"fee below the minimum", f.pay([]wire.OutPoint{op(1)}, []int64{coin}, 10), ErrFeeTooLow},
		{"outputs exceed inputs", f.pay([]wire.OutPoint{op(1)}, []int64{coin + 1}, 0), ledger.ErrSpendTooHigh},
		{"immature coinbase", f.pay([]wire.OutPoint{op(99)}, []int64{50 * coin}, 10_000), ledger.ErrImmatureSpend},
		{"bad signature", badSig, ledger.ErrBadSignature},
		{"not final", nonFinal, ErrNonFinal},
		{"witness", witness, ErrWitness},
		{"coinbase", coinbase, ErrCoinbase},
		{"no outputs", &wire.MsgTx{TxIn: []*wire.TxIn{{PreviousOutPoint: op(2)}}}, chain.ErrNoTxOutputs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.pool.Accept(tc.tx); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	st := f.pool.Stats()
	if st.Count != 2 || st.Accepted != 2 || st.Rejected != 11 || st.Orphans != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestEviction(t *testing.T) {
	f := newFixture(t, Config{MaxTxs: 3})
	// Fee rates rise with i: fee 10,000·(i+1) on the same size.
	txs := make([]*wire.MsgTx, 6)
	for i := range txs {
		txs[i] = f.pay([]wire.OutPoint{op(byte(i))}, []int64{coin}, int64(10_000*(i+1)))
	}
	f.mustAccept(txs[1])
	f.mustAccept(txs[2])
	// txs[2]'s child: evicting txs[2] would take it too.
	child := f.pay([]wire.OutPoint{{Hash: txs[2].TxHash()}}, []int64{coin - 30_000}, 15_000)
	f.mustAccept(child)
	// Full. txs[0] pays less than everything pooled: refused.
	if _, err := f.pool.Accept(txs[0]); !errors.Is(err, ErrPoolFull) {
		t.Fatalf("low fee into a full pool: %v", err)
	}
	// txs[5] pays more than the child (the lowest): the child goes.
	f.mustAccept(txs[5])
	if f.pool.Has(child.TxHash()) || !f.pool.Has(txs[2].TxHash()) || f.pool.Count() != 3 {
		t.Fatalf("after eviction: child %v, parent %v, count %d", f.pool.Has(child.TxHash()), f.pool.Has(txs[2].TxHash()), f.pool.Count())
	}
	st := f.pool.Stats()
	if st.Evicted != 1 || st.RefusedFull != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A byte bound evicts a parent with its child.
	g := newFixture(t, Config{MaxBytes: 3 * 200})
	p1 := g.pay([]wire.OutPoint{op(1)}, []int64{coin}, 10_000)
	g.mustAccept(p1)
	c1 := g.pay([]wire.OutPoint{{Hash: p1.TxHash()}}, []int64{coin - 10_000}, 10_000)
	g.mustAccept(c1)
	rich := g.pay([]wire.OutPoint{op(2), op(3)}, []int64{coin, coin}, 500_000)
	g.mustAccept(rich)
	if g.pool.Has(p1.TxHash()) || g.pool.Has(c1.TxHash()) || !g.pool.Has(rich.TxHash()) {
		t.Fatal("byte-bound eviction did not take the parent and child")
	}
}

func TestBlockConnectedAndTemplate(t *testing.T) {
	f := newFixture(t, Config{})
	low := f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 10_000)
	high := f.pay([]wire.OutPoint{op(1)}, []int64{coin}, 90_000)
	childOfLow := f.pay([]wire.OutPoint{{Hash: low.TxHash()}}, []int64{coin - 10_000}, 200_000)
	conflicted := f.pay([]wire.OutPoint{op(2)}, []int64{coin}, 10_000)
	conflictChild := f.pay([]wire.OutPoint{{Hash: conflicted.TxHash()}}, []int64{coin - 10_000}, 10_000)
	for _, tx := range []*wire.MsgTx{low, high, childOfLow, conflicted, conflictChild} {
		f.mustAccept(tx)
	}
	tmpl := f.pool.TemplateTxs(1_000_000, 0)
	pos := make(map[wire.Hash]int)
	for i, d := range tmpl {
		pos[d.Hash] = i
	}
	if len(tmpl) != 5 || pos[high.TxHash()] != 0 || pos[low.TxHash()] > pos[childOfLow.TxHash()] {
		t.Fatalf("template order %v", pos)
	}
	if small := f.pool.TemplateTxs(4*200, 0); len(small) != 1 || small[0].Hash != high.TxHash() {
		t.Fatalf("weight-bounded template: %d txs", len(small))
	}
	// A block confirms low and spends conflicted's input otherwise.
	other := f.pay([]wire.OutPoint{op(2)}, []int64{coin}, 5_000)
	f.pool.BlockConnected(&wire.MsgBlock{Transactions: []*wire.MsgTx{{}, low, other}})
	if f.pool.Has(low.TxHash()) || f.pool.Has(conflicted.TxHash()) || f.pool.Has(conflictChild.TxHash()) {
		t.Fatal("confirmed or conflicting transactions still pooled")
	}
	if !f.pool.Has(childOfLow.TxHash()) || !f.pool.Has(high.TxHash()) {
		t.Fatal("unrelated transactions removed")
	}
	st := f.pool.Stats()
	if st.Confirmed != 1 || st.Conflicted != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestReorgRecheck(t *testing.T) {
	f := newFixture(t, Config{})
	tx := f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 10_000)
	f.mustAccept(tx)
	child := f.pay([]wire.OutPoint{{Hash: tx.TxHash()}}, []int64{coin - 10_000}, 10_000)
	f.mustAccept(child)
	// The chain loses coin 0 (a reorg spent it elsewhere): after the tip
	// change both go.
	f.chain.mu.Lock()
	delete(f.chain.coins, op(0))
	f.chain.mu.Unlock()
	// A disconnected block's transaction comes back, if valid.
	back := f.pay([]wire.OutPoint{op(5)}, []int64{coin}, 1) // below the fee floor: re-added anyway
	f.pool.HandleEvent(store.Event{Kind: store.EventBlockDisconnected, Block: &wire.MsgBlock{Transactions: []*wire.MsgTx{{}, back}}})
	f.pool.HandleEvent(store.Event{Kind: store.EventTipChanged})
	if f.pool.Has(tx.TxHash()) || f.pool.Has(child.TxHash()) || !f.pool.Has(back.TxHash()) {
		t.Fatalf("after reorg: tx %v child %v readded %v", f.pool.Has(tx.TxHash()), f.pool.Has(child.TxHash()), f.pool.Has(back.TxHash()))
	}
	if st := f.pool.Stats(); st.Readded != 1 || st.Dropped != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestConcurrentAccept(t *testing.T) {
	f := newFixture(t, Config{})
	txs := make([]*wire.MsgTx, 10)
	for i := range txs {
		txs[i] = f.pay([]wire.OutPoint{op(byte(i))}, []int64{coin}, 10_000)
	}
	var wg sync.WaitGroup
	for _, tx := range txs {
		wg.Go(func() {
			_, _ = f.pool.Accept(tx)
			_ = f.pool.TxHashes()
			_ = f.pool.TemplateTxs(1_000_000, 0)
		})
	}
	wg.Wait()
	if f.pool.Count() != 10 {
		t.Fatalf("%d pooled", f.pool.Count())
	}
}

// A transaction that waited longer than the expiry goes, with its
// descendants, on the next Accept or tip change; younger ones stay.
func TestExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	f := newFixture(t, Config{Now: func() time.Time { return now }})
	old := f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 10_000)
	f.mustAccept(old)
	now = now.Add(time.Hour)
	child := f.pay([]wire.OutPoint{{Hash: old.TxHash()}}, []int64{coin - 10_000}, 10_000)
	f.mustAccept(child)
	now = now.Add(300 * time.Hour)
	young := f.pay([]wire.OutPoint{op(1)}, []int64{coin}, 10_000)
	f.mustAccept(young)

	// Just before two weeks: nothing expires.
	now = time.Unix(1_800_000_000, 0).Add(DefaultExpiry)
	f.pool.TipChanged()
	if f.pool.Count() != 3 || f.pool.Stats().Expired != 0 {
		t.Fatalf("before the expiry: %d txs, %d expired", f.pool.Count(), f.pool.Stats().Expired)
	}
	now = now.Add(time.Second)
	f.mustAccept(f.pay([]wire.OutPoint{op(2)}, []int64{coin}, 10_000))
	if f.pool.Has(old.TxHash()) || f.pool.Has(child.TxHash()) || !f.pool.Has(young.TxHash()) {
		t.Fatalf("after the expiry: old %v child %v young %v", f.pool.Has(old.TxHash()), f.pool.Has(child.TxHash()), f.pool.Has(young.TxHash()))
	}
	if st := f.pool.Stats(); st.Expired != 2 || st.Count != 2 {
		t.Fatalf("stats %+v", st)
	}
	// The inputs they spent are free again.
	f.mustAccept(f.pay([]wire.OutPoint{op(0)}, []int64{coin}, 20_000))

	// The young one (added at 301 h) goes at its own time, on a tip change.
	now = time.Unix(1_800_000_000, 0).Add(301*time.Hour + DefaultExpiry - time.Second)
	f.pool.TipChanged()
	if !f.pool.Has(young.TxHash()) {
		t.Fatal("young expired early")
	}
	now = now.Add(2 * time.Second)
	f.pool.TipChanged()
	if f.pool.Has(young.TxHash()) || f.pool.Stats().Expired != 3 {
		t.Fatalf("young kept past its expiry: %v, %d expired", f.pool.Has(young.TxHash()), f.pool.Stats().Expired)
	}

	// A negative expiry keeps transactions for ever.
	now = time.Unix(1_800_000_000, 0)
	g := newFixture(t, Config{Expiry: -1, Now: func() time.Time { return now }})
	g.mustAccept(g.pay([]wire.OutPoint{op(0)}, []int64{coin}, 10_000))
	now = now.Add(10 * DefaultExpiry)
	g.pool.TipChanged()
	if g.pool.Count() != 1 {
		t.Fatal("expired with expiry disabled")
	}
}

func (f *fakeChain) CoinsByScript(pkScript []byte) ([]store.OutputCoin, store.TipInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.OutputCoin
	for op, c := range f.coins {
		if bytes.Equal(c.PkScript, pkScript) {
			out = append(out, store.OutputCoin{OutPoint: op, Coin: c})
		}
	}
	return out, f.tip, nil
}

// A wallet spends its own unconfirmed change from the pool, never a
// payment from someone else that is still unconfirmed.
func TestPendingChange(t *testing.T) {
	f := newFixture(t, Config{})
	p := chain.DevNetParams()
	wa, wb := wallet.New(p, f.a), wallet.New(p, f.b)
	if !bytes.Equal(wa.PkScript(), script(f.a)) {
		t.Fatal("wallet script differs from the fixture's")
	}
	f.chain.coins[op(50)] = ledger.Coin{Value: coin, PkScript: script(f.b), Height: 50}

	// a spends every confirmed coin (all but the young coinbase); the
	// change waits in the pool.
	tx1, _, err := wa.Pay(f.chain, f.pool, wb.Address(), 9*coin+coin/2, 1000)
	if err != nil {
		t.Fatal(err)
	}
	f.mustAccept(tx1)
	// b pays a from a confirmed coin: unconfirmed, and not a's own.
	fromB, _, err := wb.Pay(f.chain, f.pool, wa.Address(), coin/4, 1000)
	if err != nil {
		t.Fatal(err)
	}
	f.mustAccept(fromB)

	pend := f.pool.PendingOutputs(wa.PkScript())
	if len(pend) != 1 || pend[0].OutPoint.Hash != tx1.TxHash() {
		t.Fatalf("pending for a: %+v, want tx1's change only", pend)
	}
	bal, err := wa.Balance(f.chain, f.pool)
	if err != nil {
		t.Fatal(err)
	}
	if bal.Pending != pend[0].Coin.Value || bal.Spendable != bal.Pending {
		t.Fatalf("balance %+v, want only the pending change %d spendable", bal, pend[0].Coin.Value)
	}

	// The next payment can only come from that change.
	tx2, _, err := wa.Pay(f.chain, f.pool, wb.Address(), coin/10, 1000)
	if err != nil {
		t.Fatalf("paying from unconfirmed change: %v", err)
	}
	if len(tx2.TxIn) != 1 || tx2.TxIn[0].PreviousOutPoint != pend[0].OutPoint {
		t.Fatalf("tx2 spends %v, want the change %v", tx2.TxIn[0].PreviousOutPoint, pend[0].OutPoint)
	}
	f.mustAccept(tx2)
	// tx1's change is spent now; tx2's change is the one pending.
	if pend = f.pool.PendingOutputs(wa.PkScript()); len(pend) != 1 || pend[0].OutPoint.Hash != tx2.TxHash() {
		t.Fatalf("pending after tx2: %+v", pend)
	}
	// More than the change holds: refused, nothing from b's payment used.
	if _, _, err := wa.Pay(f.chain, f.pool, wb.Address(), coin/2, 1000); !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("overspend: %v", err)
	}
}
