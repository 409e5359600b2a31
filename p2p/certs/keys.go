package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"golang.org/x/crypto/sha3"
)

// KeyType names a key algorithm. The zero value means P256.
type KeyType string

// Supported key types.
const (
	P256    KeyType = "p256"
	Ed25519 KeyType = "ed25519"
)

func (k KeyType) orDefault() KeyType {
	if k == "" {
		return P256
	}
	return k
}

func generateKey(k KeyType) (crypto.Signer, error) {
	switch k.orDefault() {
	case P256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	default:
		return nil, fmt.Errorf("certs: key type %q: %w (want p256 or ed25519)", string(k), ErrUnsupportedKey)
	}
}

// KeyTypeOf returns the type of a public key, or ErrUnsupportedKey for
// anything but a P-256 ECDSA or an Ed25519 key.
func KeyTypeOf(pub crypto.PublicKey) (KeyType, error) {
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		if pub.Curve == elliptic.P256() {
			return P256, nil
		}
		return "", fmt.Errorf("certs: ECDSA curve %s: %w", pub.Curve.Params().Name, ErrUnsupportedKey)
	case ed25519.PublicKey:
		return Ed25519, nil
	default:
		return "", fmt.Errorf("certs: public key %T: %w", pub, ErrUnsupportedKey)
	}
}

// NodeID returns the node ID of a certificate key, as an enode.ID: legacy
// Keccak-256 of the raw key, X‖Y (64 bytes, no 0x04 prefix) for P-256 as devp2p does for
// secp256k1, the 32 key bytes for Ed25519.
func NodeID(pub crypto.PublicKey) (enode.ID, error) {
	var id enode.ID
	var raw []byte
	switch kt, err := KeyTypeOf(pub); {
	case err != nil:
		return id, err
	case kt == P256:
		b, err := pub.(*ecdsa.PublicKey).Bytes()
		if err != nil {
			return id, fmt.Errorf("certs: P-256 key: %w: %w", ErrUnsupportedKey, err)
		}
		raw = b[1:] // drop the 0x04 uncompressed-point prefix
	default:
		raw = pub.(ed25519.PublicKey)
		if len(raw) != ed25519.PublicKeySize {
			return id, fmt.Errorf("certs: Ed25519 key of %d bytes: %w", len(raw), ErrUnsupportedKey)
		}
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(raw)
	h.Sum(id[:0])
	return id, nil
}
