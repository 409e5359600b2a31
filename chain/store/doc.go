// Package store is a node's persistent chain state: every known header with
// its status, the blocks, the connected (fully validated) best chain and, on
// the devnet, the coin set with one undo record per connected block. It all
// lives in one bbolt file (DATADIR/chain.db, see db.go for the layout).
//
// Data flows in two ways. Headers (AddHeaders) go through the header
// chain's rules and are stored. Blocks (ProcessBlock, ProcessBlocks) are
// checked with chain.CheckBlock at their height and stored; then, while a
// chain of stored blocks has more work than the connected tip, the store
// disconnects back to the fork and connects that chain. On the devnet each
// connection applies the ledger rules of package ledger (inputs exist and
// are unspent, coinbase maturity, P2PKH signatures over the legacy
// SIGHASH_ALL hash — verified on up to GOMAXPROCS goroutines per block —
// values, the coinbase limit) and writes the coin changes and the undo
// record. A block that breaks a rule is marked invalid, with its
// descendants, and the best remaining chain is connected instead; a block
// whose transactions do not match its header (chain.IsBlockMutated) is only
// refused, since another copy of it may be valid.
//
// Bitcoin profiles (mainnet, testnets, signet, regtest) keep no coin set:
// ledgernet relays Bitcoin blocks but is not a consensus-validating Bitcoin
// node, so blocks get the structural checks only (RulesStructural).
//
// Crash safety: each block connection or disconnection — coin changes,
// undo record, status and the new tip — commits in one bbolt transaction
// (fsync on by default), up to Config.ConnectBatch blocks per transaction
// while catching up. The in-memory index changes only after the commit. So
// a process killed at any instant leaves a database whose tip names exactly
// the state its coins are in; Open rebuilds the header index from it and
// connects any stored blocks that were not yet connected. Nothing is
// downloaded twice: headers and blocks are stored as they arrive.
//
// Events (EventBlockConnected, EventBlockDisconnected, EventTipChanged) go
// to the functions given to Subscribe, in commit order, after each commit:
// the mempool and relay follow the chain through them.
//
// A Store is safe for concurrent use. One mutex serialises the writers
// (AddHeaders, ProcessBlocks) and guards the in-memory index; readers of
// stored data (FetchCoins, ForEachCoin, Block) read a bbolt snapshot without
// taking it, and Tip reads an atomic copy.
package store
