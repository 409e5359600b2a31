// Package ledger holds the devnet's ledger rules: what a coin (an unspent
// output) is, how much a block may pay itself, Bitcoin's legacy signature
// hash, and the checks a transaction's inputs must pass against the coins
// they spend. It has no storage and no state: the chain state
// (chain/store) applies these rules to blocks, the mempool to loose
// transactions, and the wallet uses the same signature hash to sign.
//
// A devnet transaction spends pay-to-public-key-hash outputs only. Its
// signature script is <DER signature ‖ SIGHASH_ALL> <33-byte compressed
// public key>; HASH160 of the key must equal the output's key hash, and the
// signature (strict DER, low S) must verify over the legacy SIGHASH_ALL hash:
// the transaction with every input script emptied except the signed one,
// which holds the spent output's script, serialized, followed by the 4-byte
// little-endian hash type, double-SHA256. Outputs with any other script are
// valid to create (an OP_RETURN note, for instance) but can never be spent:
// they never enter the coin set.
//
// Values: every input spends an existing coin; a coinbase coin waits
// Params.CoinbaseMaturity blocks (20 on devnet); inputs must cover outputs,
// the difference is the fee; a coinbase may pay at most Subsidy(height) plus
// the fees of its block. The subsidy is 50 coins (5,000,000,000 units)
// halving every Params.SubsidyHalvingInterval blocks (210,000), as Bitcoin.
//
// Checking splits in two so callers can spread the cost: CheckTxInputs does
// the cheap value and maturity rules over coins the caller looked up, and
// VerifyInput does the expensive signature check of one input, which a
// caller may run on several goroutines.
package ledger
