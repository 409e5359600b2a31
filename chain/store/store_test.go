package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

func TestOpenNewAndReopen(t *testing.T) {
	dir := t.TempDir()
	p := chain.DevNetParams()
	s := openTest(t, dir, p)
	if tip := s.Tip(); tip.Hash != p.GenesisHash || tip.Height != 0 {
		t.Fatalf("new store tip %s at %d, want genesis", tip.Hash, tip.Height)
	}
	if !s.HaveBlock(p.GenesisHash) || !s.KeepsCoins() {
		t.Fatal("genesis block not stored, or devnet keeps no coins")
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Another network's database is refused.
	if _, err := Open(dir+"/"+FileName, chain.RegTestParams(), Config{Now: testNow, NoSync: true}); !errors.Is(err, ErrWrongNetwork) {
		t.Fatalf("regtest over a devnet database: %v, want ErrWrongNetwork", err)
	}
	s = openTest(t, dir, p)
	if tip := s.Tip(); tip.Hash != p.GenesisHash {
		t.Fatalf("reopened tip %s", tip.Hash)
	}
}

// baseChain builds 25 devnet blocks paying key A, with a spend of coinbase
// 1 at height 22 and an OP_RETURN output at height 23.
type baseChain struct {
	p        *chain.Params
	a, b     *secp256k1.PrivateKey
	build    *builder
	spent1   *wire.MsgTx // spends coinbase 1 at height 22
	opReturn *wire.MsgTx // at height 23, output 0 is OP_RETURN
}

const testFee = 1000

func newBaseChain(t testing.TB) *baseChain {
	p := chain.DevNetParams()
	c := &baseChain{p: p, a: testKey(1), b: testKey(2)}
	c.build = newBuilder(t, p, 'a', p.GenesisHash, 0, keyScript(c.a))
	for c.build.height() < 21 {
		c.build.next(nil, 0)
	}
	cb1 := coinbaseOut(c.build.blocks[0])
	sub := ledger.Subsidy(p, 1)
	c.spent1 = spend(t, c.a, []wire.OutPoint{cb1},
		&wire.TxOut{Value: 10_0000_0000, PkScript: keyScript(c.a)},
		&wire.TxOut{Value: sub - 10_0000_0000 - testFee, PkScript: keyScript(c.b)})
	c.build.next([]*wire.MsgTx{c.spent1}, testFee)
	c.opReturn = spend(t, c.a, []wire.OutPoint{{Hash: c.spent1.TxHash(), Index: 0}},
		&wire.TxOut{Value: 0, PkScript: []byte{chain.OpReturn, 4, 'n', 'o', 't', 'e'}},
		&wire.TxOut{Value: 10_0000_0000 - testFee, PkScript: keyScript(c.a)})
	c.build.next([]*wire.MsgTx{c.opReturn}, testFee)
	for c.build.height() < 25 {
		c.build.next(nil, 0)
	}
	return c
}

func (c *baseChain) cb(h int32) wire.OutPoint { return coinbaseOut(c.build.blocks[h-1]) }

func TestConnectAndRestart(t *testing.T) {
	dir := t.TempDir()
	c := newBaseChain(t)
	s := openTest(t, dir, c.p)
	mustProcess(t, s, c.build.blocks...)
	tip := s.Tip()
	if tip.Height != 25 || tip.Hash != c.build.prev {
		t.Fatalf("tip %s at %d, want %s at 25", tip.Hash, tip.Height, c.build.prev)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	coins := coinSet(t, s)
	// 25 coinbases, minus coinbase 1 spent, plus 2 outputs of spent1, minus
	// its output 0 spent by opReturn, plus opReturn's spendable output.
	if len(coins) != 25-1+2-1+1 {
		t.Fatalf("%d coins", len(coins))
	}
	got, _, err := s.FetchCoins([]wire.OutPoint{c.cb(1), c.cb(2), {Hash: c.opReturn.TxHash(), Index: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[c.cb(1)]; ok {
		t.Fatal("spent coinbase 1 still a coin")
	}
	if _, ok := got[wire.OutPoint{Hash: c.opReturn.TxHash(), Index: 0}]; ok {
		t.Fatal("OP_RETURN output became a coin")
	}
	if cb2, ok := got[c.cb(2)]; !ok || !cb2.Coinbase || cb2.Height != 2 || cb2.Value != ledger.Subsidy(c.p, 2) {
		t.Fatalf("coinbase 2: %+v %v", cb2, ok)
	}
	headers := s.HeaderCount()
	s.Close()

	s = openTest(t, dir, c.p)
	if s.Tip().Hash != tip.Hash || s.Tip().ChainWork != tip.ChainWork || s.HeaderCount() != headers {
		t.Fatalf("after reopen: tip %s work %s headers %d", s.Tip().Hash, s.Tip().ChainWork, s.HeaderCount())
	}
	if err := sameCoins(coins, coinSet(t, s)); err != nil {
		t.Fatal(err)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	// Known blocks are not processed twice.
	mustProcess(t, s, c.build.blocks...)
	if s.Tip().Hash != tip.Hash {
		t.Fatal("reprocessing moved the tip")
	}
}

// signRaw signs input idx for pkScript with key, with a chosen hash type
// and optionally the high-S form of the signature.
func signRaw(tx *wire.MsgTx, idx int, pkScript []byte, key *secp256k1.PrivateKey, hashType byte, highS bool) {
	h := ledger.SignatureHash(tx, idx, pkScript, uint32(hashType))
	sig := ecdsa.Sign(key, h[:])
	der := sig.Serialize()
	if highS {
		// Serialize always writes the low S: encode the high one by hand.
		r, s := sig.R(), sig.S()
		s.Negate()
		der = derSignature(r.Bytes(), s.Bytes())
	}
	der = append(der, hashType)
	tx.TxIn[idx].SignatureScript = chain.P2PKHSignatureScript(der, key.PubKey().SerializeCompressed())
}

// derSignature encodes big-endian r and s as a DER signature.
func derSignature(r, s [32]byte) []byte {
	integer := func(v []byte) []byte {
		for len(v) > 1 && v[0] == 0 && v[1]&0x80 == 0 {
			v = v[1:]
		}
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return append([]byte{0x02, byte(len(v))}, v...)
	}
	body := append(integer(r[:]), integer(s[:])...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

func TestLedgerRuleViolations(t *testing.T) {
	c := newBaseChain(t)
	p := c.p
	s := openTest(t, t.TempDir(), p)
	mustProcess(t, s, c.build.blocks...)
	tip := s.Tip()
	a, b := c.a, c.b
	out := func(v int64, k *secp256k1.PrivateKey) *wire.TxOut {
		return &wire.TxOut{Value: v, PkScript: keyScript(k)}
	}
	sub := ledger.Subsidy(p, 1)

	cases := []struct {
		name  string
		txs   func() []*wire.MsgTx
		fees  int64
		extra int64
		want  error
	}{
		{"missing input", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{{Hash: wire.Hash{1, 2, 3}, Index: 0}}, out(1000, b))}
		}, 0, 0, ledger.ErrMissingOrSpent},
		{"double spend in block", func() []*wire.MsgTx {
			return []*wire.MsgTx{
				spend(t, a, []wire.OutPoint{c.cb(2)}, out(sub, b)),
				spend(t, a, []wire.OutPoint{c.cb(2)}, out(sub-1, b)),
			}
		}, 1, 0, ledger.ErrDoubleSpendInBlock},
		{"double spend across blocks", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{c.cb(1)}, out(sub, b))}
		}, 0, 0, ledger.ErrMissingOrSpent},
		{"bad signature", func() []*wire.MsgTx {
			tx := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub, b))
			tx.TxOut[0].Value-- // after signing
			return []*wire.MsgTx{tx}
		}, 1, 0, ledger.ErrBadSignature},
		{"wrong public key hash", func() []*wire.MsgTx {
			tx := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub, b))
			signRaw(tx, 0, keyScript(a), b, 1, false) // b's key for a's coin
			return []*wire.MsgTx{tx}
		}, 0, 0, ledger.ErrPubKeyHashMismatch},
		{"hash type not SIGHASH_ALL", func() []*wire.MsgTx {
			tx := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub, b))
			signRaw(tx, 0, keyScript(a), a, 2, false)
			return []*wire.MsgTx{tx}
		}, 0, 0, ledger.ErrBadSigHashType},
		{"high S", func() []*wire.MsgTx {
			tx := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub, b))
			signRaw(tx, 0, keyScript(a), a, 1, true)
			return []*wire.MsgTx{tx}
		}, 0, 0, ledger.ErrBadSignatureEncoding},
		{"immature coinbase spend", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{c.cb(10)}, out(sub, b))}
		}, 0, 0, ledger.ErrImmatureSpend},
		{"outputs exceed inputs", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub+1, b))}
		}, 0, 0, ledger.ErrSpendTooHigh},
		{"coinbase too large", func() []*wire.MsgTx { return nil }, 0, 1, ledger.ErrBadCoinbaseValue},
		{"coinbase claims more fees than paid", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub-testFee, b))}
		}, testFee + 1, 0, ledger.ErrBadCoinbaseValue},
		{"spend an OP_RETURN output", func() []*wire.MsgTx {
			return []*wire.MsgTx{spend(t, a, []wire.OutPoint{{Hash: c.opReturn.TxHash(), Index: 0}}, out(0, b))}
		}, 0, 0, ledger.ErrMissingOrSpent},
		{"spend an output of a later transaction", func() []*wire.MsgTx {
			t2 := spend(t, a, []wire.OutPoint{c.cb(4)}, out(sub, a))
			t1 := spend(t, a, []wire.OutPoint{{Hash: t2.TxHash(), Index: 0}}, out(sub, b))
			return []*wire.MsgTx{t1, t2}
		}, 0, 0, ledger.ErrMissingOrSpent},
		{"not a P2PKH signature script", func() []*wire.MsgTx {
			tx := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub, b))
			tx.TxIn[0].SignatureScript = []byte{chain.Op1}
			return []*wire.MsgTx{tx}
		}, 0, 0, ledger.ErrBadSignatureScript},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			blk := makeBlock(t, p, blockSpec{prev: tip.Hash, height: 26, tag: byte(i), payTo: keyScript(a),
				txs: tc.txs(), fees: tc.fees, extra: tc.extra})
			err := s.ProcessBlock(blk)
			if s.Tip().Hash != tip.Hash {
				t.Fatal("tip moved: the block was connected")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var be *BlockError
			if !errors.As(err, &be) || be.Hash != blk.BlockHash() || be.Height != 26 {
				t.Fatalf("error %v does not name the block", err)
			}
			info, ok := s.BlockInfo(blk.BlockHash())
			if !ok || info.Status&chain.StatusBlockInvalid == 0 || info.Active {
				t.Fatalf("block status %+v, want invalid", info)
			}
			// Once invalid, always refused.
			if err := s.ProcessBlock(blk); !errors.Is(err, ErrKnownInvalid) {
				t.Fatalf("again: %v, want ErrKnownInvalid", err)
			}
			child := makeBlock(t, p, blockSpec{prev: blk.BlockHash(), height: 27, payTo: keyScript(a)})
			if _, err := s.AddHeaders([]wire.BlockHeader{child.Header}); !errors.Is(err, ErrKnownInvalid) {
				t.Fatalf("child header: %v, want ErrKnownInvalid", err)
			}
		})
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}

	// The valid counterparts: fees claimed exactly, and a chain of spends
	// inside one block.
	t1 := spend(t, a, []wire.OutPoint{c.cb(3)}, out(sub-testFee, a))
	t2 := spend(t, a, []wire.OutPoint{{Hash: t1.TxHash(), Index: 0}}, out(sub-2*testFee, b))
	good := makeBlock(t, p, blockSpec{prev: tip.Hash, height: 26, tag: 0xff, payTo: keyScript(a), txs: []*wire.MsgTx{t1, t2}, fees: 2 * testFee})
	mustProcess(t, s, good)
	if s.Tip().Hash != good.BlockHash() {
		t.Fatal("valid block not connected")
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
}

func TestReorg(t *testing.T) {
	c := newBaseChain(t) // branch A: 25 blocks
	p := c.p
	a := c.build
	for a.height() < 30 {
		a.next(nil, 0)
	}
	// Branch B forks after height 10, conflicts with A's spend of coinbase
	// 1, spends coinbase 2, and grows to 32.
	bb := a.fork('b', 10)
	for bb.height() < 21 {
		bb.next(nil, 0)
	}
	sub := ledger.Subsidy(p, 1)
	conflict := spend(t, c.a, []wire.OutPoint{c.cb(1)}, &wire.TxOut{Value: sub - testFee, PkScript: keyScript(c.b)})
	bb.next([]*wire.MsgTx{conflict}, testFee)
	bb.next([]*wire.MsgTx{spend(t, c.a, []wire.OutPoint{c.cb(2)}, &wire.TxOut{Value: sub - testFee, PkScript: keyScript(c.b)})}, testFee)
	for bb.height() < 32 {
		bb.next(nil, 0)
	}

	fresh := func(blocks ...[]*wire.MsgBlock) map[wire.OutPoint]ledger.Coin {
		s := openTest(t, t.TempDir(), p)
		for _, bs := range blocks {
			mustProcess(t, s, bs...)
		}
		return coinSet(t, s)
	}
	wantA, wantB := fresh(a.blocks), fresh(a.blocks[:10], bb.blocks)

	s := openTest(t, t.TempDir(), p)
	var events []Event
	s.Subscribe(func(ev Event) { events = append(events, ev) })
	mustProcess(t, s, a.blocks...)
	events = nil
	// B's blocks one by one: the switch happens when B passes A's work.
	for i, blk := range bb.blocks {
		mustProcess(t, s, blk)
		if h := int32(11 + i); h <= 30 && s.Tip().Hash != a.prev {
			t.Fatalf("tip moved to B at height %d with less or equal work", h)
		}
	}
	if s.Tip().Hash != bb.prev {
		t.Fatalf("tip %s, want B's tip", s.Tip().Hash)
	}
	if err := sameCoins(wantB, coinSet(t, s)); err != nil {
		t.Fatalf("after reorg to B: %v", err)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	var disc, conn, tips int
	for _, ev := range events {
		switch ev.Kind {
		case EventBlockDisconnected:
			disc++
			if conn > 0 && disc > 0 && ev.Height > 30 {
				t.Fatal("disconnect after connect")
			}
		case EventBlockConnected:
			conn++
		case EventTipChanged:
			tips++
		}
	}
	if disc != 20 || conn != 22 {
		t.Fatalf("%d disconnected, %d connected, want 20 and 22", disc, conn)
	}

	// A grows past B: back again.
	for a.height() < 33 {
		a.next(nil, 0)
	}
	mustProcess(t, s, a.blocks[30:]...)
	if s.Tip().Hash != a.prev {
		t.Fatal("tip did not return to A")
	}
	if err := sameCoins(fresh(a.blocks), coinSet(t, s)); err != nil {
		t.Fatalf("after reorg back to A: %v", err)
	}
	_ = wantA
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
}

func TestReorgToInvalidBranch(t *testing.T) {
	c := newBaseChain(t)
	p := c.p
	a := c.build
	for a.height() < 30 {
		a.next(nil, 0)
	}
	bb := a.fork('b', 10)
	for bb.height() < 14 {
		bb.next(nil, 0)
	}
	// B15 spends an immature coinbase: CheckBlock passes, the ledger fails.
	bad := spend(t, c.a, []wire.OutPoint{c.cb(10)}, &wire.TxOut{Value: 1, PkScript: keyScript(c.b)})
	b15 := bb.next([]*wire.MsgTx{bad}, ledger.Subsidy(p, 10)-1)
	for bb.height() < 35 {
		bb.next(nil, 0)
	}

	s := openTest(t, t.TempDir(), p)
	mustProcess(t, s, a.blocks...)
	want := coinSet(t, s)
	err := s.ProcessBlocks(bb.blocks)
	var be *BlockError
	if !errors.As(err, &be) || be.Hash != b15.BlockHash() || !errors.Is(err, ledger.ErrImmatureSpend) {
		t.Fatalf("got %v, want B15's immature spend", err)
	}
	if s.Tip().Hash != a.prev {
		t.Fatalf("tip %s at %d, want A's tip back", s.Tip().Hash, s.Tip().Height)
	}
	if err := sameCoins(want, coinSet(t, s)); err != nil {
		t.Fatal(err)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	for _, blk := range bb.blocks[4:] {
		info, _ := s.BlockInfo(blk.BlockHash())
		if info.Status&chain.StatusBlockInvalid == 0 {
			t.Fatalf("block at %d of the invalid branch not marked invalid", info.Height)
		}
	}
	for _, blk := range bb.blocks[:4] {
		info, _ := s.BlockInfo(blk.BlockHash())
		if info.Status&chain.StatusBlockValid == 0 || info.Status&chain.StatusBlockInvalid != 0 {
			t.Fatalf("block at %d before the invalid one: status %b", info.Height, info.Status)
		}
	}
	if bh := s.BestHeader(); bh.Hash != a.prev {
		t.Fatalf("best header %s at %d, want A's tip", bh.Hash, bh.Height)
	}
	if m := s.MissingBlocks(10); len(m) != 0 {
		t.Fatalf("missing blocks %v on an invalid branch", m)
	}
	// After a restart the branch is still refused and A stays the tip.
	dir := filepath.Dir(s.db.Path())
	s.Close()
	s = openTest(t, dir, p)
	if s.Tip().Hash != a.prev || s.BestHeader().Hash != a.prev {
		t.Fatalf("after reopen: tip %d, best header %d", s.Tip().Height, s.BestHeader().Height)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
}

func TestHeadersFirstAnyOrder(t *testing.T) {
	p := chain.DevNetParams()
	bld := newBuilder(t, p, 'h', p.GenesisHash, 0, keyScript(testKey(1)))
	for bld.height() < 20 {
		bld.next(nil, 0)
	}
	s := openTest(t, t.TempDir(), p)
	headers := make([]wire.BlockHeader, len(bld.blocks))
	for i, b := range bld.blocks {
		headers[i] = b.Header
	}
	if n, err := s.AddHeaders(headers); err != nil || n != 20 {
		t.Fatalf("AddHeaders: %d, %v", n, err)
	}
	if bh := s.BestHeader(); bh.Height != 20 || s.Tip().Height != 0 {
		t.Fatalf("best header %d, tip %d", bh.Height, s.Tip().Height)
	}
	missing := s.MissingBlocks(5)
	if len(missing) != 5 || missing[0] != bld.blocks[0].BlockHash() || missing[4] != bld.blocks[4].BlockHash() {
		t.Fatalf("missing %v", missing)
	}
	// Newest first: nothing connects until block 1 arrives.
	for i := len(bld.blocks) - 1; i >= 1; i-- {
		mustProcess(t, s, bld.blocks[i])
		if s.Tip().Height != 0 {
			t.Fatalf("tip moved to %d without block 1", s.Tip().Height)
		}
	}
	if m := s.MissingBlocks(5); len(m) != 1 || m[0] != bld.blocks[0].BlockHash() {
		t.Fatalf("missing %v, want block 1 only", m)
	}
	mustProcess(t, s, bld.blocks[0])
	if s.Tip().Hash != bld.prev {
		t.Fatalf("tip at %d, want 20", s.Tip().Height)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	// getheaders from genesis, with a stop.
	got := s.HeadersAfter([]wire.Hash{p.GenesisHash}, bld.blocks[2].BlockHash(), 2000)
	if len(got) != 3 || got[2] != bld.blocks[2].Header {
		t.Fatalf("HeadersAfter: %d headers", len(got))
	}
	// An orphan block is refused without being stored.
	orphan := makeBlock(t, p, blockSpec{prev: wire.Hash{9}, height: 5, payTo: keyScript(testKey(1))})
	if err := s.ProcessBlock(orphan); !errors.Is(err, chain.ErrPrevNotFound) {
		t.Fatalf("orphan: %v", err)
	}
}

func TestAbortBeforeCommit(t *testing.T) {
	c := newBaseChain(t)
	dir := t.TempDir()
	s := openTest(t, dir, c.p)
	mustProcess(t, s, c.build.blocks[:21]...)
	before := coinSet(t, s)
	tip := s.Tip()
	// Block 22 spends coinbase 1: the transaction writes coins, deletes a
	// coin and an undo record, then fails before the commit.
	s.hookBeforeCommit = func() error { return errHook }
	if err := s.ProcessBlock(c.build.blocks[21]); !errors.Is(err, errHook) {
		t.Fatalf("got %v, want the hook's error", err)
	}
	if s.Tip().Hash != tip.Hash {
		t.Fatal("in-memory tip moved although nothing was committed")
	}
	if err := sameCoins(before, coinSet(t, s)); err != nil {
		t.Fatal(err)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	if !s.HaveBlock(c.build.blocks[21].BlockHash()) {
		t.Fatal("the block itself was stored before connecting: it should be kept")
	}
	// Next block: the stored one is connected first.
	s.hookBeforeCommit = nil
	mustProcess(t, s, c.build.blocks[22])
	if s.Tip().Height != 23 {
		t.Fatalf("tip at %d, want 23", s.Tip().Height)
	}
	// Abort again, then close: Open resumes and connects it.
	s.hookBeforeCommit = func() error { return errHook }
	if err := s.ProcessBlock(c.build.blocks[23]); !errors.Is(err, errHook) {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir, c.p)
	if s.Tip().Height != 24 {
		t.Fatalf("reopened tip at %d, want 24 (resumed)", s.Tip().Height)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
}

func TestMutatedBlockNotMarked(t *testing.T) {
	p := chain.DevNetParams()
	k := testKey(1)
	good := makeBlock(t, p, blockSpec{prev: p.GenesisHash, height: 1, payTo: keyScript(k)})
	// Same header, a transaction list that does not match it.
	mutated := &wire.MsgBlock{Header: good.Header, Transactions: []*wire.MsgTx{good.Transactions[0], good.Transactions[0]}}
	s := openTest(t, t.TempDir(), p)
	err := s.ProcessBlock(mutated)
	if err == nil || !chain.IsBlockMutated(err) {
		t.Fatalf("mutated block: %v", err)
	}
	info, ok := s.BlockInfo(good.BlockHash())
	if !ok || info.Status&(chain.StatusBlockInvalid|chain.StatusHaveData) != 0 {
		t.Fatalf("status after a mutated copy: %b", info.Status)
	}
	mustProcess(t, s, good)
	if s.Tip().Hash != good.BlockHash() {
		t.Fatal("good copy not connected")
	}
	if err := s.ProcessBlocks([]*wire.MsgBlock{good, nil}); err == nil {
		t.Fatal("nil block accepted")
	}
}

func TestCheckBlockRuleMarksInvalid(t *testing.T) {
	p := chain.DevNetParams()
	k := testKey(1)
	s := openTest(t, t.TempDir(), p)
	// A coinbase without the BIP34 height: the header is fine, the block
	// is not.
	blk := makeBlock(t, p, blockSpec{prev: p.GenesisHash, height: 1, payTo: keyScript(k)})
	blk.Transactions[0].TxIn[0].SignatureScript = []byte{0x02, 0xab, 0xcd}
	blk.Header.MerkleRoot, _ = chain.MerkleRoot(chain.BlockTxIDs(blk))
	solve(t, &blk.Header)
	if err := s.ProcessBlock(blk); !errors.Is(err, chain.ErrBadCoinbaseHeight) {
		t.Fatalf("got %v", err)
	}
	if info, _ := s.BlockInfo(blk.BlockHash()); info.Status&chain.StatusBlockInvalid == 0 {
		t.Fatal("not marked invalid")
	}
	// Reopen: the mark persists.
	dir := filepath.Dir(s.db.Path())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, p)
	if info, _ := s.BlockInfo(blk.BlockHash()); info.Status&chain.StatusBlockInvalid == 0 {
		t.Fatal("invalid mark lost on reopen")
	}
	if err := s.ProcessBlock(blk); !errors.Is(err, ErrKnownInvalid) {
		t.Fatalf("after reopen: %v", err)
	}
}

func TestBlockTemplate(t *testing.T) {
	c := newBaseChain(t)
	s := openTest(t, t.TempDir(), c.p)
	mustProcess(t, s, c.build.blocks...)
	next := s.NextBlock(testNow())
	if next.PrevBlock != c.build.prev || next.Height != 26 || next.Bits != c.p.PowLimitBits {
		t.Fatalf("next block %+v", next)
	}
	blk := makeBlock(t, c.p, blockSpec{prev: next.PrevBlock, height: 26, payTo: keyScript(c.a), extra: 1})
	if err := s.CheckBlockTemplate(blk); !errors.Is(err, ledger.ErrBadCoinbaseValue) {
		t.Fatalf("template paying too much: %v", err)
	}
	blk = makeBlock(t, c.p, blockSpec{prev: next.PrevBlock, height: 26, payTo: keyScript(c.a)})
	if err := s.CheckBlockTemplate(blk); err != nil {
		t.Fatal(err)
	}
	if s.Tip().Height != 25 {
		t.Fatal("template check changed the tip")
	}
}

// TestMainnetBlocks feeds Bitcoin's first 14,132 blocks through the
// Bitcoin-profile path: headers first, then blocks, structural checks only.
func TestMainnetBlocks(t *testing.T) {
	p := chain.MainNetParams()
	blocks := readBlkFile(t, fixtures.Path(t, "btc/mainnet/blocks_0_14131.blk"), 0xd9b4bef9)
	if len(blocks) != 14132 || blocks[0].BlockHash() != p.GenesisHash {
		t.Fatalf("%d blocks in the fixture", len(blocks))
	}
	dir := t.TempDir()
	s, err := Open(dir+"/"+FileName, p, Config{NoSync: true, ConnectBatch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	headers := make([]wire.BlockHeader, 0, len(blocks)-1)
	for _, b := range blocks[1:] {
		headers = append(headers, b.Header)
	}
	for i := 0; i < len(headers); i += 2000 {
		if _, err := s.AddHeaders(headers[i:min(i+2000, len(headers))]); err != nil {
			t.Fatal(err)
		}
	}
	if bh := s.BestHeader(); bh.Height != 14131 {
		t.Fatalf("best header %d", bh.Height)
	}
	for i := 1; i < len(blocks); i += 500 {
		if err := s.ProcessBlocks(blocks[i:min(i+500, len(blocks))]); err != nil {
			t.Fatal(err)
		}
	}
	tip := s.Tip()
	if tip.Height != 14131 || tip.Hash != blocks[14131].BlockHash() {
		t.Fatalf("tip %s at %d", tip.Hash, tip.Height)
	}
	if _, _, err := s.FetchCoins(nil); !errors.Is(err, ErrNoCoinSet) {
		t.Fatalf("FetchCoins on mainnet: %v", err)
	}
	if err := verifyState(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dir+"/"+FileName, p, Config{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Tip().Hash != tip.Hash || s.HeaderCount() != 14132 {
		t.Fatalf("after reopen: tip %d, %d headers", s.Tip().Height, s.HeaderCount())
	}
	if h, ok := s.BlockHashAt(11111); !ok || h.String() != "0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d" {
		t.Fatalf("block 11111: %s", h)
	}
}

var _ = fmt.Sprint
