package ledger

import (
	"errors"
	"fmt"
)

// Ledger rule failures. Each message carries Bitcoin Core's reject reason
// where Core has one; callers test with errors.Is.
var (
	// ErrMissingOrSpent means an input names an output that is not in the
	// coin set: it never existed, was already spent, or is unspendable.
	ErrMissingOrSpent = errors.New("ledger: bad-txns-inputs-missingorspent: input spends a missing or spent output")
	// ErrDoubleSpendInBlock means an input spends an output that an earlier
	// transaction of the same block already spent. It also matches
	// ErrMissingOrSpent.
	ErrDoubleSpendInBlock = fmt.Errorf("%w: output already spent earlier in the same block", ErrMissingOrSpent)
	// ErrImmatureSpend means an input spends a coinbase output fewer than
	// CoinbaseMaturity blocks deep.
	ErrImmatureSpend = errors.New("ledger: bad-txns-premature-spend-of-coinbase: coinbase output not mature")
	// ErrInputValueRange means a spent coin, or the sum of them, is outside
	// 0..MaxMoney.
	ErrInputValueRange = errors.New("ledger: bad-txns-inputvalues-outofrange: input values out of range")
	// ErrSpendTooHigh means the outputs pay more than the inputs hold.
	ErrSpendTooHigh = errors.New("ledger: bad-txns-in-belowout: outputs exceed inputs")
	// ErrBadCoinbaseValue means the coinbase pays more than the subsidy
	// plus the block's fees.
	ErrBadCoinbaseValue = errors.New("ledger: bad-cb-amount: coinbase pays more than subsidy plus fees")
	// ErrNotSpendable means an input spends an output whose script is not
	// pay-to-public-key-hash.
	ErrNotSpendable = errors.New("ledger: output script is not pay-to-public-key-hash and cannot be spent")
	// ErrBadSignatureScript means an input's script is not
	// <signature> <public key>.
	ErrBadSignatureScript = errors.New("ledger: signature script is not <signature> <public key>")
	// ErrBadPubKey means the public key is not a valid 33-byte compressed
	// secp256k1 point.
	ErrBadPubKey = errors.New("ledger: public key is not a valid compressed secp256k1 key")
	// ErrPubKeyHashMismatch means HASH160 of the public key differs from
	// the key hash in the spent output.
	ErrPubKeyHashMismatch = errors.New("ledger: public key does not hash to the output's key hash")
	// ErrBadSigHashType means the signature's hash type is not SIGHASH_ALL.
	ErrBadSigHashType = errors.New("ledger: signature hash type is not SIGHASH_ALL")
	// ErrBadSignatureEncoding means the signature is not strict DER, or
	// has a high S (which would let anyone change the txid).
	ErrBadSignatureEncoding = errors.New("ledger: signature is not strict DER with low S")
	// ErrBadSignature means the signature does not verify.
	ErrBadSignature = errors.New("ledger: mandatory-script-verify-flag-failed: signature does not verify")
	// ErrBadCoin means stored coin bytes do not decode.
	ErrBadCoin = errors.New("ledger: malformed coin encoding")
)
