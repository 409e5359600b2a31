package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// Mainnet activation heights the proof tests check the real blocks with
// (Core's chainparams): BIP34 from 227,931, segwit from 481,824.
const (
	testMainnetBIP34Height  = 227_931
	testMainnetSegWitHeight = 481_824
	testBlkMagic            = 0xd9b4bef9 // f9beb4d9 as a little-endian uint32
	testBlkCount            = 14_132
)

// blkFileBlocks splits blocks_0_14131.blk into raw blocks, by height.
func blkFileBlocks(t testing.TB) [][]byte {
	t.Helper()
	raw := fixtures.Read(t, "btc/mainnet/blocks_0_14131.blk")
	var blocks [][]byte
	for len(raw) > 0 {
		if len(raw) < 8 || binary.LittleEndian.Uint32(raw) != testBlkMagic {
			t.Fatalf("block %d: bad blk framing", len(blocks))
		}
		n := int(binary.LittleEndian.Uint32(raw[4:]))
		if n > len(raw)-8 {
			t.Fatalf("block %d: length %d runs past the file", len(blocks), n)
		}
		blocks = append(blocks, raw[8:8+n])
		raw = raw[8+n:]
	}
	if len(blocks) != testBlkCount {
		t.Fatalf("blk file holds %d blocks, want %d", len(blocks), testBlkCount)
	}
	return blocks
}

// testIndexBlock is one entry of blocks_index.json.
type testIndexBlock struct {
	File       string      `json:"file"`
	Height     int32       `json:"height"`
	Hash       wire.Hash   `json:"hash"`
	Size       int         `json:"size"`
	TxCount    int         `json:"tx_count"`
	MerkleRoot wire.Hash   `json:"merkle_root"`
	HasWitness bool        `json:"has_witness"`
	Coinbase   wire.Hash   `json:"coinbase_txid"`
	FirstTxIDs []wire.Hash `json:"first_txids"`
	LastTxID   wire.Hash   `json:"last_txid"`
	TxIDs      []wire.Hash `json:"txids"`
}

func blocksIndex(t testing.TB) []testIndexBlock {
	t.Helper()
	var idx struct {
		Blocks []testIndexBlock `json:"blocks"`
	}
	if err := json.Unmarshal(fixtures.Read(t, "btc/mainnet/blocks_index.json"), &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Blocks) == 0 {
		t.Fatal("blocks_index.json lists no blocks")
	}
	return idx.Blocks
}

// decodeBlock decodes a private copy of raw, so that tests may alter scripts
// in place without touching the shared bytes.
func decodeBlock(t testing.TB, raw []byte) *wire.MsgBlock {
	t.Helper()
	var b wire.MsgBlock
	if err := b.Decode(bytes.Clone(raw), 0, wire.WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	return &b
}

// mainnetOpts are the options mainnet uses at height h.
func mainnetOpts(h int32, blockTime uint32) BlockCheckOptions {
	return BlockCheckOptions{
		Height:         h,
		BIP34Height:    testMainnetBIP34Height,
		SegWitActive:   h >= testMainnetSegWitHeight,
		LockTimeCutoff: int64(blockTime),
	}
}

// TestCheckBlockBlkFile is the proof over blocks 0..14,131: every merkle
// root recomputes to the header's without mutation, every block passes
// CheckBlock, and the headers link into one chain.
func TestCheckBlockBlkFile(t *testing.T) {
	blocks := blkFileBlocks(t)
	var prev wire.Hash
	var b wire.MsgBlock
	txs := 0
	for h, raw := range blocks {
		if err := b.Decode(raw, 0, wire.WitnessEncoding); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		txids, err := wire.TxHashes(raw, wire.WitnessEncoding)
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		root, mutated := MerkleRoot(txids)
		if root != b.Header.MerkleRoot || mutated {
			t.Fatalf("block %d: merkle root %s (mutated %v), header has %s", h, root, mutated, b.Header.MerkleRoot)
		}
		if b.Header.PrevBlock != prev {
			t.Fatalf("block %d: prev %s, block %d hashes to %s", h, b.Header.PrevBlock, h-1, prev)
		}
		prev = b.BlockHash()
		if err := CheckBlock(&b, txids, mainnetOpts(int32(h), b.Header.Timestamp)); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		txs += len(txids)
	}
	t.Logf("%d blocks, %d transactions checked", len(blocks), txs)
	if want := "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"; decodeBlock(t, blocks[0]).BlockHash().String() != want {
		t.Fatalf("block 0 is not the genesis block")
	}
}

// TestBlocksIndex checks the blocks listed in blocks_index.json: hash, size,
// transaction count, merkle root, txids, witness commitment, and CheckBlock
// with the mainnet rules at their height (BIP34 active for the big ones).
func TestBlocksIndex(t *testing.T) {
	var blk [][]byte
	for _, want := range blocksIndex(t) {
		t.Run(want.Hash.String()[56:]+"@"+want.File, func(t *testing.T) {
			var raw []byte
			if want.File == "blocks_0_14131.blk" {
				if blk == nil {
					blk = blkFileBlocks(t)
				}
				raw = blk[want.Height]
			} else {
				raw = fixtures.Read(t, "btc/mainnet/"+want.File)
			}
			if len(raw) != want.Size {
				t.Fatalf("size %d, want %d", len(raw), want.Size)
			}
			b := decodeBlock(t, raw)
			if got := b.BlockHash(); got != want.Hash {
				t.Fatalf("hash %s, want %s", got, want.Hash)
			}
			txids := BlockTxIDs(b)
			if len(txids) != want.TxCount {
				t.Fatalf("%d transactions, want %d", len(txids), want.TxCount)
			}
			fast, err := wire.TxHashes(raw, wire.WitnessEncoding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range txids {
				if txids[i] != fast[i] {
					t.Fatalf("tx %d: BlockTxIDs %s, wire.TxHashes %s", i, txids[i], fast[i])
				}
			}
			for i, id := range want.TxIDs {
				if txids[i] != id {
					t.Errorf("txid %d = %s, want %s", i, txids[i], id)
				}
			}
			for i, id := range want.FirstTxIDs {
				if txids[i] != id {
					t.Errorf("txid %d = %s, want %s", i, txids[i], id)
				}
			}
			if !want.LastTxID.IsZero() && txids[len(txids)-1] != want.LastTxID {
				t.Errorf("last txid %s, want %s", txids[len(txids)-1], want.LastTxID)
			}
			if txids[0] != want.Coinbase {
				t.Errorf("coinbase txid %s, want %s", txids[0], want.Coinbase)
			}
			root, mutated := MerkleRoot(txids)
			if root != want.MerkleRoot || root != b.Header.MerkleRoot || mutated {
				t.Fatalf("merkle root %s (mutated %v), index has %s, header %s", root, mutated, want.MerkleRoot, b.Header.MerkleRoot)
			}

			hasWitness := false
			for _, tx := range b.Transactions {
				hasWitness = hasWitness || tx.HasWitness()
			}
			if hasWitness != want.HasWitness {
				t.Fatalf("has witness %v, index says %v", hasWitness, want.HasWitness)
			}
			if want.HasWitness {
				checkCommitmentDirectly(t, b)
			}

			opts := mainnetOpts(want.Height, b.Header.Timestamp)
			if want.Height >= testMainnetBIP34Height && !opts.bip34Active() {
				t.Fatal("BIP34 must be active for this block")
			}
			if err := CheckBlock(b, txids, opts); err != nil {
				t.Fatalf("CheckBlock with precomputed txids: %v", err)
			}
			if err := CheckBlock(b, nil, opts); err != nil {
				t.Fatalf("CheckBlock computing txids: %v", err)
			}
		})
	}
}

// checkCommitmentDirectly recomputes a segwit block's commitment step by step
// with the exported helpers, and rebuilds the commitment output a miner would
// have written.
func checkCommitmentDirectly(t *testing.T, b *wire.MsgBlock) {
	t.Helper()
	cb := b.Transactions[0]
	pos := WitnessCommitmentIndex(cb)
	if pos < 0 {
		t.Fatal("segwit block without a witness commitment")
	}
	w := cb.TxIn[0].Witness
	if len(w) != 1 || len(w[0]) != WitnessReservedValueSize {
		t.Fatalf("coinbase witness %d items", len(w))
	}
	wtxids := BlockWitnessTxIDs(b, nil)
	if !wtxids[0].IsZero() {
		t.Fatal("coinbase wtxid must be zero in the witness tree")
	}
	for i := 1; i < len(wtxids); i++ {
		if wtxids[i] != b.Transactions[i].WitnessHash() {
			t.Fatalf("tx %d: wtxid %s, want %s", i, wtxids[i], b.Transactions[i].WitnessHash())
		}
	}
	if reused := BlockWitnessTxIDs(b, BlockTxIDs(b)); !equalHashes(reused, wtxids) {
		t.Fatal("wtxids with reused txids differ")
	}
	root, _ := MerkleRoot(wtxids)
	if WitnessMerkleRoot(b, nil) != root {
		t.Fatal("WitnessMerkleRoot differs")
	}
	reserved := [WitnessReservedValueSize]byte(w[0])
	out := WitnessCommitmentOutput(root, reserved)
	if got := cb.TxOut[pos]; got.Value != 0 || !bytes.Equal(got.PkScript[:WitnessCommitmentScriptSize], out.PkScript) {
		t.Fatalf("commitment output %x, rebuilt %x", got.PkScript, out.PkScript)
	}
}

func equalHashes(a, b []wire.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fixMerkle makes the header commit to the block's (altered) transactions, so
// that a check can reach the rule a case is about.
func fixMerkle(b *wire.MsgBlock) {
	b.Header.MerkleRoot, _ = MerkleRoot(BlockTxIDs(b))
}

// fixCommitment rewrites the coinbase's witness commitment for the block's
// (altered) witnesses, then the merkle root it changes.
func fixCommitment(b *wire.MsgBlock) {
	cb := b.Transactions[0]
	root := WitnessMerkleRoot(b, nil)
	cb.TxOut[WitnessCommitmentIndex(cb)] = WitnessCommitmentOutput(root, [WitnessReservedValueSize]byte(cb.TxIn[0].Witness[0]))
	fixMerkle(b)
}

// cloneTx returns a deep copy of tx whose scripts may be altered freely.
func cloneTx(t testing.TB, tx *wire.MsgTx) *wire.MsgTx {
	t.Helper()
	var c wire.MsgTx
	if err := c.Decode(tx.Append(nil, wire.WitnessEncoding), 0, wire.WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	return &c
}

// TestCheckBlockRejects alters real blocks one rule at a time; each case must
// fail with its rule's error, and only the mutation errors may be classed
// as mutations.
func TestCheckBlockRejects(t *testing.T) {
	blk := blkFileBlocks(t)
	big := fixtures.Read(t, "btc/mainnet/block_481829.bin")
	const bigHeight = 481_829
	big2 := fixtures.Read(t, "btc/mainnet/block_866342.bin")

	// Block 170 (2 txs), 546 (4 txs), 13174 (3 txs) from the blk file.
	small := func(h int) func(t *testing.T) (*wire.MsgBlock, BlockCheckOptions) {
		return func(t *testing.T) (*wire.MsgBlock, BlockCheckOptions) {
			b := decodeBlock(t, blk[h])
			return b, mainnetOpts(int32(h), b.Header.Timestamp)
		}
	}
	segwit := func(t *testing.T) (*wire.MsgBlock, BlockCheckOptions) {
		b := decodeBlock(t, big)
		return b, mainnetOpts(bigHeight, b.Header.Timestamp)
	}
	// Block 481,829 came five blocks after activation: only its coinbase
	// has a witness. Block 866,342 has thousands of witness transactions.
	taproot := func(t *testing.T) (*wire.MsgBlock, BlockCheckOptions) {
		b := decodeBlock(t, big2)
		return b, mainnetOpts(866_342, b.Header.Timestamp)
	}

	tests := []struct {
		name    string
		block   func(t *testing.T) (*wire.MsgBlock, BlockCheckOptions)
		alter   func(t *testing.T, b *wire.MsgBlock, o *BlockCheckOptions)
		want    error
		mutated bool // IsBlockMutated must say so
	}{
		{
			name:  "wrong merkle root",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Header.MerkleRoot[0] ^= 1
			},
			want: ErrBadMerkleRoot, mutated: true,
		},
		{
			name:  "transactions swapped (root mismatch)",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[1], b.Transactions[2] = b.Transactions[2], b.Transactions[1]
			},
			want: ErrBadMerkleRoot, mutated: true,
		},
		{
			name:  "CVE-2012-2459 last tx duplicated (3 txs)",
			block: small(13174),
			alter: func(t *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions = append(b.Transactions, b.Transactions[2])
				if root, _ := MerkleRoot(BlockTxIDs(b)); root != b.Header.MerkleRoot {
					t.Fatal("duplicating the last of an odd list must keep the root")
				}
			},
			want: ErrMutatedMerkle, mutated: true,
		},
		{
			name:  "CVE-2012-2459 last subtree duplicated (2020 txs, level 2)",
			block: segwit,
			alter: func(t *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				// Level 2 of 2020 leaves has 505 nodes; the last covers
				// leaves 2016..2019. Repeating them repeats that node.
				b.Transactions = append(b.Transactions, b.Transactions[2016:2020]...)
				if root, _ := MerkleRoot(BlockTxIDs(b)); root != b.Header.MerkleRoot {
					t.Fatal("duplicating the last subtree of an odd level must keep the root")
				}
			},
			want: ErrMutatedMerkle, mutated: true,
		},
		{
			name:  "no transactions",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions = nil
				b.Header.MerkleRoot = wire.Hash{} // the empty tree's root
			},
			want: ErrNoBlockTransactions,
		},
		{
			name:  "two coinbases",
			block: small(170),
			alter: func(t *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				cb := cloneTx(t, b.Transactions[0])
				cb.TxIn[0].SignatureScript = append(cb.TxIn[0].SignatureScript, 0x01)
				b.Transactions = append(b.Transactions, cb)
				fixMerkle(b)
			},
			want: ErrMultipleCoinbases,
		},
		{
			name:  "coinbase not first",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[0], b.Transactions[1] = b.Transactions[1], b.Transactions[0]
				fixMerkle(b)
			},
			want: ErrMissingCoinbase,
		},
		{
			name:  "duplicate input",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				tx := b.Transactions[1]
				in := *tx.TxIn[0]
				tx.TxIn = append(tx.TxIn, &in)
				fixMerkle(b)
			},
			want: ErrDuplicateTxInput,
		},
		{
			name:  "null prevout in a non-coinbase",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				tx := b.Transactions[1]
				tx.TxIn = append(tx.TxIn, &wire.TxIn{
					PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
					Sequence:         0xffffffff,
				})
				fixMerkle(b)
			},
			want: ErrNullPrevOut,
		},
		{
			name:  "negative output",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[2].TxOut[0].Value = -1
				fixMerkle(b)
			},
			want: ErrNegativeOutput,
		},
		{
			name:  "output above MaxMoney",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[2].TxOut[0].Value = MaxMoney + 1
				fixMerkle(b)
			},
			want: ErrOutputTooLarge,
		},
		{
			name:  "coinbase output above MaxMoney",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[0].TxOut[0].Value = MaxMoney + 1
				fixMerkle(b)
			},
			want: ErrOutputTooLarge,
		},
		{
			name:  "outputs sum above MaxMoney",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				tx := b.Transactions[1]
				tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: MaxMoney}, &wire.TxOut{Value: MaxMoney})
				fixMerkle(b)
			},
			want: ErrOutputTotalTooLarge,
		},
		{
			name:  "empty inputs",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[3].TxIn = nil
				fixMerkle(b)
			},
			want: ErrNoTxInputs,
		},
		{
			name:  "empty outputs",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[3].TxOut = nil
				fixMerkle(b)
			},
			want: ErrNoTxOutputs,
		},
		{
			name:  "coinbase script 1 byte",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[0].TxIn[0].SignatureScript = []byte{0x51}
				fixMerkle(b)
			},
			want: ErrCoinbaseScriptSize,
		},
		{
			name:  "coinbase script 101 bytes",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[0].TxIn[0].SignatureScript = make([]byte, 101)
				fixMerkle(b)
			},
			want: ErrCoinbaseScriptSize,
		},
		{
			name:  "duplicate transaction",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				// cb, t1, t2, t1: not adjacent siblings, so not a mutation.
				b.Transactions[3] = b.Transactions[1]
				fixMerkle(b)
			},
			want: ErrDuplicateTx,
		},
		{
			name:  "sigops one over the limit",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				addSigOps(b, consensusMaxBlockSigOpsCost/witnessScaleFactor+1)
			},
			want: ErrTooManySigOps,
		},
		{
			name:  "base size over the limit",
			block: small(170),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				tx := b.Transactions[1]
				tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: make([]byte, consensusMaxBlockWeight/witnessScaleFactor)})
				fixMerkle(b)
			},
			want: ErrBlockTooBig,
		},
		{
			name:  "non-final transaction",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, o *BlockCheckOptions) {
				tx := b.Transactions[1]
				tx.LockTime = uint32(o.Height) // final only from the next height
				tx.TxIn[0].Sequence = 0
				fixMerkle(b)
			},
			want: ErrNonFinalTx,
		},
		{
			name:  "BIP34 forced on an early block",
			block: small(13174),
			alter: func(_ *testing.T, _ *wire.MsgBlock, o *BlockCheckOptions) {
				o.BIP34Height = 1
			},
			want: ErrBadCoinbaseHeight,
		},
		{
			name:  "BIP34 wrong height",
			block: segwit,
			alter: func(_ *testing.T, _ *wire.MsgBlock, o *BlockCheckOptions) {
				o.Height++
			},
			want: ErrBadCoinbaseHeight,
		},
		{
			name:  "BIP34 coinbase height altered",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				s := b.Transactions[0].TxIn[0].SignatureScript
				s[1]++ // first byte of the little-endian height push
				fixMerkle(b)
			},
			want: ErrBadCoinbaseHeight,
		},
		{
			name:  "bad witness commitment",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				cb := b.Transactions[0]
				cb.TxOut[WitnessCommitmentIndex(cb)].PkScript[10] ^= 1
				fixMerkle(b)
			},
			want: ErrBadWitnessCommitment, mutated: true,
		},
		{
			name:  "witness altered (txid unchanged)",
			block: taproot,
			alter: func(t *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				for _, tx := range b.Transactions[1:] {
					for _, in := range tx.TxIn {
						if w := in.Witness; len(w) > 0 && len(w[0]) > 0 {
							w[0][0] ^= 1
							return
						}
					}
				}
				t.Fatal("no witness transaction")
			},
			want: ErrBadWitnessCommitment, mutated: true,
		},
		{
			name:  "coinbase reserved value 31 bytes",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				w := b.Transactions[0].TxIn[0].Witness
				w[0] = w[0][:31]
			},
			want: ErrBadWitnessNonceSize, mutated: true,
		},
		{
			name:  "coinbase reserved value missing",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[0].TxIn[0].Witness = nil
			},
			want: ErrBadWitnessNonceSize, mutated: true,
		},
		{
			name:  "witness without commitment",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				cb := b.Transactions[0]
				pos := WitnessCommitmentIndex(cb)
				cb.TxOut = append(cb.TxOut[:pos:pos], cb.TxOut[pos+1:]...)
				fixMerkle(b)
			},
			want: ErrUnexpectedWitness, mutated: true,
		},
		{
			name:  "witness before segwit activation",
			block: segwit,
			alter: func(_ *testing.T, _ *wire.MsgBlock, o *BlockCheckOptions) {
				o.SegWitActive = false
			},
			want: ErrUnexpectedWitness, mutated: true,
		},
		{
			name:  "witness in a pre-segwit block",
			block: small(546),
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				b.Transactions[2].TxIn[0].Witness = [][]byte{{1}}
			},
			want: ErrUnexpectedWitness, mutated: true,
		},
		{
			name:  "weight over the limit (committed witness)",
			block: segwit,
			alter: func(_ *testing.T, b *wire.MsgBlock, _ *BlockCheckOptions) {
				tx := b.Transactions[1]
				tx.TxIn[0].Witness = append(tx.TxIn[0].Witness, make([]byte, 100_000))
				fixCommitment(b)
			},
			want: ErrBlockWeightTooHigh,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, opts := tc.block(t)
			if err := CheckBlock(b, nil, opts); err != nil {
				t.Fatalf("unaltered block fails: %v", err)
			}
			tc.alter(t, b, &opts)
			err := CheckBlock(b, nil, opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("CheckBlock = %v, want %v", err, tc.want)
			}
			if got := IsBlockMutated(err); got != tc.mutated {
				t.Fatalf("IsBlockMutated(%v) = %v, want %v", err, got, tc.mutated)
			}
			// The same result with precomputed txids.
			if err2 := CheckBlock(b, BlockTxIDs(b), opts); !errors.Is(err2, tc.want) {
				t.Fatalf("CheckBlock with txids = %v, want %v", err2, tc.want)
			}
		})
	}
}

// addSigOps gives tx 1 an output of CHECKSIGs that brings the block's legacy
// sigop count to total.
func addSigOps(b *wire.MsgBlock, total int) {
	have := 0
	for _, tx := range b.Transactions {
		have += TxLegacySigOpCount(tx)
	}
	tx := b.Transactions[1]
	tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: bytes.Repeat([]byte{OpCheckSig}, total-have)})
	fixMerkle(b)
}

// TestCheckBlockSigOpLimit checks both sides of the sigop boundary, with
// multisig counted as 20.
func TestCheckBlockSigOpLimit(t *testing.T) {
	blk := blkFileBlocks(t)
	limit := consensusMaxBlockSigOpsCost / witnessScaleFactor
	for _, tc := range []struct {
		name  string
		total int
		want  error
	}{
		{"at the limit", limit, nil},
		{"one over", limit + 1, ErrTooManySigOps},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := decodeBlock(t, blk[546])
			addSigOps(b, tc.total)
			if err := CheckBlock(b, nil, mainnetOpts(546, b.Header.Timestamp)); !errors.Is(err, tc.want) {
				t.Fatalf("CheckBlock = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("multisig counts 20", func(t *testing.T) {
		b := decodeBlock(t, blk[546])
		have := 0
		for _, tx := range b.Transactions {
			have += TxLegacySigOpCount(tx)
		}
		n := (limit - have) / maxPubKeysPerMultiSig
		tx := b.Transactions[1]
		tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: bytes.Repeat([]byte{OpCheckMultiSig}, n+1)})
		fixMerkle(b)
		if err := CheckBlock(b, nil, mainnetOpts(546, b.Header.Timestamp)); !errors.Is(err, ErrTooManySigOps) {
			t.Fatalf("CheckBlock = %v, want %v", err, ErrTooManySigOps)
		}
	})
}

func TestCheckBlockArguments(t *testing.T) {
	blk := blkFileBlocks(t)
	b := decodeBlock(t, blk[546])
	if err := CheckBlock(nil, nil, BlockCheckOptions{}); !errors.Is(err, ErrNoBlockTransactions) {
		t.Fatalf("nil block: %v", err)
	}
	if err := CheckBlock(b, make([]wire.Hash, 3), BlockCheckOptions{}); !errors.Is(err, ErrTxIDCount) {
		t.Fatalf("short txids: %v", err)
	}
	// Errors name the transaction and input.
	b.Transactions[1].TxIn = append(b.Transactions[1].TxIn, b.Transactions[1].TxIn[0])
	fixMerkle(b)
	err := CheckBlock(b, nil, BlockCheckOptions{Height: 546})
	if !errors.Is(err, ErrDuplicateTxInput) || !strings.Contains(err.Error(), "tx 1 ") || !strings.Contains(err.Error(), "inputs 0 and") {
		t.Fatalf("error lacks context: %v", err)
	}
}

// FuzzCheckBlock feeds arbitrary bytes that decode as a block to CheckBlock
// under several rule sets: it must return, never panic.
func FuzzCheckBlock(f *testing.F) {
	blk := blkFileBlocks(f)
	for _, h := range []int{0, 170, 546, 2812, 13174} {
		f.Add(blk[h])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b wire.MsgBlock
		if err := b.Decode(raw, 0, wire.WitnessEncoding); err != nil {
			return
		}
		opts := []BlockCheckOptions{
			{},
			{Height: 500_000, BIP34Height: 1, SegWitActive: true, LockTimeCutoff: 1},
			{MaxBlockWeight: 1000, MaxBlockSigOpsCost: 4},
		}
		for _, o := range opts {
			_ = CheckBlock(&b, nil, o)
		}
		// Most inputs fail the merkle check; make the header agree so the
		// rules behind it are reached too.
		fixMerkle(&b)
		for _, o := range opts {
			if err := CheckBlock(&b, nil, o); errors.Is(err, ErrBadMerkleRoot) {
				t.Fatalf("merkle root still wrong: %v", err)
			}
		}
	})
}
