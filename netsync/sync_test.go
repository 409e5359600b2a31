package netsync

import (
	"testing"
	"time"
)

func TestTwoNodesSync(t *testing.T) {
	blocks := testChain(5000)
	a := newNode(t, "a", blocks)
	b := newNode(t, "b", nil)
	start := time.Now()
	b.connect(a)
	tip := blocks[len(blocks)-1].BlockHash()
	if !b.waitTip(tip, 30*time.Second) {
		t.Fatalf("b at %d, want %d; info %+v", b.store.Tip().Height, len(blocks), b.m.Info())
	}
	d := time.Since(start)
	st := b.m.Stats()
	t.Logf("synced %d blocks in %v (%.0f blocks/s); stats %+v", len(blocks), d, float64(len(blocks))/d.Seconds(), st)
	if st.BlocksRequested != uint64(len(blocks)) || st.BlocksDuplicate != 0 {
		t.Errorf("requested %d blocks, %d duplicates", st.BlocksRequested, st.BlocksDuplicate)
	}
}
