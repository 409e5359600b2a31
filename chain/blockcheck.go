package chain

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/wire"
)

// Block check failures. Each message carries Bitcoin Core's reject reason
// where Core has one. IsBlockMutated tells which of them condemn only the
// copy of the block that was received, not the header.
var (
	ErrBadMerkleRoot        = errors.New("chain: bad-txnmrklroot: merkle root does not match the header")
	ErrMutatedMerkle        = errors.New("chain: bad-txns-duplicate: merkle tree is mutated (CVE-2012-2459 duplicate siblings)")
	ErrNoBlockTransactions  = errors.New("chain: bad-blk-length: block has no transactions")
	ErrBlockTooBig          = errors.New("chain: bad-blk-length: block base size exceeds the weight limit")
	ErrMissingCoinbase      = errors.New("chain: bad-cb-missing: first transaction is not a coinbase")
	ErrMultipleCoinbases    = errors.New("chain: bad-cb-multiple: more than one coinbase")
	ErrDuplicateTx          = errors.New("chain: block contains the same transaction twice")
	ErrTooManySigOps        = errors.New("chain: bad-blk-sigops: legacy sigop count exceeds the limit")
	ErrBadCoinbaseHeight    = errors.New("chain: bad-cb-height: coinbase does not start with the block height (BIP34)")
	ErrBadWitnessNonceSize  = errors.New("chain: bad-witness-nonce-size: coinbase witness must be one 32-byte item")
	ErrBadWitnessCommitment = errors.New("chain: bad-witness-merkle-match: witness commitment does not match")
	ErrUnexpectedWitness    = errors.New("chain: unexpected-witness: witness data without a witness commitment")
	ErrBlockWeightTooHigh   = errors.New("chain: bad-blk-weight: block weight exceeds the limit")
	// ErrTxIDCount means the caller passed precomputed txids that do not
	// match the block's transactions one for one: a bug, not a bad block.
	ErrTxIDCount = errors.New("chain: precomputed txids do not match the block's transaction count")
)

// IsBlockMutated reports whether err says that the transactions received do
// not match what the header commits to (Core's BLOCK_MUTATED): the merkle
// root or the witness commitment does not match, or the tree was padded
// (CVE-2012-2459). A peer may have altered or corrupted the block in
// transit, so such a block must not mark its header invalid; the same
// header with the right transactions may still be valid.
func IsBlockMutated(err error) bool {
	return errors.Is(err, ErrBadMerkleRoot) || errors.Is(err, ErrMutatedMerkle) ||
		errors.Is(err, ErrBadWitnessNonceSize) || errors.Is(err, ErrBadWitnessCommitment) ||
		errors.Is(err, ErrUnexpectedWitness)
}

// BlockCheckOptions carries what CheckBlock needs from the chain around the
// block. The zero value checks a block as Bitcoin did before BIP34 and
// segwit, with Bitcoin's size limits.
type BlockCheckOptions struct {
	// Height is the block's height.
	Height int32
	// BIP34Height is the first height whose coinbase must start with the
	// height (BIP34). Zero or negative: never.
	BIP34Height int32
	// SegWitActive means BIP141 is in force at this height: a witness
	// commitment in the coinbase is verified and allows witness data.
	// Without it, or before activation, any witness data is rejected.
	SegWitActive bool
	// LockTimeCutoff, when non-zero, enables the lock-time finality check
	// with this cutoff: the median time past of the previous block once
	// BIP113 (CSV) is active, else the block's timestamp.
	LockTimeCutoff int64
	// MaxBlockWeight is the weight limit; zero means Bitcoin's 4,000,000.
	MaxBlockWeight int
	// MaxBlockSigOpsCost is the sigop budget in weight units; zero means
	// Bitcoin's 80,000.
	MaxBlockSigOpsCost int
}

func (o *BlockCheckOptions) maxWeight() int {
	if o.MaxBlockWeight > 0 {
		return o.MaxBlockWeight
	}
	return consensusMaxBlockWeight
}

func (o *BlockCheckOptions) maxSigOpsCost() int {
	if o.MaxBlockSigOpsCost > 0 {
		return o.MaxBlockSigOpsCost
	}
	return consensusMaxBlockSigOpsCost
}

func (o *BlockCheckOptions) bip34Active() bool {
	return o.BIP34Height > 0 && o.Height >= o.BIP34Height
}

// CheckBlock validates block's transactions against its header and the
// consensus rules that need no UTXO set: Core's CheckBlock without proof of
// work (the header chain checks that) followed by ContextualCheckBlock's
// height-dependent rules, in Core's order, so the first rule broken is the
// one reported.
//
// txids, if not nil, must hold the txid of each transaction in order (for
// example from wire.TxHashes over the raw block); they are trusted, which
// saves hashing every transaction again. With nil they are computed.
//
// Errors wrap the Err* sentinels of this package with the index and txid of
// the offending transaction; see IsBlockMutated for how to treat the peer
// and the header.
func CheckBlock(block *wire.MsgBlock, txids []wire.Hash, opts BlockCheckOptions) error {
	if block == nil {
		return fmt.Errorf("%w: nil block", ErrNoBlockTransactions)
	}
	txs := block.Transactions
	if txids == nil {
		txids = BlockTxIDs(block)
	} else if len(txids) != len(txs) {
		return fmt.Errorf("%w: %d txids for %d transactions", ErrTxIDCount, len(txids), len(txs))
	}

	// The merkle root first: until it matches, the transactions are not
	// known to be the ones the header commits to, and any later failure
	// would say nothing about the block itself.
	root, mutated := MerkleRoot(txids)
	if root != block.Header.MerkleRoot {
		return fmt.Errorf("%w: computed %s, header has %s", ErrBadMerkleRoot, root, block.Header.MerkleRoot)
	}
	if mutated {
		return ErrMutatedMerkle
	}

	if len(txs) == 0 {
		return ErrNoBlockTransactions
	}
	maxWeight := opts.maxWeight()
	// Each transaction weighs at least 4 × 10 bytes; the count bound comes
	// first so that the size sums below are over a bounded list.
	if len(txs)*witnessScaleFactor > maxWeight {
		return fmt.Errorf("%w: %d transactions", ErrBlockTooBig, len(txs))
	}
	baseSizes := make([]int, len(txs))
	baseSize := wire.BlockHeaderSize + wire.VarIntSize(uint64(len(txs)))
	for i, tx := range txs {
		baseSizes[i] = tx.SerializeSize(wire.BaseEncoding)
		baseSize += baseSizes[i]
	}
	if baseSize*witnessScaleFactor > maxWeight {
		return fmt.Errorf("%w: %d bytes", ErrBlockTooBig, baseSize)
	}

	if !IsCoinBase(txs[0]) {
		return fmt.Errorf("tx 0 %s: %w", txids[0], ErrMissingCoinbase)
	}
	for i := 1; i < len(txs); i++ {
		if IsCoinBase(txs[i]) {
			return fmt.Errorf("tx %d %s: %w", i, txids[i], ErrMultipleCoinbases)
		}
	}
	for i, tx := range txs {
		if err := checkTransactionSized(tx, baseSizes[i]); err != nil {
			return fmt.Errorf("tx %d %s: %w", i, txids[i], err)
		}
	}
	// Core leaves a repeated transaction to BIP30 and the UTXO set; btcd
	// rejects it here. It is never valid (the copy spends the same
	// outputs, or is a second coinbase), and rejecting it early keeps
	// txid-keyed maps downstream simple.
	if i, j, dup := duplicateTxID(txids); dup {
		return fmt.Errorf("txs %d and %d %s: %w", i, j, txids[j], ErrDuplicateTx)
	}
	sigOps := 0
	for _, tx := range txs {
		sigOps += TxLegacySigOpCount(tx)
	}
	if sigOps*witnessScaleFactor > opts.maxSigOpsCost() {
		return fmt.Errorf("%w: %d sigops", ErrTooManySigOps, sigOps)
	}

	return checkBlockContext(block, txids, baseSize, &opts)
}

// checkBlockContext is the part of Core's ContextualCheckBlock that needs
// only the block's height and flags. block has passed the context-free
// checks, so it has a coinbase with one input.
func checkBlockContext(block *wire.MsgBlock, txids []wire.Hash, baseSize int, opts *BlockCheckOptions) error {
	txs := block.Transactions
	if opts.LockTimeCutoff != 0 {
		for i, tx := range txs {
			if !IsFinalTx(tx, opts.Height, opts.LockTimeCutoff) {
				return fmt.Errorf("tx %d %s: %w: lock time %d", i, txids[i], ErrNonFinalTx, tx.LockTime)
			}
		}
	}

	coinbase := txs[0]
	if opts.bip34Active() {
		var buf [8]byte
		want := AppendScriptInt(buf[:0], int64(opts.Height))
		if !bytes.HasPrefix(coinbase.TxIn[0].SignatureScript, want) {
			return fmt.Errorf("%w: height %d wants prefix %x", ErrBadCoinbaseHeight, opts.Height, want)
		}
	}

	if err := checkWitnessCommitment(block, txids, opts.SegWitActive); err != nil {
		return err
	}

	// Only now that the witness data is known to be what the block commits
	// to can weight condemn the block: before, a peer could inflate the
	// witnesses of a valid block without changing its hash.
	weight := baseSize * (witnessScaleFactor - 1)
	weight += wire.BlockHeaderSize + wire.VarIntSize(uint64(len(txs)))
	for _, tx := range txs {
		weight += tx.SerializeSize(wire.WitnessEncoding)
	}
	if weight > opts.maxWeight() {
		return fmt.Errorf("%w: %d", ErrBlockWeightTooHigh, weight)
	}
	return nil
}

// checkWitnessCommitment is Core's CheckWitnessMalleation. With segwit active
// and a commitment in the coinbase, the coinbase witness must be the single
// 32-byte reserved value and the commitment must match the witness merkle
// root. Otherwise no transaction may carry witness data: it would be data the
// block hash does not cover.
func checkWitnessCommitment(block *wire.MsgBlock, txids []wire.Hash, segWit bool) error {
	txs := block.Transactions
	coinbase := txs[0]
	if segWit {
		if pos := WitnessCommitmentIndex(coinbase); pos >= 0 {
			w := coinbase.TxIn[0].Witness
			if len(w) != 1 || len(w[0]) != WitnessReservedValueSize {
				return fmt.Errorf("%w: %d items", ErrBadWitnessNonceSize, len(w))
			}
			got := WitnessCommitment(WitnessMerkleRoot(block, txids), [WitnessReservedValueSize]byte(w[0]))
			script := coinbase.TxOut[pos].PkScript
			if !bytes.Equal(got[:], script[len(witnessCommitmentPrefix):WitnessCommitmentScriptSize]) {
				return fmt.Errorf("%w: output %d commits to %x, transactions give %x", ErrBadWitnessCommitment,
					pos, script[len(witnessCommitmentPrefix):WitnessCommitmentScriptSize], got[:])
			}
			return nil
		}
	}
	for i, tx := range txs {
		if tx.HasWitness() {
			return fmt.Errorf("tx %d %s: %w", i, txids[i], ErrUnexpectedWitness)
		}
	}
	return nil
}

// duplicateTxID reports the first pair of equal txids.
func duplicateTxID(txids []wire.Hash) (first, second int, dup bool) {
	seen := make(map[wire.Hash]int, len(txids))
	for j, id := range txids {
		if i, ok := seen[id]; ok {
			return i, j, true
		}
		seen[id] = j
	}
	return 0, 0, false
}
