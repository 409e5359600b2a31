package chain

import (
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// BenchmarkCheckBlock866342 is the whole path a received block takes before
// the UTXO set: decode block 866,342 (1.58 MB, 4,864 transactions), compute
// the txids from the raw bytes, then CheckBlock (merkle root, transaction
// checks, sigops, BIP34, witness commitment, weight).
func BenchmarkCheckBlock866342(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	opts := mainnetOpts(866_342, decodeBlock(b, raw).Header.Timestamp)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var blk wire.MsgBlock
		if err := blk.Decode(raw, 0, wire.WitnessEncoding); err != nil {
			b.Fatal(err)
		}
		txids, err := wire.TxHashes(raw, wire.WitnessEncoding)
		if err != nil {
			b.Fatal(err)
		}
		if err := CheckBlock(&blk, txids, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckBlock866342Parts splits the figure above.
func BenchmarkCheckBlock866342Parts(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	blk := decodeBlock(b, raw)
	txids, err := wire.TxHashes(raw, wire.WitnessEncoding)
	if err != nil {
		b.Fatal(err)
	}
	opts := mainnetOpts(866_342, blk.Header.Timestamp)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x wire.MsgBlock
			if err := x.Decode(raw, 0, wire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("txids=wire.TxHashes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := wire.TxHashes(raw, wire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("txids=BlockTxIDs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			BlockTxIDs(blk)
		}
	})
	b.Run("wtxids", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			BlockWitnessTxIDs(blk, txids)
		}
	})
	b.Run("CheckBlock", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckBlock(blk, txids, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMerkleRoot4864 is the txid tree of block 866,342: 4,863 nodes,
// each two SHA-256 compressions of 64 bytes plus padding.
func BenchmarkMerkleRoot4864(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	txids, err := wire.TxHashes(raw, wire.WitnessEncoding)
	if err != nil {
		b.Fatal(err)
	}
	if len(txids) != 4864 {
		b.Fatalf("%d txids", len(txids))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, mutated := MerkleRoot(txids); mutated {
			b.Fatal("mutated")
		}
	}
}
