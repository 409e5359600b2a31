package interop

// BenchmarkBitcoinSync compares chain sync over loopback on one 20,000-block
// regtest chain mined by btcd:
//
//	btcd→btcd             a fresh btcd --connect the miner (default flags)
//	btcd→btcd nocfilters  the same with --nocfilters (no BIP158 index)
//	btcd→ledgernet        a fresh ledgernet node syncing from the miner
//	ledgernet→ledgernet   a fresh ledgernet node syncing from a ledgernet
//	                      node that holds the chain
//
// Every ledgernet node is the real `ledgernet node --profile regtest`
// program, its height polled through its HTTP API. CPU time is the syncing
// process's, btcd's or ledgernet's alike (from its rusage once it exits).
//
// Each iteration runs the four in turn (so that load from other work on the
// machine hits them alike) and the medians are reported. Every ledgernet
// chain state fsyncs its commits. Two rates per case: "total" from process
// (or node) start to the last block, and "blocks" over the block phase,
// from the first block connected to the last.
//
//	cd interop && go test -run '^$' -bench BitcoinSync -benchtime 3x -timeout 30m

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

const benchBlocks = 20000

// syncRun is one timed sync.
type syncRun struct {
	total, blocks float64 // blocks/s
	cpu           time.Duration
}

// timeSync polls height until it reaches benchBlocks and returns the rates.
func timeSync(b *testing.B, start time.Time, height func() int) syncRun {
	b.Helper()
	var first time.Time
	h0 := 0
	for {
		h := height()
		now := time.Now()
		if h > 0 && first.IsZero() {
			first, h0 = now, h
		}
		if h >= benchBlocks {
			return syncRun{
				total:  benchBlocks / now.Sub(start).Seconds(),
				blocks: float64(benchBlocks-h0) / max(now.Sub(first).Seconds(), 1e-9),
			}
		}
		if now.Sub(start) > 5*time.Minute {
			b.Fatalf("sync stuck at %d", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func btcdHeight(c *btcd) func() int {
	return func() int {
		s, err := c.ctl("getblockcount")
		if err != nil {
			return 0
		}
		h, _ := strconv.Atoi(s)
		return h
	}
}

func BenchmarkBitcoinSync(b *testing.B) {
	miner := startBtcd(b, "miner", 7)
	t0 := time.Now()
	miner.generate(benchBlocks)
	b.Logf("btcd mined %d blocks in %v", benchBlocks, time.Since(t0))
	want := miner.bestHash()

	// The ledgernet source, which also checks btcd→ledgernet once.
	src := startLedgernet(b, "src", "--connect", miner.p2p)
	waitFor(b, 5*time.Minute, "ledgernet source synced", func() bool { return src.tip() == want.String() })

	cases := []string{"btcd→btcd", "btcd→btcd nocfilters", "btcd→ledgernet", "ledgernet→ledgernet"}
	runs := map[string][]syncRun{}
	i := 0
	for b.Loop() {
		i++
		for _, c := range cases {
			var r syncRun
			switch c {
			case "btcd→btcd", "btcd→btcd nocfilters":
				extra := []string{"--connect=" + miner.p2p}
				if c == "btcd→btcd nocfilters" {
					extra = append(extra, "--nocfilters")
				}
				start := time.Now()
				n := startBtcd(b, fmt.Sprintf("b%d", i), byte(30+i), extra...)
				r = timeSync(b, start, btcdHeight(n))
				if n.bestHash() != want {
					b.Fatal("btcd synced another chain")
				}
				n.cmd.Process.Kill()
				n.cmd.Wait()
				r.cpu = n.cmd.ProcessState.UserTime() + n.cmd.ProcessState.SystemTime()
			case "btcd→ledgernet", "ledgernet→ledgernet":
				peer := miner.p2p
				if c == "ledgernet→ledgernet" {
					peer = src.listen
				}
				start := time.Now()
				n := startLedgernet(b, fmt.Sprintf("l%d", i), "--connect", peer)
				r = timeSync(b, start, func() int { return int(n.chain().Height) })
				if n.tip() != want.String() {
					b.Fatal("ledgernet synced another chain")
				}
				n.stop()
				st := n.proc.cmd.ProcessState
				r.cpu = st.UserTime() + st.SystemTime()
			}
			runs[c] = append(runs[c], r)
			cpu := r.cpu.Round(time.Millisecond).String()
			// Printed, not logged: a benchmark's log keeps ten lines.
			fmt.Fprintf(os.Stderr, "run %d %-22s total %7.0f blocks/s, block phase %7.0f blocks/s, syncing node cpu %s\n", i, c, r.total, r.blocks, cpu)
		}
	}
	median := func(c string, f func(syncRun) float64) float64 {
		var v []float64
		for _, r := range runs[c] {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	names := map[string]string{"btcd→btcd": "btcd", "btcd→btcd nocfilters": "btcd-nocf", "btcd→ledgernet": "btcd-ln", "ledgernet→ledgernet": "ln-ln"}
	for _, c := range cases {
		b.ReportMetric(median(c, func(r syncRun) float64 { return r.total }), names[c]+"-blocks/s")
	}
	base := median("btcd→btcd", func(r syncRun) float64 { return r.total })
	basecf := median("btcd→btcd nocfilters", func(r syncRun) float64 { return r.total })
	ln := median("ledgernet→ledgernet", func(r syncRun) float64 { return r.total })
	b.ReportMetric(ln/base, "x-btcd")
	b.ReportMetric(ln/basecf, "x-btcd-nocf")
	for _, c := range cases {
		fmt.Fprintf(os.Stderr, "median %-22s total %7.0f blocks/s, block phase %7.0f blocks/s\n", c,
			median(c, func(r syncRun) float64 { return r.total }), median(c, func(r syncRun) float64 { return r.blocks }))
	}
}
