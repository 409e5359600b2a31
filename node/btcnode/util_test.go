package btcnode

import (
	"net/netip"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync/chaingen"
	"github.com/ledgernet/ledgernet/wire"
)

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// extendChain builds n blocks on blocks' last one.
func extendChain(blocks []*wire.MsgBlock, n int, tag string) []*wire.MsgBlock {
	last := blocks[len(blocks)-1]
	return chaingen.New(chain.RegTestParams(), 0, "").Fork(last.BlockHash(), int32(len(blocks)), last.Header.Timestamp, tag).Blocks(n)
}

// countStored counts the blocks of blocks the chain state holds.
func countStored(st *store.Store, blocks []*wire.MsgBlock) int {
	n := 0
	for _, b := range blocks {
		if st.HaveBlock(b.BlockHash()) {
			n++
		}
	}
	return n
}
