// Package cputime measures the CPU time of the whole process for the
// benchmarks. On a machine whose cores other work shares, CPU time per
// operation is steadier than wall time, and for a loopback benchmark it
// counts both ends of the connection.
package cputime

import (
	"testing"
	"time"
)

// Report adds a cpu-ns/op metric to b: the process CPU time since start
// (taken with Now before the loop) divided by b.N. It adds nothing where Now
// is not supported (start is 0).
func Report(b *testing.B, start time.Duration) {
	if b.N > 0 && start > 0 {
		b.ReportMetric(float64(Now()-start)/float64(b.N), "cpu-ns/op")
	}
}
