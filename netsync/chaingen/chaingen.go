// Package chaingen builds chains of coinbase-only blocks that pass every
// header and block rule of a network (proof of work at the limit, BIP34
// height in the coinbase, the subsidy, version 4, timestamps after the
// median time past), for tests and benchmarks of block download. It is meant
// for regtest, where half of all hashes meet the target; other networks work
// but solve slower (devnet: one hash in 4,096).
package chaingen

import (
	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// Builder extends one branch. The zero value is not usable: use New or Fork.
type Builder struct {
	p      *chain.Params
	prev   wire.Hash
	height int32
	time   uint32
	tag    []byte
	payTo  []byte
}

// New returns a builder on p's genesis block whose blocks carry timestamps
// from start, one second apart (pick a start so that the last block is not in
// the future, and recent if btcd must answer getheaders: it ignores them
// while its tip is older than a day). tag goes in every coinbase, so that
// builders with different tags make different blocks at the same heights.
func New(p *chain.Params, start uint32, tag string) *Builder {
	payTo := chain.PayToPubKeyHashScript([chain.PubKeyHashSize]byte{0x11, 0x22, 0x33})
	return &Builder{p: p, prev: p.GenesisHash, time: start, tag: []byte(tag), payTo: payTo}
}

// Fork returns a builder extending block prev at height with a new tag.
func (b *Builder) Fork(prev wire.Hash, height int32, timestamp uint32, tag string) *Builder {
	return &Builder{p: b.p, prev: prev, height: height, time: timestamp, tag: []byte(tag), payTo: b.payTo}
}

// Tip returns the hash and height of the last block built.
func (b *Builder) Tip() (wire.Hash, int32) { return b.prev, b.height }

// Next builds and solves the next block.
func (b *Builder) Next() *wire.MsgBlock {
	height := b.height + 1
	script := chain.AppendScriptInt(nil, int64(height))
	script = chain.AppendPush(script, append([]byte{0xc0, 0xde}, b.tag...))
	cb := &wire.MsgTx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
			SignatureScript:  script,
			Sequence:         0xffffffff,
		}},
		TxOut: []*wire.TxOut{{Value: ledger.Subsidy(b.p, height), PkScript: b.payTo}},
	}
	b.time++
	blk := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:   4,
			PrevBlock: b.prev,
			Timestamp: b.time,
			Bits:      b.p.PowLimitBits,
		},
		Transactions: []*wire.MsgTx{cb},
	}
	blk.Header.MerkleRoot = cb.TxHash()
	solve(&blk.Header)
	b.time = blk.Header.Timestamp
	b.prev, b.height = blk.BlockHash(), height
	return blk
}

// Blocks builds n blocks.
func (b *Builder) Blocks(n int) []*wire.MsgBlock {
	out := make([]*wire.MsgBlock, n)
	for i := range out {
		out[i] = b.Next()
	}
	return out
}

// Headers returns the headers of blocks.
func Headers(blocks []*wire.MsgBlock) []wire.BlockHeader {
	out := make([]wire.BlockHeader, len(blocks))
	for i, b := range blocks {
		out[i] = b.Header
	}
	return out
}

func solve(h *wire.BlockHeader) {
	target, _, _ := chain.CompactToUint256(h.Bits)
	for {
		hash := h.BlockHash()
		if v := chain.HashToUint256(&hash); v.Cmp(target) <= 0 {
			return
		}
		h.Nonce++
		if h.Nonce == 0 {
			h.Timestamp++ // nonces exhausted (only at hard targets)
		}
	}
}
