// Package wallet is a minimal devnet wallet: one secp256k1 key, its
// address (the HASH160 of the compressed public key) and the P2PKH script
// paying it. It finds its coins in the chain state, leaves out immature
// coinbase coins and coins a pooled transaction already spends, and builds
// and signs transactions paying another address, with change back to
// itself. The devnet program uses wallets to make transactions flow between
// nodes.
//
// Coins are read from the chain state on each call (CoinsByScript walks the
// coin set: fine for a devnet). Unconfirmed change is not spent until it
// is confirmed; a wallet that pays faster than blocks come runs out of
// confirmed coins and reports ErrInsufficientFunds.
package wallet
