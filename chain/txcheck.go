package chain

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/wire"
)

// MaxMoney is the most satoshi that can ever exist (21,000,000 BTC), Core's
// MAX_MONEY. No output, and no sum of outputs, may exceed it.
const MaxMoney int64 = 21_000_000 * 100_000_000

// Consensus limits shared by the transaction and block checks (Core's
// consensus/consensus.h). Networks may lower the block limits through
// BlockCheckOptions; the transaction size rule always uses Bitcoin's.
const (
	// consensusMaxBlockWeight is BIP141's block weight limit (MAX_BLOCK_WEIGHT).
	consensusMaxBlockWeight = 4_000_000
	// consensusMaxBlockSigOpsCost is the block's sigop budget in weight
	// units (MAX_BLOCK_SIGOPS_COST); a legacy sigop costs witnessScaleFactor.
	consensusMaxBlockSigOpsCost = 80_000
	// witnessScaleFactor is how much more a non-witness byte weighs than a
	// witness byte.
	witnessScaleFactor = 4
)

// Transaction check failures, as Core's CheckTransaction. Each message
// carries Core's reject reason so logs can be compared with Core's.
var (
	ErrNoTxInputs          = errors.New("chain: bad-txns-vin-empty: transaction has no inputs")
	ErrNoTxOutputs         = errors.New("chain: bad-txns-vout-empty: transaction has no outputs")
	ErrTxTooBig            = errors.New("chain: bad-txns-oversize: transaction base size exceeds the block weight limit")
	ErrNegativeOutput      = errors.New("chain: bad-txns-vout-negative: output value is negative")
	ErrOutputTooLarge      = errors.New("chain: bad-txns-vout-toolarge: output value exceeds MaxMoney")
	ErrOutputTotalTooLarge = errors.New("chain: bad-txns-txouttotal-toolarge: sum of outputs exceeds MaxMoney")
	ErrDuplicateTxInput    = errors.New("chain: bad-txns-inputs-duplicate: transaction spends an outpoint twice")
	ErrCoinbaseScriptSize  = errors.New("chain: bad-cb-length: coinbase script must be 2 to 100 bytes")
	ErrNullPrevOut         = errors.New("chain: bad-txns-prevout-null: non-coinbase input spends the null outpoint")
	ErrNonFinalTx          = errors.New("chain: bad-txns-nonfinal: transaction lock time not reached")
)

// Coinbase signature script bounds (Core's bad-cb-length).
const (
	MinCoinbaseScriptSize = 2
	MaxCoinbaseScriptSize = 100
)

// nullOutPointIndex is the index of the null outpoint a coinbase spends.
const nullOutPointIndex = 0xffffffff

// IsNullOutPoint reports whether op is the null outpoint (zero hash, index
// 0xffffffff) that only a coinbase input refers to.
func IsNullOutPoint(op wire.OutPoint) bool {
	return op.Index == nullOutPointIndex && op.Hash.IsZero()
}

// IsCoinBase reports whether tx is a coinbase: exactly one input, spending
// the null outpoint (Core's CTransaction::IsCoinBase).
func IsCoinBase(tx *wire.MsgTx) bool {
	return len(tx.TxIn) == 1 && IsNullOutPoint(tx.TxIn[0].PreviousOutPoint)
}

// CheckTransaction applies the context-free transaction rules of Core's
// CheckTransaction: inputs and outputs present, base size within the block
// weight limit, output values in range and summing within MaxMoney, no
// outpoint spent twice, a coinbase script of 2..100 bytes, and no null
// outpoint in a non-coinbase. Errors wrap the sentinels above with the index
// of the offending input or output.
func CheckTransaction(tx *wire.MsgTx) error {
	return checkTransactionSized(tx, tx.SerializeSize(wire.BaseEncoding))
}

// checkTransactionSized is CheckTransaction with the base size already known
// (the block check computes it for the block size first).
func checkTransactionSized(tx *wire.MsgTx, baseSize int) error {
	if len(tx.TxIn) == 0 {
		return ErrNoTxInputs
	}
	if len(tx.TxOut) == 0 {
		return ErrNoTxOutputs
	}
	// Base size only: the witness is not covered by the txid and so is not
	// yet known to be the one the block committed to.
	if baseSize*witnessScaleFactor > consensusMaxBlockWeight {
		return fmt.Errorf("%w: %d bytes", ErrTxTooBig, baseSize)
	}
	var total int64
	for i, out := range tx.TxOut {
		if out.Value < 0 {
			return fmt.Errorf("output %d: %w: %d", i, ErrNegativeOutput, out.Value)
		}
		if out.Value > MaxMoney {
			return fmt.Errorf("output %d: %w: %d", i, ErrOutputTooLarge, out.Value)
		}
		// Both terms are at most MaxMoney here, so the sum cannot overflow
		// before the check (CVE-2010-5139 was an unchecked sum).
		total += out.Value
		if total > MaxMoney {
			return fmt.Errorf("output %d: %w: running total %d", i, ErrOutputTotalTooLarge, total)
		}
	}
	// CVE-2018-17144: a duplicate input must be caught here, before any
	// UTXO lookup, or one output is spent twice.
	if i, j, dup := duplicateInput(tx.TxIn); dup {
		return fmt.Errorf("inputs %d and %d: %w: %s", i, j, ErrDuplicateTxInput, tx.TxIn[j].PreviousOutPoint)
	}
	if IsCoinBase(tx) {
		if n := len(tx.TxIn[0].SignatureScript); n < MinCoinbaseScriptSize || n > MaxCoinbaseScriptSize {
			return fmt.Errorf("%w: %d bytes", ErrCoinbaseScriptSize, n)
		}
		return nil
	}
	for i, in := range tx.TxIn {
		if IsNullOutPoint(in.PreviousOutPoint) {
			return fmt.Errorf("input %d: %w", i, ErrNullPrevOut)
		}
	}
	return nil
}

// smallInputSet is the input count up to which pairwise comparison beats
// building a map (no allocation; almost every transaction is this small).
const smallInputSet = 16

// duplicateInput reports the first pair of inputs spending the same outpoint.
func duplicateInput(ins []*wire.TxIn) (first, second int, dup bool) {
	if len(ins) <= smallInputSet {
		for j := 1; j < len(ins); j++ {
			for i := range j {
				if ins[i].PreviousOutPoint == ins[j].PreviousOutPoint {
					return i, j, true
				}
			}
		}
		return 0, 0, false
	}
	seen := make(map[wire.OutPoint]int, len(ins))
	for j, in := range ins {
		if i, ok := seen[in.PreviousOutPoint]; ok {
			return i, j, true
		}
		seen[in.PreviousOutPoint] = j
	}
	return 0, 0, false
}

// LockTimeThreshold splits lock times: below it a lock time is a block
// height, at or above it a Unix time (Core's LOCKTIME_THRESHOLD).
const LockTimeThreshold = 500_000_000

// sequenceFinal is the input sequence that opts out of the lock time.
const sequenceFinal = 0xffffffff

// IsFinalTx reports whether tx may be included in a block at height whose
// lock-time cutoff is blockTime (the median time past of the previous block
// once BIP113 is active, the block's own timestamp before), as Core's
// IsFinalTx: a zero lock time, a lock time already passed, or every input's
// sequence at 0xffffffff.
func IsFinalTx(tx *wire.MsgTx, height int32, blockTime int64) bool {
	if tx.LockTime == 0 {
		return true
	}
	cutoff := int64(height)
	if tx.LockTime >= LockTimeThreshold {
		cutoff = blockTime
	}
	if int64(tx.LockTime) < cutoff {
		return true
	}
	for _, in := range tx.TxIn {
		if in.Sequence != sequenceFinal {
			return false
		}
	}
	return true
}

// TxLegacySigOpCount returns the legacy sigop count of tx: LegacySigOpCount
// over every input's signature script and every output's script (Core's
// GetLegacySigOpCount).
func TxLegacySigOpCount(tx *wire.MsgTx) int {
	n := 0
	for _, in := range tx.TxIn {
		n += LegacySigOpCount(in.SignatureScript)
	}
	for _, out := range tx.TxOut {
		n += LegacySigOpCount(out.PkScript)
	}
	return n
}
