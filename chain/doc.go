// Package chain holds the block chain's consensus rules: network parameters
// and genesis blocks, proof of work, difficulty retargeting, time rules, the
// header chain with most-work fork choice, and the block and transaction
// checks.
//
// Params describe one network: Bitcoin mainnet, testnet3, testnet4 (BIP94),
// the default signet, regtest, and ledgernet's own devnet (magic "LNET",
// port 30777, a block every 5 s, a retarget every 60 blocks, an easy limit).
// Each constructor returns a fresh copy; ParamsByName looks one up by name.
//
// Headers flow through a HeaderChain. For each header it computes the
// double-SHA256 hash, skips it if already indexed, checks the proof of work
// (hash at or below the target of its bits, the target within the network's
// limit), finds the parent, and then applies the contextual rules in Bitcoin
// Core's order: checkpoints, the required bits (retarget every interval with
// the 4× clamp, the testnet 20-minute minimum-difficulty exception and its
// walk back, BIP94's first-block retarget), timestamp after the median time
// past, BIP94's timewarp bound, at most two hours ahead of the caller's clock,
// and the block version for the height. An accepted header becomes a
// HeaderNode with its height and total chain work; when its chain has more
// work than the best one it becomes the tip, and a switch to another branch
// is reported as a Reorg. A failure is a *RuleError naming the height, the
// hash and Core's reject reason.
//
// The hot path is built for headers-first sync: batches of raw 80-byte
// headers (AddRawHeaders) are hashed straight from the bytes, two at a time
// with the x86 SHA extensions where the CPU has them, targets and
// per-block work are cached per bits value, the median time past is kept in
// a rolling 11-entry window, chain work is summed in a fixed 256-bit type,
// and nodes are allocated in chunks, hold no pointers and are found through
// an open-addressing table, so the garbage collector never scans the index.
// big.Int is used only where a value is computed once per retarget.
//
// A HeaderChain can start from a trusted header above genesis (a
// TrustedStart). Rules that need history from before it are weakened, never
// guessed: a retarget whose period began before the start is held only to
// PermittedDifficultyTransition, the minimum-difficulty walk back cannot
// see past the start, and the median-time rule waits until eleven headers
// are known.
//
// A HeaderChain is not safe for concurrent use; one goroutine owns it.
package chain
