package cputime

import "testing"

func BenchmarkReport(b *testing.B) {
	start := Now()
	for b.Loop() {
		_ = Now()
	}
	Report(b, start)
}
