package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/ledgernet/ledgernet/wire"
)

// Proof-of-work failures. CheckProofOfWork wraps one of them; errors.Is finds
// ErrHighHash for every one, because Bitcoin Core gives all of them the same
// reject reason ("high-hash").
var (
	// ErrHighHash means proof of work failed: the hash is above the target
	// its bits claim, or (wrapped by the errors below) the target itself is
	// not allowed.
	ErrHighHash = errors.New("chain: high-hash: proof of work failed")
	// ErrNegativeTarget means the compact bits have the sign bit set.
	ErrNegativeTarget = fmt.Errorf("%w: negative target", ErrHighHash)
	// ErrZeroTarget means the compact bits decode to a target of zero.
	ErrZeroTarget = fmt.Errorf("%w: zero target", ErrHighHash)
	// ErrTargetOverflow means the compact bits decode to more than 256 bits.
	ErrTargetOverflow = fmt.Errorf("%w: target overflows 256 bits", ErrHighHash)
	// ErrTargetAboveLimit means the target is easier than the network's
	// proof-of-work limit.
	ErrTargetAboveLimit = fmt.Errorf("%w: target above the proof-of-work limit", ErrHighHash)
)

// Uint256 is an unsigned 256-bit integer held as four 64-bit limbs, least
// significant first. It exists so that the header hot path (hash against
// target, chain work sums) runs without allocating; big.Int is used where
// exactness matters and speed does not.
type Uint256 [4]uint64

// HashToUint256 reads a hash as Bitcoin compares it with a target: the
// internal byte order is little-endian, so byte 31 is the most significant.
func HashToUint256(h *wire.Hash) Uint256 {
	return Uint256{
		binary.LittleEndian.Uint64(h[0:8]),
		binary.LittleEndian.Uint64(h[8:16]),
		binary.LittleEndian.Uint64(h[16:24]),
		binary.LittleEndian.Uint64(h[24:32]),
	}
}

// Uint256FromBig returns n modulo 2^256 (n's sign is ignored).
func Uint256FromBig(n *big.Int) Uint256 {
	var u Uint256
	words := n.Bits()
	if bits.UintSize == 64 {
		for i := 0; i < len(words) && i < 4; i++ {
			u[i] = uint64(words[i])
		}
		return u
	}
	for i := 0; i < len(words) && i < 8; i++ {
		u[i/2] |= uint64(words[i]) << (32 * (i % 2))
	}
	return u
}

// Big returns u as a new big.Int.
func (u Uint256) Big() *big.Int {
	var b [32]byte
	binary.BigEndian.PutUint64(b[0:8], u[3])
	binary.BigEndian.PutUint64(b[8:16], u[2])
	binary.BigEndian.PutUint64(b[16:24], u[1])
	binary.BigEndian.PutUint64(b[24:32], u[0])
	return new(big.Int).SetBytes(b[:])
}

// IsZero reports whether u is zero.
func (u Uint256) IsZero() bool { return u == Uint256{} }

// Cmp returns -1, 0 or +1 as u is less than, equal to or greater than v.
func (u Uint256) Cmp(v Uint256) int {
	for i := 3; i >= 0; i-- {
		switch {
		case u[i] < v[i]:
			return -1
		case u[i] > v[i]:
			return 1
		}
	}
	return 0
}

// Add returns u+v modulo 2^256. Chain work never wraps in practice: a sum
// near 2^256 would stand for about 2^256 hashes actually performed.
func (u Uint256) Add(v Uint256) Uint256 {
	var c uint64
	u[0], c = bits.Add64(u[0], v[0], 0)
	u[1], c = bits.Add64(u[1], v[1], c)
	u[2], c = bits.Add64(u[2], v[2], c)
	u[3], _ = bits.Add64(u[3], v[3], c)
	return u
}

// BitLen returns the number of significant bits of u.
func (u Uint256) BitLen() int {
	for i := 3; i >= 0; i-- {
		if u[i] != 0 {
			return 64*i + bits.Len64(u[i])
		}
	}
	return 0
}

// Hex returns u as lowercase hexadecimal without leading zeros or a 0x
// prefix ("0" for zero), the way Bitcoin Core prints chainwork without its
// zero padding.
func (u Uint256) Hex() string {
	return u.Big().Text(16)
}

// String returns u.Hex().
func (u Uint256) String() string { return u.Hex() }

// CompactToUint256 decodes compact bits exactly as Bitcoin Core's
// arith_uint256::SetCompact: the top byte is a size in bytes, the low 23 bits
// the mantissa, bit 23 a sign. negative is set when the sign bit is set and
// the mantissa is not zero; overflow when the value does not fit in 256 bits
// (the returned value is then the truncated one Core would hold).
func CompactToUint256(compact uint32) (target Uint256, negative, overflow bool) {
	size := compact >> 24
	word := uint64(compact & 0x007fffff)
	if size <= 3 {
		word >>= 8 * (3 - size)
		target[0] = word
	} else {
		target = shiftLeft(Uint256{word}, 8*(size-3))
	}
	negative = word != 0 && compact&0x00800000 != 0
	overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
	return target, negative, overflow
}

// shiftLeft returns u << n modulo 2^256.
func shiftLeft(u Uint256, n uint32) Uint256 {
	if n >= 256 {
		return Uint256{}
	}
	var r Uint256
	limbs, rem := int(n/64), n%64
	for i := 3; i >= limbs; i-- {
		r[i] = u[i-limbs] << rem
		if rem != 0 && i-limbs-1 >= 0 {
			r[i] |= u[i-limbs-1] >> (64 - rem)
		}
	}
	return r
}

// Compact encodes u as Bitcoin Core's arith_uint256::GetCompact(false): the
// shortest size/mantissa pair, never with the sign bit set in the mantissa.
func (u Uint256) Compact() uint32 {
	return compactFrom(u, false)
}

func compactFrom(u Uint256, negative bool) uint32 {
	size := uint32((u.BitLen() + 7) / 8)
	var c uint64
	if size <= 3 {
		c = u[0] << (8 * (3 - size))
	} else {
		c = shiftRight(u, 8*(size-3))[0]
	}
	// A mantissa with its top bit set would read back as negative: move one
	// byte into the size instead.
	if c&0x00800000 != 0 {
		c >>= 8
		size++
	}
	out := uint32(c) | size<<24
	if negative && out&0x007fffff != 0 {
		out |= 0x00800000
	}
	return out
}

// shiftRight returns u >> n.
func shiftRight(u Uint256, n uint32) Uint256 {
	if n >= 256 {
		return Uint256{}
	}
	var r Uint256
	limbs, rem := int(n/64), n%64
	for i := 0; i+limbs < 4; i++ {
		r[i] = u[i+limbs] >> rem
		if rem != 0 && i+limbs+1 < 4 {
			r[i] |= u[i+limbs+1] << (64 - rem)
		}
	}
	return r
}

// CompactToBig decodes compact bits as Bitcoin Core's SetCompact and returns
// the target's magnitude with the negative and overflow flags. On overflow
// the value is the one Core holds, truncated to 256 bits.
func CompactToBig(compact uint32) (target *big.Int, negative, overflow bool) {
	u, negative, overflow := CompactToUint256(compact)
	return u.Big(), negative, overflow
}

// BigToCompact encodes n as Bitcoin Core's GetCompact, setting the sign bit
// when n is negative (and the mantissa is not zero). Values of 2^256 and
// above are encoded from their low 256 bits, as Core's 256-bit type would
// hold them.
func BigToCompact(n *big.Int) uint32 {
	return compactFrom(Uint256FromBig(n), n.Sign() < 0)
}

// two256 is 2^256, the numerator of the work formula.
var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

// CalcWork returns the expected number of hashes to find a block with the
// given bits, Bitcoin Core's GetBlockProof: 2^256 / (target+1), or zero for
// bits that are negative, overflow, or decode to zero.
func CalcWork(bits uint32) *big.Int {
	target, negative, overflow := CompactToUint256(bits)
	if negative || overflow || target.IsZero() {
		return new(big.Int)
	}
	d := target.Big()
	d.Add(d, big.NewInt(1))
	return d.Quo(two256, d)
}

// calcWork256 is CalcWork as a Uint256. The quotient always fits: target+1
// is at least 2, so the work is at most 2^255.
func calcWork256(bits uint32) Uint256 {
	return Uint256FromBig(CalcWork(bits))
}

// CheckProofOfWork reports whether hash satisfies the target encoded in bits
// and that target is a valid one for a network whose limit is powLimit, as
// Bitcoin Core's CheckProofOfWork. The error wraps ErrNegativeTarget,
// ErrZeroTarget, ErrTargetOverflow, ErrTargetAboveLimit or ErrHighHash
// (all of which match ErrHighHash).
func CheckProofOfWork(hash wire.Hash, bits uint32, powLimit *big.Int) error {
	return checkProofOfWork(&hash, bits, Uint256FromBig(powLimit))
}

func checkProofOfWork(hash *wire.Hash, bits uint32, powLimit Uint256) error {
	target, err := targetFromBits(bits, powLimit)
	if err != nil {
		return err
	}
	if hashAboveTarget(hash, &target) {
		return fmt.Errorf("%w: hash above target", ErrHighHash)
	}
	return nil
}

// targetFromBits decodes bits and checks the range Core requires of a
// block's target: positive, no overflow, not above the limit.
func targetFromBits(bits uint32, powLimit Uint256) (Uint256, error) {
	target, negative, overflow := CompactToUint256(bits)
	switch {
	case negative:
		return target, ErrNegativeTarget
	case overflow:
		return target, ErrTargetOverflow
	case target.IsZero():
		return target, ErrZeroTarget
	case target.Cmp(powLimit) > 0:
		return target, ErrTargetAboveLimit
	}
	return target, nil
}

// hashAboveTarget compares the hash, read as a little-endian 256-bit number,
// with target, most significant limb first: for real headers the answer is
// nearly always decided by the top limb.
func hashAboveTarget(h *wire.Hash, target *Uint256) bool {
	for i := 3; i >= 0; i-- {
		w := binary.LittleEndian.Uint64(h[8*i:])
		if w != target[i] {
			return w > target[i]
		}
	}
	return false
}
