package chain

import (
	"testing"

	"github.com/ledgernet/ledgernet/internal/cputime"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// BenchmarkVerifyMainnetHeaders verifies the 40,000 mainnet fixture headers
// from genesis into a fresh index per iteration (decode, double-SHA256,
// proof of work, link, bits, median time past, work sum, indexing) on one
// goroutine. It reports headers/s (wall clock) and cpu-ns/header (process
// CPU time, garbage collection included).
func BenchmarkVerifyMainnetHeaders(b *testing.B) {
	raw := fixtures.Read(b, mainnetHeadersFile)
	p := MainNetParams()
	count := len(raw) / 80
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	cpu0 := cputime.Now()
	for b.Loop() {
		c, err := NewHeaderChain(p, HeaderChainConfig{Now: fixedClock, SizeHint: count})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := c.AddRawHeaders(raw); err != nil || n != count {
			b.Fatal(n, err)
		}
	}
	total := float64(count) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "headers/s")
	b.ReportMetric(float64(cputime.Now()-cpu0)/total, "cpu-ns/header")
}

// BenchmarkVerifyMainnetHeadersMsgBatches is the same without a size hint,
// fed 2,000 headers at a time as headers messages arrive during sync.
func BenchmarkVerifyMainnetHeadersMsgBatches(b *testing.B) {
	raw := fixtures.Read(b, mainnetHeadersFile)
	p := MainNetParams()
	count := len(raw) / 80
	b.ReportAllocs()
	cpu0 := cputime.Now()
	for b.Loop() {
		c, err := NewHeaderChain(p, HeaderChainConfig{Now: fixedClock})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(raw); i += 2000 * 80 {
			if _, err := c.AddRawHeaders(raw[i:min(len(raw), i+2000*80)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	total := float64(count) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "headers/s")
	b.ReportMetric(float64(cputime.Now()-cpu0)/total, "cpu-ns/header")
}

// BenchmarkVerifyMainnetHeadersStructs is the same through AddHeaders with
// decoded headers (each is serialized again to be hashed).
func BenchmarkVerifyMainnetHeadersStructs(b *testing.B) {
	raw := fixtures.Read(b, mainnetHeadersFile)
	p := MainNetParams()
	count := len(raw) / 80
	hdrs := make([]wire.BlockHeader, count)
	for i := range hdrs {
		hdrs[i] = hdrAt(raw, i)
	}
	b.ReportAllocs()
	cpu0 := cputime.Now()
	for b.Loop() {
		c, err := NewHeaderChain(p, HeaderChainConfig{Now: fixedClock, SizeHint: count})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := c.AddHeaders(hdrs); err != nil || n != count {
			b.Fatal(n, err)
		}
	}
	total := float64(count) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "headers/s")
	b.ReportMetric(float64(cputime.Now()-cpu0)/total, "cpu-ns/header")
}

// BenchmarkHashHeaders is the batch double-SHA256 the chain uses (the
// standard library's SHA-256), for comparison with the whole verification.
func BenchmarkHashHeaders(b *testing.B) {
	raw := fixtures.Read(b, mainnetHeadersFile)
	count := len(raw) / 80
	dst := make([]wire.Hash, count)
	cpu0 := cputime.Now()
	for b.Loop() {
		hashHeaders(dst, raw)
	}
	total := float64(count) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "headers/s")
	b.ReportMetric(float64(cputime.Now()-cpu0)/total, "cpu-ns/header")
}
