package status

import (
	"fmt"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// BenchmarkPropagation50 measures, in a 50-node network (random, average
// degree about 6, real time), how long a tip change takes to be known by
// every node, for two announcement batching delays.
func BenchmarkPropagation50(b *testing.B) {
	for _, delay := range []time.Duration{DefaultAnnounceDelay, time.Millisecond} {
		b.Run(fmt.Sprint("delay=", delay), func(b *testing.B) {
			const n = 50
			tn := newTestNet(b, n, Config{AnnounceDelay: delay, EventQueue: 4096, RateLimit: -1})
			tn.random(5, 2*n)
			evs := make([]<-chan Event, n)
			for i, s := range tn.nodes {
				evs[i], _ = s.Subscribe()
			}
			// Let the table fill before measuring.
			for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
				full := true
				for _, s := range tn.nodes {
					full = full && len(s.Known()) == n
				}
				if full {
					break
				}
				if time.Now().After(deadline) {
					b.Fatal("table not full")
				}
			}
			var i uint64
			cpu0 := cpuTime()
			for b.Loop() {
				i++
				src := tn.nodes[i%n]
				if err := src.SetTip(i, wire.Hash{byte(i)}); err != nil {
					b.Fatal(err)
				}
				for j, ch := range evs {
					if tn.nodes[j] == src {
						continue
					}
					for done := false; !done; {
						select {
						case ev := <-ch:
							done = ev.Type == Updated && ev.Record.ID == src.ID() && ev.Record.Height == i
						case <-time.After(time.Minute):
							b.Fatalf("node %d never heard of tip %d", j, i)
						}
					}
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(i), "cpu-µs/op")
			b.ReportMetric(float64(len(tn.links)), "links")
		})
	}
}
