package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The vectors were computed with an independent Keccak-256 over the raw key
// bytes: for P-256 the coordinates of the generator (the public key of d=1),
// for Ed25519 the public key of RFC 8032 test 1.
func TestNodeIDVectors(t *testing.T) {
	gen, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), mustHex(t, "04"+
		"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"+
		"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pub  crypto.PublicKey
		want string
	}{
		{"p256 generator", gen,
			"a000ddb94882f9f9cd0a859ed3a9f047ad43d7e2e4e7e491f1fe2e657a2651b6"},
		{"ed25519 rfc8032 test1", ed25519.PublicKey(mustHex(t, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")),
			"9ee7c09b8464028b2cd406f7f7cc70adc63659b5d37671dc2b588db32446684a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := NodeID(tt.pub)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(id[:]); got != tt.want {
				t.Errorf("NodeID = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNodeIDUnsupported(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pub  crypto.PublicKey
	}{
		{"p384", &p384.PublicKey},
		{"rsa", &rsaKey.PublicKey},
		{"short ed25519", ed25519.PublicKey(make([]byte, 31))},
		{"nil", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NodeID(tt.pub); !errors.Is(err, ErrUnsupportedKey) {
				t.Errorf("NodeID err = %v, want ErrUnsupportedKey", err)
			}
		})
	}
}

func TestKeyTypes(t *testing.T) {
	tests := []struct {
		in, want KeyType
	}{{"", P256}, {P256, P256}, {Ed25519, Ed25519}}
	for _, tt := range tests {
		t.Run(string(tt.want)+"/"+string(tt.in), func(t *testing.T) {
			k, err := generateKey(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := KeyTypeOf(k.Public())
			if err != nil || got != tt.want {
				t.Errorf("KeyTypeOf = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := generateKey("secp256k1"); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("generateKey(secp256k1) err = %v, want ErrUnsupportedKey", err)
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("connection reset"), "other"},
		{ErrUnknownCA, "unknown CA"},
		{ErrRevoked, "revoked"},
		{ErrExpired, "expired"},
		{ErrUnexpectedID, "unexpected node ID"},
		{ErrNoCertificate, "no certificate"},
		{ErrBadKeyUsage, "bad key usage"},
		{ErrOldTLSVersion, "old TLS version"},
	}
	for _, tt := range tests {
		wrapped := tt.err
		if tt.err != nil {
			wrapped = errors.Join(errors.New("context"), tt.err)
		}
		if got := Reason(wrapped); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
