package secp

import (
	"math/big"
	"math/bits"
)

// The GLV endomorphism of secp256k1: lambda*(x, y) = (beta*x, y), so k*P can
// be split into two half-length multiplications k1*P + k2*(lambda*P) that
// share their doublings.

func mustHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("secp: bad constant " + s)
	}
	return v
}

var (
	curveN    = mustHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	halfN     = new(big.Int).Rsh(curveN, 1)
	glvLambda = mustHex("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")
	glvBeta   = feFromHex("7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee")

	// A reduced basis of {(a, b) : a + b*lambda = 0 mod n}: (a1, b1), (a2, b2).
	glvA1    = mustHex("3086d221a7d46bcde86c90e49284eb15")
	glvB1    = new(big.Int).Neg(mustHex("e4437ed6010e88286f547fa90abfe4c3"))
	glvA2    = mustHex("114ca50f7a8e2f3f657c1108d9d44cfd8")
	glvB2    = glvA1
	glvNegB1 = new(big.Int).Neg(glvB1)
)

func feFromHex(s string) fe {
	var b [32]byte
	mustHex(s).FillBytes(b[:])
	var z fe
	z.setBytes(&b)
	return z
}

// splitScalar returns k1, k2 with k = k1 + k2*lambda (mod n) and |k1|, |k2|
// around 2^128, as magnitudes and signs.
func splitScalar(k *big.Int) (k1, k2 *big.Int, neg1, neg2 bool) {
	// c1 = round(b2*k/n), c2 = round(-b1*k/n); both numerators are >= 0.
	c1 := new(big.Int).Mul(glvB2, k)
	c1.Add(c1, halfN).Quo(c1, curveN)
	c2 := new(big.Int).Mul(glvNegB1, k)
	c2.Add(c2, halfN).Quo(c2, curveN)
	// k1 = k - c1*a1 - c2*a2, k2 = -c1*b1 - c2*b2.
	t := new(big.Int)
	k1 = new(big.Int).Sub(k, t.Mul(c1, glvA1))
	k1.Sub(k1, t.Mul(c2, glvA2))
	k2 = new(big.Int).Mul(c1, glvNegB1)
	k2.Sub(k2, t.Mul(c2, glvB2))
	if k1.Sign() < 0 {
		k1.Neg(k1)
		neg1 = true
	}
	if k2.Sign() < 0 {
		k2.Neg(k2)
		neg2 = true
	}
	return k1, k2, neg1, neg2
}

const (
	wnafWindow = 5
	tableSize  = 1 << (wnafWindow - 2) // odd multiples 1P, 3P, ..., 15P
	maxDigits  = 258                   // enough for any k < 2^257
)

// wnaf is the width-5 non-adjacent form of a non-negative integer below
// 2^256: digits are 0 or odd in (-16, 16), least significant first.
type wnaf struct {
	d [maxDigits]int8
	n int
}

func (w *wnaf) set(k *big.Int) {
	var v [5]uint64 // one spare limb for the carry of k + |digit|
	words := k.Bits()
	for i := 0; i < len(words) && i < 4; i++ {
		v[i] = uint64(words[i])
	}
	w.n = 0
	for v[0]|v[1]|v[2]|v[3]|v[4] != 0 && w.n < maxDigits {
		var d int8
		if v[0]&1 == 1 {
			m := int64(v[0] & (1<<wnafWindow - 1))
			if m >= 1<<(wnafWindow-1) {
				m -= 1 << wnafWindow
			}
			d = int8(m)
			var c uint64
			if m > 0 { // v -= m
				v[0], c = bits.Sub64(v[0], uint64(m), 0)
				for i := 1; i < 5; i++ {
					v[i], c = bits.Sub64(v[i], 0, c)
				}
			} else { // v += -m
				v[0], c = bits.Add64(v[0], uint64(-m), 0)
				for i := 1; i < 5; i++ {
					v[i], c = bits.Add64(v[i], 0, c)
				}
			}
		}
		w.d[w.n] = d
		w.n++
		v[0] = v[0]>>1 | v[1]<<63
		v[1] = v[1]>>1 | v[2]<<63
		v[2] = v[2]>>1 | v[3]<<63
		v[3] = v[3]>>1 | v[4]<<63
		v[4] >>= 1
	}
}

// oddMultiples fills t with P, 3P, 5P, ..., 15P.
func oddMultiples(t *[tableSize]jacobian, p *jacobian) {
	var p2 jacobian
	p2.double(p)
	t[0] = *p
	for i := 1; i < tableSize; i++ {
		t[i].add(&t[i-1], &p2)
	}
}

// term is one k*P of a multi-scalar multiplication, split by GLV.
type term struct {
	digits [2]wnaf
	tables [2][tableSize]jacobian
}

func (t *term) set(k *big.Int, p *jacobian) {
	k1, k2, neg1, neg2 := splitScalar(k)
	t.digits[0].set(k1)
	t.digits[1].set(k2)
	oddMultiples(&t.tables[0], p)
	for i := range t.tables[0] {
		e := &t.tables[0][i]
		t.tables[1][i] = jacobian{y: e.y, z: e.z}
		t.tables[1][i].x.mul(&e.x, &glvBeta)
	}
	if neg1 {
		for i := range t.tables[0] {
			t.tables[0][i].y.neg(&t.tables[0][i].y)
		}
	}
	if neg2 {
		for i := range t.tables[1] {
			t.tables[1][i].y.neg(&t.tables[1][i].y)
		}
	}
}

// mulAdd returns the sum of the terms' k*P, sharing the doublings
// (Straus-Shamir). Variable time: the running time depends on the scalars.
func mulAdd(terms []term) jacobian {
	n := 0
	for i := range terms {
		n = max(n, terms[i].digits[0].n, terms[i].digits[1].n)
	}
	var q, neg jacobian
	for i := n - 1; i >= 0; i-- {
		q.double(&q)
		for j := range terms {
			for h := 0; h < 2; h++ {
				w := &terms[j].digits[h]
				if i >= w.n {
					continue
				}
				switch d := w.d[i]; {
				case d > 0:
					q.add(&q, &terms[j].tables[h][d>>1])
				case d < 0:
					neg.neg(&terms[j].tables[h][(-d)>>1])
					q.add(&q, &neg)
				}
			}
		}
	}
	return q
}
