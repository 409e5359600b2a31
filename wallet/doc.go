// Package wallet is a minimal devnet wallet: one secp256k1 key, its
// address (the HASH160 of the compressed public key) and the P2PKH script
// paying it. It finds its coins in the chain state, leaves out immature
// coinbase coins and coins a pooled transaction already spends, and builds
// and signs transactions paying another address, with change back to
// itself. The devnet program uses wallets to make transactions flow between
// nodes.
//
// Coins are read from the chain state on each call (CoinsByScript walks the
// coin set: fine for a devnet). Like Core's wallet, it also spends its own
// unconfirmed change, after every confirmed coin, when the pool it is
// given lists it (mempool.Pool.PendingOutputs: outputs to the wallet of
// pooled transactions that spend only the wallet's coins). Unconfirmed
// payments from others are not spent.
package wallet
