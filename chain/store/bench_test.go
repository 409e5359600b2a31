package store

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// BenchmarkConnectP2PKH connects a devnet block of n one-in, two-out P2PKH
// transactions (n signatures) to a chain state and reports signatures per
// second. Each iteration disconnects the block (not timed) and connects it
// again; the coin changes and undo record are written (fsync off).
func BenchmarkConnectP2PKH(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			p := chain.DevNetParams()
			k := testKey(1)
			script := keyScript(k)
			s := openTest(b, b.TempDir(), p)
			bld := newBuilder(b, p, 'x', p.GenesisHash, 0, script)
			for bld.height() < 21 {
				bld.next(nil, 0)
			}
			// Fan coinbase 1 out into n coins.
			fan := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: coinbaseOut(bld.blocks[0]), Sequence: 0xffffffff}}}
			each := (ledger.Subsidy(p, 1) - 100_000) / int64(n)
			for range n {
				fan.TxOut = append(fan.TxOut, &wire.TxOut{Value: each, PkScript: script})
			}
			if err := ledger.SignInput(fan, 0, script, k); err != nil {
				b.Fatal(err)
			}
			bld.next([]*wire.MsgTx{fan}, ledger.Subsidy(p, 1)-each*int64(n))
			txs := make([]*wire.MsgTx, n)
			for i := range txs {
				txs[i] = spend(b, k, []wire.OutPoint{{Hash: fan.TxHash(), Index: uint32(i)}},
					&wire.TxOut{Value: each / 2, PkScript: script}, &wire.TxOut{Value: each/2 - 1000, PkScript: script})
			}
			blk := bld.next(txs, int64(n)*1000)
			mustProcess(b, s, bld.blocks...)
			s.mu.Lock()
			defer s.mu.Unlock()
			node := s.hc.Node(blk.BlockHash())
			if s.tipNode() != node {
				b.Fatal("block not connected")
			}
			for b.Loop() {
				b.StopTimer()
				if _, err := s.applySteps([]step{{n: node}}); err != nil {
					b.Fatal(err)
				}
				s.events = s.events[:0]
				b.StartTimer()
				if _, err := s.applySteps([]step{{n: node, connect: true}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
	}
}

// BenchmarkMainnetBlocks processes Bitcoin's blocks 0..14,131 into a fresh
// chain state (headers first, then blocks in calls of 500), with fsync off
// and on.
func BenchmarkMainnetBlocks(b *testing.B) {
	p := chain.MainNetParams()
	blocks := readBlkFile(b, fixtures.Path(b, "btc/mainnet/blocks_0_14131.blk"), 0xd9b4bef9)
	headers := make([]wire.BlockHeader, 0, len(blocks))
	for _, blk := range blocks[1:] {
		headers = append(headers, blk.Header)
	}
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(filepath.Join(b.TempDir(), FileName), p, Config{NoSync: !sync, ConnectBatch: 500})
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(headers); i += 2000 {
					if _, err := s.AddHeaders(headers[i:min(i+2000, len(headers))]); err != nil {
						b.Fatal(err)
					}
				}
				for i := 1; i < len(blocks); i += 500 {
					if err := s.ProcessBlocks(blocks[i:min(i+500, len(blocks))]); err != nil {
						b.Fatal(err)
					}
				}
				if s.Tip().Height != 14131 {
					b.Fatal("tip", s.Tip().Height)
				}
				s.Close()
			}
			b.ReportMetric(float64(len(blocks)-1)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}
