package netsync

import (
	"testing"
	"time"
)

// BenchmarkSync20k measures blocks per second syncing 6,000 regtest blocks
// from one node to a fresh one over loopback, with fsync on.
func BenchmarkSyncLoopback(b *testing.B) {
	blocks := testChain(6000)
	fsyncStores = true
	defer func() { fsyncStores = false }()
	src := newNode(b, "src", blocks)
	tip := blocks[len(blocks)-1].BlockHash()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		dst := newNode(b, "dst", nil)
		b.StartTimer()
		start := time.Now()
		dst.connect(src)
		if !dst.waitTip(tip, time.Minute) {
			b.Fatalf("not synced: %+v", dst.m.Info())
		}
		total += time.Since(start)
		b.Logf("%.0f blocks/s", float64(len(blocks))/time.Since(start).Seconds())
		b.StopTimer()
		dst.close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(blocks)*b.N)/total.Seconds(), "blocks/s")
}
