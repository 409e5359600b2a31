package store

import "github.com/ledgernet/ledgernet/chain"

// never is a height no block reaches.
const never = int32(1<<31 - 1)

// deploymentHeights returns where segwit (BIP141) and CSV (BIP68/112/113)
// became active on p's network. chain.Params does not carry these yet; this
// table stands in until it does (the values are Bitcoin Core's
// chainparams). Devnet never activates segwit: its ledger rules are legacy
// P2PKH only, and witness data is rejected. BIP113's median-time lock-time
// cutoff applies on devnet from height 1.
func deploymentHeights(p *chain.Params) (segwit, csv int32) {
	switch p.Name {
	case "mainnet":
		return 481824, 419328
	case "testnet3":
		return 834624, 770112
	case "testnet4", "signet", "regtest":
		return 1, 1
	case "devnet":
		return never, 1
	}
	return never, never
}

// blockCheckOptions returns what chain.CheckBlock needs for a block at
// height with the given timestamp and parent median time past.
func blockCheckOptions(p *chain.Params, height int32, timestamp, parentMTP uint32) chain.BlockCheckOptions {
	segwit, csv := deploymentHeights(p)
	cutoff := int64(timestamp)
	if height >= csv {
		cutoff = int64(parentMTP)
	}
	return chain.BlockCheckOptions{
		Height:         height,
		BIP34Height:    p.BIP34Height,
		SegWitActive:   height >= segwit,
		LockTimeCutoff: cutoff,
	}
}
