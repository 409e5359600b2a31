package chain

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

func TestCalcMedianTimePast(t *testing.T) {
	tests := []struct {
		name string
		ts   []uint32
		want uint32
	}{
		{"none", nil, 0},
		{"one", []uint32{5}, 5},
		{"two takes the upper", []uint32{5, 9}, 9},
		{"three", []uint32{9, 1, 5}, 5},
		{"eleven", []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6},
		{"eleven unsorted", []uint32{11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6}, 6},
		{"only the last eleven count", []uint32{100, 100, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6},
		{"duplicates", []uint32{7, 7, 7, 1, 1}, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CalcMedianTimePast(tc.ts); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestMTPWindow checks the rolling window against the sort-based median on
// random timestamp sequences with many repeats.
func TestMTPWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		var w mtpWindow
		var all []uint32
		for range 60 {
			ts := uint32(r.IntN(20))
			w.push(ts)
			all = append(all, ts)
			if got, want := w.median(), CalcMedianTimePast(all); got != want {
				t.Fatalf("after %v: window %d, want %d", all, got, want)
			}
		}
	}
}

func TestCheckHeaderTime(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		name    string
		ts, mtp uint32
		want    error
	}{
		{"after mtp", 501, 500, nil},
		{"equal to mtp", 500, 500, ErrTimeTooOld},
		{"before mtp", 499, 500, ErrTimeTooOld},
		{"exactly two hours ahead", 1_000_000 + 7200, 500, nil},
		{"two hours and a second ahead", 1_000_000 + 7201, 500, ErrTimeTooNew},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckHeaderTime(tc.ts, tc.mtp, now); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestMainnetMedianTimePast compares each node's median time past with a
// direct computation over its last eleven timestamps.
func TestMainnetMedianTimePast(t *testing.T) {
	raw := fixtures.Read(t, mainnetHeadersFile)
	c := newTestChain(t, MainNetParams(), HeaderChainConfig{})
	if _, err := c.AddRawHeaders(raw); err != nil {
		t.Fatal(err)
	}
	ts := make([]uint32, 0, 40000)
	for i := range 40000 {
		ts = append(ts, hdrAt(raw, i).Timestamp)
		if got, want := c.NodeAtHeight(int32(i)).MedianTimePast(), CalcMedianTimePast(ts[max(0, i-10):]); got != want {
			t.Fatalf("height %d: mtp %d, want %d", i, got, want)
		}
	}
}
