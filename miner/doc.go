// Package miner builds blocks on the connected tip and solves their proof of
// work, for the devnet (and regtest).
//
// A template is a coinbase — scriptSig <height (BIP34)> <8-byte extra
// nonce> <text>, one output paying Config.PayTo the subsidy plus the fees —
// followed by the pool's transactions (highest fee rate first, parents
// before children), with the merkle root, timestamp max(now, MTP+1) and the
// bits the header chain requires for that timestamp. The template is
// checked against the chain state before any work is spent on it; if the
// pool's transactions no longer fit the tip, the miner falls back to the
// coinbase alone.
//
// Solving tries nonces, checking the context, the tip and the template's
// age every few thousand; when the nonces run out it bumps the extra nonce
// (a new coinbase and merkle root) and the timestamp. A solved block goes
// through the same ProcessBlock path as a block from a peer.
//
// MineBlock mines one block, for tests and tools. Start runs a goroutine
// that mines until Stop; Stop waits for it. The background miner can be
// paced (Config.MinInterval, Jitter, PaceFrom): it starts on a tip only
// once the tip is that old, so that a devnet on the real clock keeps near
// its target spacing instead of making the chain harder at each retarget.
package miner
