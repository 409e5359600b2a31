package chain

import (
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// TestNextWorkVectors runs Bitcoin Core's CalculateNextWorkRequired and
// PermittedDifficultyTransition cases from pow_tests.cpp.
func TestNextWorkVectors(t *testing.T) {
	v := loadPowVectors(t)
	p := MainNetParams()
	if v.Params.Interval != p.RetargetInterval || v.Params.Timespan != int64(p.TargetTimespan/time.Second) ||
		v.Params.Spacing != int64(p.TargetSpacing/time.Second) || parseBits(t, v.Params.PowLimitBits) != p.PowLimitBits {
		t.Fatal("vector params differ from mainnet's")
	}
	for _, c := range v.NextWork {
		t.Run(c.Name, func(t *testing.T) {
			if c.LastHeight-c.FirstHeight != p.RetargetInterval-1 {
				t.Fatalf("vector spans %d blocks: the retarget measures interval-1 gaps", c.LastHeight-c.FirstHeight)
			}
			want := parseBits(t, c.ExpectedBits)
			got := CalcNextWorkRequired(p, parseBits(t, c.LastBits), c.FirstTime, c.LastTime)
			if got != want {
				t.Fatalf("CalcNextWorkRequired = %08x, want %08x", got, want)
			}
			height := c.LastHeight + 1
			if ok := PermittedDifficultyTransition(p, height, parseBits(t, c.LastBits), want); ok != c.ExpectedPermitted {
				t.Fatalf("PermittedDifficultyTransition(expected) = %v", ok)
			}
			if c.InvalidBits != "" {
				if ok := PermittedDifficultyTransition(p, height, parseBits(t, c.LastBits), parseBits(t, c.InvalidBits)); ok != c.InvalidBitsPermitted {
					t.Fatalf("PermittedDifficultyTransition(invalid %s) = %v", c.InvalidBits, ok)
				}
			}
		})
	}
}

func TestPermittedDifficultyTransition(t *testing.T) {
	main := MainNetParams()
	tests := []struct {
		name     string
		p        *Params
		height   int32
		old, new uint32
		want     bool
	}{
		{"same bits mid-period", main, 1000, 0x1c05a3f4, 0x1c05a3f4, true},
		{"changed bits mid-period", main, 1000, 0x1c05a3f4, 0x1c05a3f5, false},
		{"retarget to the same", main, 2016, 0x1c05a3f4, 0x1c05a3f4, true},
		{"retarget just inside ×4 easier", main, 2016, 0x1c05a3f4, 0x1c168fd0, true},
		{"retarget beyond ×4 easier", main, 2016, 0x1c05a3f4, 0x1c168fd1, false},
		{"retarget capped at limit", main, 2016, 0x1d00ffff, 0x1d00ffff, true},
		{"testnet permits anything", TestNet3Params(), 1000, 0x1c05a3f4, 0x1d00ffff, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PermittedDifficultyTransition(tc.p, tc.height, tc.old, tc.new); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCalcNextWorkRequiredClamp(t *testing.T) {
	p := MainNetParams()
	span := int64(p.TargetTimespan / time.Second)
	bits := uint32(0x1c05a3f4)
	tests := []struct {
		name   string
		actual int64
		same   int64 // the actual timespan that must give the same result
	}{
		{"exact", span, span},
		{"too fast clamps to a quarter", span / 10, span / 4},
		{"too slow clamps to four times", span * 10, span * 4},
		{"negative timespan clamps", -span, span / 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CalcNextWorkRequired(p, bits, 1_000_000, 1_000_000+tc.actual)
			want := CalcNextWorkRequired(p, bits, 1_000_000, 1_000_000+tc.same)
			if got != want {
				t.Fatalf("%08x != %08x", got, want)
			}
		})
	}
	if CalcNextWorkRequired(p, bits, 0, span) != bits {
		t.Fatal("exact timespan must keep the bits")
	}
	if got := CalcNextWorkRequired(RegTestParams(), 0x207fffff, 0, 1); got != 0x207fffff {
		t.Fatalf("regtest retargeted to %08x", got)
	}
}

// TestTestnet3Retargets checks the four testnet3 retargets of the fixture,
// through the index (the period's first block is found from the parent).
func TestTestnet3Retargets(t *testing.T) {
	var exp testnet3Expectations
	hdrJSON(t, testnet3Expect, &exp)
	raw := fixtures.Read(t, testnet3HeadersFile)
	c := newTestChain(t, TestNet3Params(), HeaderChainConfig{})
	if n, err := c.AddRawHeaders(raw); err != nil {
		t.Fatalf("after %d: %v", n, err)
	}
	if len(exp.Retargets) != 4 {
		t.Fatalf("%d retargets in the expectations", len(exp.Retargets))
	}
	for _, r := range exp.Retargets {
		parent := c.NodeAtHeight(r.Height - 1)
		first := c.NodeAtHeight(r.Height - 2016)
		if int64(first.timestamp) != r.FirstTime || int64(parent.timestamp) != r.LastTime || parent.bits != parseBits(t, r.LastBits) {
			t.Fatalf("height %d: fixture and expectations disagree", r.Height)
		}
		node := c.NodeAtHeight(r.Height)
		bits, ok := c.NextWorkRequired(parent, node.timestamp)
		if want := parseBits(t, r.ExpectedBits); !ok || bits != want || node.bits != want {
			t.Fatalf("height %d: next work %08x (ok=%v), header %08x, want %08x", r.Height, bits, ok, node.bits, want)
		}
	}
}
