package store

import (
	"errors"
	"testing"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// FuzzConnectBlock builds a block on the tip from the transactions encoded
// in the input (after a valid coinbase) and runs the block checks and the
// ledger rules on it (CheckBlockTemplate: the same code as connecting, on a
// read-only snapshot, so that each input sees the same state and the fuzzer
// stays deterministic). It must never panic and must report a failure as a
// *BlockError. A block that passes is then processed in a rolled-back
// transaction (the test hook aborts the commit): the database must be left
// exactly as it was.
//
// Under -fuzz the coordinator's exec counter barely moves: map iteration
// order (coin view, candidates, bbolt) makes coverage differ from run to
// run, and the worker probably keeps re-running inputs it finds "new". It is
// running them (thousands a second); the counter is what stalls.
func FuzzConnectBlock(f *testing.F) {
	c := newBaseChain(f)
	s := openTest(f, f.TempDir(), c.p)
	mustProcess(f, s, c.build.blocks...)
	sub := ledger.Subsidy(c.p, 1)
	out := &wire.TxOut{Value: sub - testFee, PkScript: keyScript(c.b)}
	seeds := [][]*wire.MsgTx{
		{spend(f, c.a, []wire.OutPoint{c.cb(3)}, out)},
		{spend(f, c.a, []wire.OutPoint{c.cb(4)}, out), spend(f, c.a, []wire.OutPoint{c.cb(4)}, out)},
		{spend(f, c.a, []wire.OutPoint{c.cb(1)}, out)},
		{spend(f, c.a, []wire.OutPoint{c.cb(15)}, out)},
		{spend(f, c.b, []wire.OutPoint{c.cb(5)}, out)},
	}
	for _, txs := range seeds {
		var b []byte
		for _, tx := range txs {
			b = tx.Append(b, wire.WitnessEncoding)
		}
		f.Add(b, int64(testFee))
	}
	f.Fuzz(func(t *testing.T, data []byte, fees int64) {
		var txs []*wire.MsgTx
		for len(data) > 0 && len(txs) < 50 {
			tx := new(wire.MsgTx)
			n, err := tx.DecodePrefix(data, wire.WitnessEncoding)
			if err != nil {
				break
			}
			txs = append(txs, tx)
			data = data[n:]
		}
		tip := s.Tip()
		blk := makeBlock(t, c.p, blockSpec{prev: tip.Hash, height: tip.Height + 1, payTo: keyScript(c.a),
			txs: txs, fees: max(0, min(fees, chain.MaxMoney/2))})
		err := s.CheckBlockTemplate(blk)
		var be *BlockError
		if err != nil {
			if !errors.As(err, &be) {
				t.Fatalf("not a block error: %v", err)
			}
			return
		}
		if s.HaveBlock(blk.BlockHash()) {
			return // stored (not connected) by an earlier run
		}
		s.hookBeforeCommit = func() error { return errHook }
		defer func() { s.hookBeforeCommit = nil }()
		if err := s.ProcessBlock(blk); !errors.Is(err, errHook) {
			t.Fatalf("a block that passed the template check: %v", err)
		}
		if s.Tip().Hash != tip.Hash {
			t.Fatal("tip moved although the commit was aborted")
		}
		if err := verifyState(s); err != nil {
			t.Fatal(err)
		}
	})
}
