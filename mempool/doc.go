// Package mempool holds the devnet transactions that are valid on the
// connected tip but not yet in a block, for relay and for the miner.
//
// A transaction enters through Accept: chain.CheckTransaction, no coinbase,
// no witness data (the devnet is legacy P2PKH only), final at the next
// height, then the ledger rules (package ledger) against the chain's coins
// plus the outputs of transactions already in the pool, a fee rate of at
// least Config.MinFeeRate, and every signature. Spending an output that a
// pooled transaction already spends is refused (ErrDoubleSpend: no
// replacement). A transaction whose inputs are unknown is refused
// (ErrMissingInputs): there is no orphan pool; netsync fetches it again
// when a peer announces it after its parent has arrived.
//
// The pool is bounded by Config.MaxTxs and Config.MaxBytes. When a new
// transaction would not fit, the pooled transactions with the lowest fee
// rate (each with its descendants, never the new one's ancestors) are
// evicted for it if they pay a lower fee rate than it does; otherwise the
// new one is refused with ErrPoolFull. Both are counted in Stats. A
// transaction that waits longer than Config.Expiry (two weeks, as Core's
// -mempoolexpiry) is dropped with its descendants on the next Accept or tip
// change.
//
// The pool follows the chain through HandleEvent (subscribe it to the
// chain state's events): a connected block removes its transactions and
// every pooled transaction that conflicts with them (with descendants); a
// disconnected block's transactions are offered again, and after a
// reorganisation every pooled transaction is checked again against the new
// tip (coins, maturity, values) and dropped with its descendants if it no
// longer fits.
//
// TemplateTxs hands the miner transactions by fee rate, highest first, each
// after its pooled parents; TxHashes and Get serve relay (inv, getdata,
// mempool).
//
// A Pool is safe for concurrent use: one mutex guards its state, held for
// the whole of Accept (signature checks included), so transactions are
// accepted one at a time.
package mempool
