package chain

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

// powVectors is btc/pow_vectors.json.
type powVectors struct {
	Params struct {
		PowLimitHex  string `json:"pow_limit_hex"`
		PowLimitBits string `json:"pow_limit_bits"`
		Timespan     int64  `json:"target_timespan_seconds"`
		Spacing      int64  `json:"target_spacing_seconds"`
		Interval     int32  `json:"interval"`
	} `json:"params"`
	NextWork []struct {
		Name                 string `json:"name"`
		FirstHeight          int32  `json:"first_block_height"`
		FirstTime            int64  `json:"first_block_time"`
		LastHeight           int32  `json:"last_block_height"`
		LastTime             int64  `json:"last_block_time"`
		LastBits             string `json:"last_block_bits"`
		ExpectedBits         string `json:"expected_bits"`
		ExpectedPermitted    bool   `json:"expected_bits_permitted"`
		InvalidBits          string `json:"invalid_bits"`
		InvalidBitsPermitted bool   `json:"invalid_bits_permitted"`
		RealChainData        bool   `json:"real_chain_data"`
	} `json:"calculate_next_work_required"`
	PoW []struct {
		Name    string `json:"name"`
		Bits    string `json:"bits"`
		HashHex string `json:"hash_hex"`
		Valid   bool   `json:"expected_valid"`
		Why     string `json:"why"`
	} `json:"check_proof_of_work"`
	Compact []struct {
		Compact       *string `json:"compact"`
		FromTargetHex *string `json:"from_target_hex"`
		TargetHex     *string `json:"target_hex"`
		Negative      bool    `json:"negative"`
		Overflow      bool    `json:"overflow"`
		Reencoded     *string `json:"reencoded_compact"`
		ReencodeNeg   bool    `json:"reencode_with_negative_flag"`
	} `json:"compact_encoding"`
	Work []struct {
		Bits          string `json:"bits"`
		BlockProofHex string `json:"block_proof_hex"`
		Height        int32  `json:"height"`
		ChainworkHex  string `json:"chainwork_hex"`
	} `json:"work"`
}

func loadPowVectors(t testing.TB) *powVectors {
	t.Helper()
	var v powVectors
	hdrJSON(t, "btc/pow_vectors.json", &v)
	if len(v.NextWork) == 0 || len(v.PoW) == 0 || len(v.Compact) == 0 || len(v.Work) == 0 {
		t.Fatal("pow_vectors.json: a section is empty")
	}
	return &v
}

func parseBits(t testing.TB, s string) uint32 {
	t.Helper()
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		t.Fatalf("bits %q: %v", s, err)
	}
	return uint32(v)
}

func parseBig(t testing.TB, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("hex %q", s)
	}
	return n
}

func TestCompactVectors(t *testing.T) {
	v := loadPowVectors(t)
	for _, c := range v.Compact {
		if c.Compact == nil {
			// GetCompact only: from a target.
			t.Run("from_"+*c.FromTargetHex, func(t *testing.T) {
				got := BigToCompact(parseBig(t, *c.FromTargetHex))
				if want := parseBits(t, *c.Reencoded); got != want {
					t.Fatalf("BigToCompact = %08x, want %08x", got, want)
				}
				if got := Uint256FromBig(parseBig(t, *c.FromTargetHex)).Compact(); got != parseBits(t, *c.Reencoded) {
					t.Fatalf("Uint256.Compact = %08x", got)
				}
			})
			continue
		}
		t.Run(*c.Compact, func(t *testing.T) {
			bits := parseBits(t, *c.Compact)
			target, neg, over := CompactToBig(bits)
			if neg != c.Negative || over != c.Overflow {
				t.Fatalf("negative=%v overflow=%v, want %v %v", neg, over, c.Negative, c.Overflow)
			}
			if c.TargetHex == nil {
				if !over {
					t.Fatal("vector without a target must overflow")
				}
				return
			}
			if want := parseBig(t, *c.TargetHex); target.Cmp(want) != 0 {
				t.Fatalf("target %x, want %x", target, want)
			}
			// Re-encode, with the sign when the vector says so.
			n := new(big.Int).Set(target)
			if c.ReencodeNeg {
				n.Neg(n)
			}
			if got, want := BigToCompact(n), parseBits(t, *c.Reencoded); got != want {
				t.Fatalf("BigToCompact = %08x, want %08x", got, want)
			}
			u, neg2, over2 := CompactToUint256(bits)
			if u.Big().Cmp(target) != 0 || neg2 != neg || over2 != over {
				t.Fatal("Uint256 and big.Int decoders disagree")
			}
		})
	}
}

func TestCheckProofOfWorkVectors(t *testing.T) {
	v := loadPowVectors(t)
	limit := parseBig(t, v.Params.PowLimitHex)
	if limit.Cmp(MainNetParams().PowLimit) != 0 {
		t.Fatal("vector pow limit differs from mainnet's")
	}
	for _, c := range v.PoW {
		t.Run(c.Name, func(t *testing.T) {
			hash, err := wire.NewHashFromStr(c.HashHex)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckProofOfWork(hash, parseBits(t, c.Bits), limit)
			if (err == nil) != c.Valid {
				t.Fatalf("err = %v, want valid=%v (%s)", err, c.Valid, c.Why)
			}
			if err != nil && !errors.Is(err, ErrHighHash) {
				t.Fatalf("%v does not match ErrHighHash", err)
			}
		})
	}
}

// TestCheckProofOfWorkErrors pins which error each bad target gives.
func TestCheckProofOfWorkErrors(t *testing.T) {
	limit := MainNetParams().PowLimit
	one := wire.Hash{1}
	tests := []struct {
		name string
		bits uint32
		hash wire.Hash
		want error
	}{
		{"negative", 0x1d80ffff, one, ErrNegativeTarget},
		{"overflow", 0xff7fffff, one, ErrTargetOverflow},
		{"zero", 0x00000000, wire.Hash{}, ErrZeroTarget},
		{"zero mantissa", 0x1d000000, wire.Hash{}, ErrZeroTarget},
		{"above limit", 0x1d01ffff, one, ErrTargetAboveLimit},
		{"high hash", 0x1d00ffff, wire.Hash{31: 1}, ErrHighHash},
		{"ok", 0x1d00ffff, one, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckProofOfWork(tc.hash, tc.bits, limit)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCalcWorkVectors(t *testing.T) {
	v := loadPowVectors(t)
	for _, w := range v.Work {
		if w.Bits == "" {
			continue
		}
		got := CalcWork(parseBits(t, w.Bits))
		if want := parseBig(t, w.BlockProofHex); got.Cmp(want) != 0 {
			t.Fatalf("CalcWork(%s) = %x, want %x", w.Bits, got, want)
		}
		if calcWork256(parseBits(t, w.Bits)).Big().Cmp(got) != 0 {
			t.Fatal("calcWork256 differs")
		}
	}
	for _, bits := range []uint32{0, 0x1d80ffff, 0xff7fffff, 0x01003456} {
		if CalcWork(bits).Sign() != 0 {
			t.Errorf("CalcWork(%08x) should be zero", bits)
		}
	}
}

// refSetCompact is a second, direct reading of Core's SetCompact with
// big.Int, to cross-check the Uint256 decoder.
func refSetCompact(c uint32) (n *big.Int, negative, overflow bool) {
	size := c >> 24
	word := int64(c & 0x007fffff)
	if size <= 3 {
		word >>= 8 * (3 - size)
		n = big.NewInt(word)
	} else {
		n = new(big.Int).Lsh(big.NewInt(word), uint(8*(size-3)))
	}
	n.And(n, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)))
	negative = word != 0 && c&0x00800000 != 0
	overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
	return n, negative, overflow
}

func checkCompactAgainstRef(t *testing.T, c uint32) {
	u, neg, over := CompactToUint256(c)
	r, rneg, rover := refSetCompact(c)
	if u.Big().Cmp(r) != 0 || neg != rneg || over != rover {
		t.Fatalf("%08x: got %x %v %v, want %x %v %v", c, u.Big(), neg, over, r, rneg, rover)
	}
	if !neg && !over {
		// Re-encoding is canonical: decoding it gives the same value.
		back, _, _ := CompactToUint256(u.Compact())
		if back != u {
			t.Fatalf("%08x: compact %08x decodes to %x", c, u.Compact(), back.Big())
		}
	}
}

func TestCompactMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		checkCompactAgainstRef(t, r.Uint32())
	}
	for size := range uint32(40) {
		for _, m := range []uint32{0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffff, 0x800000, 0xffffff} {
			checkCompactAgainstRef(t, size<<24|m)
		}
	}
}

func FuzzCompact(f *testing.F) {
	for _, s := range []uint32{0, 0x01123456, 0x01fedcba, 0x04923456, 0x1d00ffff, 0x207fffff, 0xff123456, 0x22000001} {
		f.Add(s)
	}
	f.Fuzz(checkCompactAgainstRef)
}

func TestUint256Arithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	mod := new(big.Int).Lsh(big.NewInt(1), 256)
	rnd := func() Uint256 {
		var u Uint256
		for i := range u {
			if r.IntN(3) > 0 {
				u[i] = r.Uint64()
			}
		}
		return u
	}
	for range 2000 {
		a, b := rnd(), rnd()
		sum := new(big.Int).Add(a.Big(), b.Big())
		sum.Mod(sum, mod)
		if a.Add(b).Big().Cmp(sum) != 0 {
			t.Fatalf("%x + %x", a.Big(), b.Big())
		}
		if a.Cmp(b) != a.Big().Cmp(b.Big()) {
			t.Fatalf("Cmp %x %x", a.Big(), b.Big())
		}
		if Uint256FromBig(a.Big()) != a {
			t.Fatal("Uint256FromBig round trip")
		}
		if a.BitLen() != a.Big().BitLen() {
			t.Fatal("BitLen")
		}
		h := wire.Hash{}
		copy(h[:], reverse(a.Big().FillBytes(make([]byte, 32))))
		if HashToUint256(&h) != a {
			t.Fatal("HashToUint256")
		}
		if hashAboveTarget(&h, &b) != (a.Cmp(b) > 0) {
			t.Fatal("hashAboveTarget")
		}
	}
	if (Uint256{}).Hex() != "0" || (Uint256{0x1_0001_0001}).Hex() != "100010001" {
		t.Fatal("Hex")
	}
	if s := fmt.Sprint(Uint256{255}); s != "ff" {
		t.Fatalf("String = %q", s)
	}
}

func reverse(b []byte) []byte {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}
