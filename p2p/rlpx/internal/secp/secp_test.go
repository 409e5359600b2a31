package secp

import (
	"bytes"
	"crypto/rand"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

func feBig(z *fe) *big.Int {
	b := z.bytes()
	return new(big.Int).SetBytes(b[:])
}

// feRaw loads the low 256 bits of v without reducing, so that tests reach
// the weakly reduced values in [p, 2^256).
func feRaw(v *big.Int) fe {
	var b [32]byte
	new(big.Int).And(v, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))).FillBytes(b[:])
	var z fe
	z.setBytes(&b)
	return z
}

func interestingFieldValues(rng *mrand.Rand) []*big.Int {
	one := big.NewInt(1)
	two256 := new(big.Int).Lsh(one, 256)
	vals := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(feC), big.NewInt(feC - 1),
		new(big.Int).Sub(pBig, one), new(big.Int).Set(pBig), new(big.Int).Add(pBig, one),
		new(big.Int).Sub(two256, one), new(big.Int).Sub(two256, big.NewInt(feC)),
		new(big.Int).Lsh(one, 255), new(big.Int).Lsh(one, 128), new(big.Int).Lsh(one, 64),
	}
	for range 300 {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		// Also mostly-0xff and mostly-zero patterns, which stress carries.
		switch rng.IntN(3) {
		case 1:
			for i := 0; i < 28; i++ {
				b[i] = 0xff
			}
		case 2:
			for i := 0; i < 28; i++ {
				b[i] = 0
			}
		}
		vals = append(vals, new(big.Int).SetBytes(b[:]))
	}
	return vals
}

func TestFieldArithmetic(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(7, 9))
	vals := interestingFieldValues(rng)
	mod := func(v *big.Int) *big.Int { return v.Mod(v, pBig) }
	for i, av := range vals {
		for j := 0; j < len(vals); j += 1 + i%7 {
			bv := vals[j]
			a, b := feRaw(av), feRaw(bv)
			var z fe
			z.mul(&a, &b)
			if want := mod(new(big.Int).Mul(av, bv)); feBig(&z).Cmp(want) != 0 {
				t.Fatalf("mul(%x, %x) = %x, want %x", av, bv, feBig(&z), want)
			}
			z.add(&a, &b)
			if want := mod(new(big.Int).Add(av, bv)); feBig(&z).Cmp(want) != 0 {
				t.Fatalf("add(%x, %x) = %x, want %x", av, bv, feBig(&z), want)
			}
			z.sub(&a, &b)
			if want := mod(new(big.Int).Sub(av, bv)); feBig(&z).Cmp(want) != 0 {
				t.Fatalf("sub(%x, %x) = %x, want %x", av, bv, feBig(&z), want)
			}
		}
		a := feRaw(av)
		var z fe
		z.sqr(&a)
		if want := mod(new(big.Int).Mul(av, av)); feBig(&z).Cmp(want) != 0 {
			t.Fatalf("sqr(%x) = %x, want %x", av, feBig(&z), want)
		}
		z.inv(&a)
		want := new(big.Int).ModInverse(mod(new(big.Int).Set(av)), pBig)
		if want == nil {
			want = new(big.Int)
		}
		if feBig(&z).Cmp(want) != 0 {
			t.Fatalf("inv(%x) = %x, want %x", av, feBig(&z), want)
		}
		ok := z.sqrt(&a)
		wantOK := big.Jacobi(mod(new(big.Int).Set(av)), pBig) >= 0
		if ok != wantOK {
			t.Fatalf("sqrt(%x) ok=%v, want %v", av, ok, wantOK)
		}
		if ok {
			var chk fe
			chk.sqr(&z)
			if !chk.equal(&a) {
				t.Fatalf("sqrt(%x)^2 != a", av)
			}
		}
	}
}

func TestGLVConstants(t *testing.T) {
	for _, v := range [][2]*big.Int{{glvA1, glvB1}, {glvA2, glvB2}} {
		s := new(big.Int).Mul(v[1], glvLambda)
		s.Add(s, v[0]).Mod(s, curveN)
		if s.Sign() != 0 {
			t.Fatalf("a + b*lambda = %x mod n, want 0", s)
		}
	}
	// beta^3 = 1 and lambda*G = (beta*Gx, Gy).
	var b3 fe
	b3.sqr(&glvBeta)
	b3.mul(&b3, &glvBeta)
	if feBig(&b3).Cmp(big.NewInt(1)) != 0 {
		t.Fatal("beta^3 != 1")
	}
	var lb [32]byte
	glvLambda.FillBytes(lb[:])
	lg := secp256k1.PrivKeyFromBytes(lb[:]).PubKey()
	var bx fe
	bx.mul(&generator.x, &glvBeta)
	wantX := bx.bytes()
	if gotX := lg.X().FillBytes(make([]byte, 32)); !bytes.Equal(gotX, wantX[:]) {
		t.Fatal("lambda*G != (beta*Gx, Gy)")
	}
}

func TestSplitScalar(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(3, 4))
	ks := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(curveN, big.NewInt(1)), glvLambda, halfN}
	for range 1000 {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		ks = append(ks, new(big.Int).Mod(new(big.Int).SetBytes(b[:]), curveN))
	}
	for _, k := range ks {
		k1, k2, n1, n2 := splitScalar(k)
		if k1.BitLen() > 129 || k2.BitLen() > 129 {
			t.Fatalf("split of %x: %d and %d bits", k, k1.BitLen(), k2.BitLen())
		}
		if n1 {
			k1 = new(big.Int).Neg(k1)
		}
		if n2 {
			k2 = new(big.Int).Neg(k2)
		}
		s := new(big.Int).Mul(k2, glvLambda)
		s.Add(s, k1).Sub(s, k).Mod(s, curveN)
		if s.Sign() != 0 {
			t.Fatalf("k1 + k2*lambda != k for %x", k)
		}
		var w wnaf
		w.set(new(big.Int).Abs(k1))
		back := new(big.Int)
		for i := w.n - 1; i >= 0; i-- {
			back.Lsh(back, 1).Add(back, big.NewInt(int64(w.d[i])))
			if d := w.d[i]; d != 0 && (d%2 == 0 || d >= 16 || d <= -16) {
				t.Fatalf("bad digit %d", d)
			}
		}
		if back.Cmp(new(big.Int).Abs(k1)) != 0 {
			t.Fatalf("wnaf does not sum to k1")
		}
	}
}

func scalarKey(k *big.Int) *secp256k1.PrivateKey {
	var b [32]byte
	k.FillBytes(b[:])
	return secp256k1.PrivKeyFromBytes(b[:])
}

func testKeys(rng *mrand.Rand) []*secp256k1.PrivateKey {
	var keys []*secp256k1.PrivateKey
	for _, k := range []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(16), big.NewInt(17),
		new(big.Int).Sub(curveN, big.NewInt(1)), new(big.Int).Sub(curveN, big.NewInt(2)), glvLambda, halfN,
		new(big.Int).Add(halfN, big.NewInt(1)), new(big.Int).Lsh(big.NewInt(1), 128)} {
		keys = append(keys, scalarKey(k))
	}
	for range 100 {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		keys = append(keys, secp256k1.PrivKeyFromBytes(b[:]))
	}
	return keys
}

func TestPubKeyAndECDH(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(5, 6))
	keys := testKeys(rng)
	for i, k := range keys {
		want := k.PubKey()
		if got := PubKey(k); !got.IsEqual(want) {
			t.Fatalf("key %d: PubKey %x, want %x", i, got.SerializeCompressed(), want.SerializeCompressed())
		}
		other := keys[(i*7+3)%len(keys)]
		for _, pub := range []*secp256k1.PublicKey{other.PubKey(), want} {
			got := ECDH(k, pub)
			if want := secp256k1.GenerateSharedSecret(k, pub); !bytes.Equal(got[:], want) {
				t.Fatalf("key %d: ECDH %x, want %x", i, got, want)
			}
		}
	}
}

func TestSignMatchesDecred(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(12, 13))
	for i, k := range testKeys(rng) {
		var hash [32]byte
		for j := range hash {
			hash[j] = byte(rng.Uint32())
		}
		if i == 0 {
			hash = [32]byte{}
		}
		c := ecdsa.SignCompact(k, hash[:], false)
		got := Sign(k, hash[:])
		if !bytes.Equal(got[:64], c[1:]) || got[64] != c[0]-27 {
			t.Fatalf("key %d: signature %x, decred %x", i, got, c)
		}
	}
}

func TestRecover(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(8, 9))
	for i, k := range testKeys(rng) {
		var hash [32]byte
		rand.Read(hash[:])
		if i == 0 {
			hash = [32]byte{} // e = 0
		}
		c := ecdsa.SignCompact(k, hash[:], false)
		var sig [65]byte
		copy(sig[:], c[1:])
		sig[64] = c[0] - 27
		got, err := Recover(&sig, hash[:])
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if !got.IsEqual(k.PubKey()) {
			t.Fatalf("key %d: recovered the wrong key", i)
		}
	}
}

// recoverDecred is the reference: decred's RecoverCompact on r || s || v.
func recoverDecred(sig *[65]byte, hash []byte) (*secp256k1.PublicKey, error) {
	var c [65]byte
	c[0] = 27 + sig[64]
	copy(c[1:], sig[:64])
	pub, _, err := ecdsa.RecoverCompact(c[:], hash)
	return pub, err
}

func checkRecoverAgainstDecred(t *testing.T, sig *[65]byte, hash []byte) {
	if sig[64] > 3 {
		if _, err := Recover(sig, hash); err == nil {
			t.Fatalf("recovery id %d accepted", sig[64])
		}
		return
	}
	want, werr := recoverDecred(sig, hash)
	got, gerr := Recover(sig, hash)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("sig %x: decred err %v, ours %v", sig, werr, gerr)
	}
	if werr == nil && !got.IsEqual(want) {
		t.Fatalf("sig %x: keys differ", sig)
	}
}

func TestRecoverMatchesDecred(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(10, 11))
	n := curveN.Bytes()
	for i := range 300 {
		var sig [65]byte
		for j := range sig {
			sig[j] = byte(rng.Uint32())
		}
		sig[64] %= 4
		switch i % 5 {
		case 1:
			copy(sig[:32], n) // r = n
		case 2:
			copy(sig[32:64], n) // s = n
		case 3:
			for j := 0; j < 31; j++ {
				sig[j] = 0 // tiny r, so r + n < p is possible
			}
			sig[64] |= 2
		}
		checkRecoverAgainstDecred(t, &sig, sig[:32])
	}
}

func FuzzRecover(f *testing.F) {
	var sig [65]byte
	sig[0], sig[40] = 1, 1
	f.Add(sig[:], make([]byte, 32))
	f.Fuzz(func(t *testing.T, s []byte, hash []byte) {
		if len(s) != 65 || len(hash) != 32 {
			return
		}
		checkRecoverAgainstDecred(t, (*[65]byte)(s), hash)
	})
}

func FuzzECDH(f *testing.F) {
	f.Add(make([]byte, 32), make([]byte, 32))
	f.Fuzz(func(t *testing.T, k, other []byte) {
		if len(k) != 32 || len(other) != 32 {
			return
		}
		priv := secp256k1.PrivKeyFromBytes(k)
		if priv.Key.IsZero() {
			return
		}
		o := secp256k1.PrivKeyFromBytes(other)
		if o.Key.IsZero() {
			return
		}
		pub := o.PubKey()
		got := ECDH(priv, pub)
		if want := secp256k1.GenerateSharedSecret(priv, pub); !bytes.Equal(got[:], want) {
			t.Fatalf("ECDH mismatch")
		}
		if !PubKey(priv).IsEqual(priv.PubKey()) {
			t.Fatalf("PubKey mismatch")
		}
	})
}

func BenchmarkECDH(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	o, _ := secp256k1.GeneratePrivateKey()
	pub := o.PubKey()
	benchCPU(b, func() { ECDH(k, pub) })
}

func BenchmarkECDHDecred(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	o, _ := secp256k1.GeneratePrivateKey()
	pub := o.PubKey()
	benchCPU(b, func() { secp256k1.GenerateSharedSecret(k, pub) })
}

func BenchmarkPubKey(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	benchCPU(b, func() { PubKey(k) })
}

func BenchmarkPubKeyDecred(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	benchCPU(b, func() { k.PubKey() })
}

func BenchmarkSign(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	hash := make([]byte, 32)
	benchCPU(b, func() { Sign(k, hash) })
}

func BenchmarkSignDecred(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	hash := make([]byte, 32)
	benchCPU(b, func() { ecdsa.SignCompact(k, hash, false) })
}

func BenchmarkRecover(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	hash := make([]byte, 32)
	c := ecdsa.SignCompact(k, hash, false)
	var sig [65]byte
	copy(sig[:], c[1:])
	sig[64] = c[0] - 27
	benchCPU(b, func() { Recover(&sig, hash) })
}

func BenchmarkRecoverDecred(b *testing.B) {
	k, _ := secp256k1.GeneratePrivateKey()
	hash := make([]byte, 32)
	c := ecdsa.SignCompact(k, hash, false)
	benchCPU(b, func() { ecdsa.RecoverCompact(c, hash) })
}

func BenchmarkFieldMul(b *testing.B) {
	x, y := feFromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"), glvBeta
	benchCPU(b, func() { x.mul(&x, &y) })
}

func BenchmarkFieldSqr(b *testing.B) {
	x := feFromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	benchCPU(b, func() { x.sqr(&x) })
}
