package originsig

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

func testSigners(t testing.TB) map[string]Signer {
	t.Helper()
	sk, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ek, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewCertSigner(pk)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewCertSigner(ek)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Signer{"secp256k1": NewSecp256k1Signer(sk), "P-256": p, "Ed25519": e}
}

func TestSignVerify(t *testing.T) {
	digest := [32]byte{1, 2, 3}
	other := [32]byte{4, 5, 6}
	wantSize := map[string]int{"secp256k1": Secp256k1Size, "P-256": P256Size, "Ed25519": Ed25519Size}
	for name, s := range testSigners(t) {
		t.Run(name, func(t *testing.T) {
			sig, err := s.Sign(digest)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != wantSize[name] || len(sig) > MaxSize {
				t.Fatalf("signature of %d bytes, want %d", len(sig), wantSize[name])
			}
			if err := Verify(s.ID(), digest, sig); err != nil {
				t.Fatalf("valid signature refused: %v", err)
			}
			if err := Verify(s.ID(), other, sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("other digest: err %v, want ErrBadSignature", err)
			}
			wrong := s.ID()
			wrong[0] ^= 1
			if err := Verify(wrong, digest, sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("wrong origin: err %v, want ErrBadSignature", err)
			}
			for i := range sig {
				bad := append([]byte(nil), sig...)
				bad[i] ^= 0x40
				if err := Verify(s.ID(), digest, bad); err == nil {
					t.Fatalf("byte %d flipped: accepted", i)
				} else if !errors.Is(err, ErrBadSignature) {
					t.Fatalf("byte %d flipped: err %v does not wrap ErrBadSignature", i, err)
				}
			}
			if err := Verify(s.ID(), digest, sig[:len(sig)-1]); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("truncated: err %v", err)
			}
			if err := Verify(s.ID(), digest, append(sig, 0)); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("extended: err %v", err)
			}
		})
	}
}

func TestVerifyBad(t *testing.T) {
	var id enode.ID
	tests := []struct {
		name string
		sig  []byte
		want error
	}{
		{"empty", nil, ErrBadSignature},
		{"unknown scheme", []byte{9, 1, 2}, ErrUnknownScheme},
		{"zero scheme", make([]byte, Secp256k1Size), ErrUnknownScheme},
		{"secp256k1 zeros", append([]byte{1}, make([]byte, 65)...), ErrBadSignature},
		{"secp256k1 recid 2", append(append([]byte{1}, make([]byte, 64)...), 2), ErrBadSignature},
		{"P-256 not on curve", append([]byte{2}, make([]byte, 128)...), ErrBadSignature},
		{"Ed25519 zeros", append([]byte{3}, make([]byte, 96)...), ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(id, [32]byte{}, tt.sig); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
}

func TestUnsupportedKey(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCertSigner(k); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("P-384: err %v, want ErrUnsupportedKey", err)
	}
}

func FuzzVerify(f *testing.F) {
	digest := [32]byte{7}
	signers := testSigners(f)
	for _, s := range signers {
		sig, err := s.Sign(digest)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.ID().Bytes(), sig)
	}
	f.Add(make([]byte, 32), []byte{1})
	f.Fuzz(func(t *testing.T, origin, sig []byte) {
		var id enode.ID
		copy(id[:], origin)
		if err := Verify(id, digest, sig); err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("error %v does not wrap ErrBadSignature", err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	digest := [32]byte{7}
	for name, s := range testSigners(b) {
		sig, _ := s.Sign(digest)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := Verify(s.ID(), digest, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	digest := [32]byte{7}
	for name, s := range testSigners(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Sign(digest); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	s := testSigners(t)["secp256k1"]
	d := [32]byte{9}
	sig, _ := s.Sign(d)
	if err := Require.Check(s.ID(), d, nil); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("Require, unsigned: %v", err)
	}
	if err := Optional.Check(s.ID(), d, nil); err != nil {
		t.Fatalf("Optional, unsigned: %v", err)
	}
	for _, p := range []Policy{Require, Optional} {
		if err := p.Check(s.ID(), d, sig); err != nil {
			t.Fatalf("%v, signed: %v", p, err)
		}
		if err := p.Check(s.ID(), [32]byte{}, sig); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%v, bad signature: %v", p, err)
		}
	}
}
