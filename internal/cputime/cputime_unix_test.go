//go:build unix

package cputime

import (
	"testing"
	"time"
)

func TestNowAdvances(t *testing.T) {
	start := Now()
	if start <= 0 {
		t.Fatalf("Now() = %v, want > 0", start)
	}
	// Spin until the process has used measurably more CPU; the kernel may
	// account in ticks, so allow a generous wall-clock bound.
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for Now() <= start {
		for i := range 1_000_000 {
			x += i
		}
		if time.Now().After(deadline) {
			t.Fatalf("Now() stayed at %v for 5 s of spinning (%d)", start, x)
		}
	}
}
