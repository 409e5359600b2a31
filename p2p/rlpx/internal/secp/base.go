package secp

import (
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Fixed-base multiplication k*G by table lookup: baseTable()[i][j-1] is
// j * 256^i * G in affine coordinates, so k*G is the sum of one entry per
// byte of k, 32 mixed additions and no doublings. The 522 KB table is built
// on first use (a few milliseconds) and only read afterwards.

type affine struct{ x, y fe }

var baseTable = sync.OnceValue(func() *[32][255]affine {
	var jac [32][255]jacobian
	base := generator
	for i := range 32 {
		jac[i][0] = base
		for j := 1; j < 255; j++ {
			jac[i][j].add(&jac[i][j-1], &base)
		}
		for range 8 {
			base.double(&base)
		}
	}
	// Normalise all to affine with one inversion (Montgomery's trick).
	flat := jac[:]
	n := 32 * 255
	prefix := make([]fe, n)
	at := func(k int) *jacobian { return &flat[k/255][k%255] }
	acc := fe{1}
	for k := 0; k < n; k++ {
		prefix[k] = acc
		acc.mul(&acc, &at(k).z)
	}
	var inv fe
	inv.inv(&acc)
	t := new([32][255]affine)
	for k := n - 1; k >= 0; k-- {
		p := at(k)
		var zi, zi2, zi3 fe
		zi.mul(&inv, &prefix[k]) // 1/z_k
		inv.mul(&inv, &p.z)
		zi2.sqr(&zi)
		zi3.mul(&zi2, &zi)
		a := &t[k/255][k%255]
		a.x.mul(&p.x, &zi2)
		a.y.mul(&p.y, &zi3)
		a.x.normalize()
		a.y.normalize()
	}
	return t
})

// addAffine sets r = p + q for an affine q, handling infinity and p = ±q.
// r may alias p. Same formulas as add with Z2 = 1: 8M + 3S.
func (r *jacobian) addAffine(p *jacobian, q *affine) {
	if p.isInfinity() {
		*r = jacobian{x: q.x, y: q.y, z: fe{1}}
		return
	}
	var z1z1, u2, s2, h, rr, h2, h3, u1h2, x3 fe
	z1z1.sqr(&p.z)
	u2.mul(&q.x, &z1z1)
	s2.mul(&q.y, &p.z)
	s2.mul(&s2, &z1z1)
	h.sub(&u2, &p.x)
	rr.sub(&s2, &p.y)
	if h.isZero() {
		if rr.isZero() {
			r.double(p)
		} else {
			r.setInfinity()
		}
		return
	}
	h2.sqr(&h)
	h3.mul(&h2, &h)
	u1h2.mul(&p.x, &h2)
	r.z.mul(&p.z, &h)
	x3.sqr(&rr)
	x3.sub(&x3, &h3)
	x3.sub(&x3, &u1h2)
	x3.sub(&x3, &u1h2)
	u1h2.sub(&u1h2, &x3)
	u1h2.mul(&rr, &u1h2)
	h3.mul(&p.y, &h3)
	r.y.sub(&u1h2, &h3)
	r.x = x3
}

// baseMul returns k*G.
func baseMul(k *secp256k1.ModNScalar) jacobian {
	t := baseTable()
	b := k.Bytes() // big-endian: b[31] is the least significant byte
	var q jacobian
	for i := range 32 {
		if v := b[31-i]; v != 0 {
			q.addAffine(&q, &t[i][v-1])
		}
	}
	return q
}

// Sign signs the 32-byte hash with priv exactly as decred's
// ecdsa.SignCompact does (RFC 6979 nonce, low S), and returns r || s || v
// with v the recovery id.
func Sign(priv *secp256k1.PrivateKey, hash []byte) (sig [65]byte) {
	var d [32]byte
	priv.Key.PutBytes(&d)
	defer clear(d[:])
	var e secp256k1.ModNScalar
	e.SetByteSlice(hash)
	for iteration := uint32(0); ; iteration++ {
		k := secp256k1.NonceRFC6979(d[:], hash, nil, nil, iteration)
		R := baseMul(k)
		if R.isInfinity() {
			continue
		}
		x, y := R.toAffine()
		xb := x.bytes()
		var r secp256k1.ModNScalar
		overflow := r.SetBytes(&xb)
		if r.IsZero() {
			continue
		}
		recID := byte(overflow<<1) | byte(y[0]&1)
		kinv := new(secp256k1.ModNScalar).InverseValNonConst(k)
		s := new(secp256k1.ModNScalar).Mul2(&priv.Key, &r).Add(&e).Mul(kinv)
		k.Zero()
		if s.IsZero() {
			continue
		}
		if s.IsOverHalfOrder() {
			s.Negate()
			recID ^= 1
		}
		r.PutBytesUnchecked(sig[:32])
		s.PutBytesUnchecked(sig[32:64])
		sig[64] = recID
		return sig
	}
}
