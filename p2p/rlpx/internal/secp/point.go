package secp

// jacobian is a point (X/Z^2, Y/Z^3) on y^2 = x^3 + 7; Z = 0 is the point at
// infinity.
type jacobian struct {
	x, y, z fe
}

func (p *jacobian) isInfinity() bool { return p.z.isZero() }

func (p *jacobian) setInfinity() { *p = jacobian{} }

// toAffine returns the canonical affine coordinates (p must not be infinity).
func (p *jacobian) toAffine() (x, y fe) {
	var zi, zi2, zi3 fe
	zi.inv(&p.z)
	zi2.sqr(&zi)
	zi3.mul(&zi2, &zi)
	x.mul(&p.x, &zi2)
	y.mul(&p.y, &zi3)
	x.normalize()
	y.normalize()
	return x, y
}

// double sets r = 2p. r may alias p. With a = 0:
//
//	S = 4XY^2, M = 3X^2, X3 = M^2 - 2S, Y3 = M(S - X3) - 8Y^4, Z3 = 2YZ
//
// (3M + 4S and a few small multiples: fewer additions than dbl-2009-l, which
// pays off because additions here cost about half a multiplication).
func (r *jacobian) double(p *jacobian) {
	if p.isInfinity() {
		r.setInfinity()
		return
	}
	var y2, s, m, t fe
	y2.sqr(&p.y)
	s.mul(&p.x, &y2)
	s.mulInt(&s, 4)
	m.sqr(&p.x)
	m.mulInt(&m, 3)
	r.z.mul(&p.y, &p.z)
	r.z.add(&r.z, &r.z)
	// x3 = m^2 - 2s
	t.sqr(&m)
	t.sub(&t, &s)
	t.sub(&t, &s)
	r.x = t
	// y3 = m(s - x3) - 8y^4
	s.sub(&s, &t)
	s.mul(&m, &s)
	y2.sqr(&y2)
	y2.mulInt(&y2, 8)
	r.y.sub(&s, &y2)
}

// add sets r = p + q, handling infinity and p = ±q. r may alias p or q.
//
//	U1 = X1 Z2^2, U2 = X2 Z1^2, S1 = Y1 Z2^3, S2 = Y2 Z1^3, H = U2 - U1,
//	R = S2 - S1, X3 = R^2 - H^3 - 2 U1 H^2, Y3 = R (U1 H^2 - X3) - S1 H^3,
//	Z3 = Z1 Z2 H
func (r *jacobian) add(p, q *jacobian) {
	if p.isInfinity() {
		*r = *q
		return
	}
	if q.isInfinity() {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, rr, h2, h3, x3 fe
	z1z1.sqr(&p.z)
	z2z2.sqr(&q.z)
	u1.mul(&p.x, &z2z2)
	u2.mul(&q.x, &z1z1)
	s1.mul(&p.y, &q.z)
	s1.mul(&s1, &z2z2)
	s2.mul(&q.y, &p.z)
	s2.mul(&s2, &z1z1)
	h.sub(&u2, &u1)
	rr.sub(&s2, &s1)
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
	u1.mul(&u1, &h2) // U1 H^2
	r.z.mul(&p.z, &q.z)
	r.z.mul(&r.z, &h)
	x3.sqr(&rr)
	x3.sub(&x3, &h3)
	x3.sub(&x3, &u1)
	x3.sub(&x3, &u1)
	u1.sub(&u1, &x3)
	u1.mul(&rr, &u1)
	s1.mul(&s1, &h3)
	r.y.sub(&u1, &s1)
	r.x = x3
}

// neg sets r = -p.
func (r *jacobian) neg(p *jacobian) {
	r.x = p.x
	r.y.neg(&p.y)
	r.z = p.z
}
