package originsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Scheme is the first byte of a signature.
type Scheme byte

// The signature schemes.
const (
	Secp256k1 Scheme = 1
	P256      Scheme = 2
	Ed25519   Scheme = 3
)

// Sizes of the signatures of each scheme, scheme byte included.
const (
	Secp256k1Size = 1 + 65
	P256Size      = 1 + 64 + 64
	Ed25519Size   = 1 + 32 + 64
	// MaxSize is the largest signature of any scheme; decoders cap the
	// signature field at it.
	MaxSize = P256Size
)

// Errors. Every verification failure wraps ErrBadSignature.
var (
	ErrBadSignature = errors.New("originsig: bad signature")
	// ErrWrongSigner: the signature is valid but made by another node's
	// key than the claimed origin.
	ErrWrongSigner = fmt.Errorf("%w: signer is not the origin", ErrBadSignature)
	// ErrUnknownScheme: the first byte names no scheme.
	ErrUnknownScheme = fmt.Errorf("%w: unknown scheme", ErrBadSignature)
	// ErrUnsupportedKey is returned by NewCertSigner for a key that is
	// neither P-256 nor Ed25519.
	ErrUnsupportedKey = errors.New("originsig: unsupported key")
)

// Signer signs digests on behalf of one node.
type Signer interface {
	// ID is the node ID the signatures prove.
	ID() enode.ID
	// Sign signs a 32-byte digest.
	Sign(digest [32]byte) ([]byte, error)
}

// NewSecp256k1Signer returns a Signer for a devp2p node key.
func NewSecp256k1Signer(key *secp256k1.PrivateKey) Signer {
	return &secpSigner{key: key, id: enode.PubkeyToID(key.PubKey())}
}

type secpSigner struct {
	key *secp256k1.PrivateKey
	id  enode.ID
}

func (s *secpSigner) ID() enode.ID { return s.id }

func (s *secpSigner) Sign(digest [32]byte) ([]byte, error) {
	// SignCompact gives 27+recid ‖ r ‖ s with a low s (RFC 6979 nonce).
	c := secpecdsa.SignCompact(s.key, digest[:], false)
	sig := make([]byte, Secp256k1Size)
	sig[0] = byte(Secp256k1)
	copy(sig[1:], c[1:])
	sig[65] = c[0] - 27
	return sig, nil
}

// NewCertSigner returns a Signer for a permissioned node's certificate key
// (the PrivateKey of certs.LoadNode's tls.Certificate): ECDSA P-256 or
// Ed25519.
func NewCertSigner(key crypto.Signer) (Signer, error) {
	id, err := certs.NodeID(key.Public())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	switch pub := key.Public().(type) {
	case *ecdsa.PublicKey:
		raw, err := pub.Bytes()
		if err != nil || len(raw) != 65 {
			return nil, fmt.Errorf("%w: P-256 key", ErrUnsupportedKey)
		}
		return &p256Signer{key: key, id: id, pub: raw[1:]}, nil
	case ed25519.PublicKey:
		return &edSigner{key: key, id: id, pub: pub}, nil
	}
	return nil, ErrUnsupportedKey
}

type p256Signer struct {
	key crypto.Signer
	id  enode.ID
	pub []byte // X ‖ Y
}

func (s *p256Signer) ID() enode.ID { return s.id }

func (s *p256Signer) Sign(digest [32]byte) ([]byte, error) {
	der, err := s.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("originsig: P-256 sign: %w", err)
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("originsig: P-256 sign: malformed signature from key")
	}
	sig := make([]byte, P256Size)
	sig[0] = byte(P256)
	copy(sig[1:], s.pub)
	rs.R.FillBytes(sig[65:97])
	rs.S.FillBytes(sig[97:129])
	return sig, nil
}

type edSigner struct {
	key crypto.Signer
	id  enode.ID
	pub ed25519.PublicKey
}

func (s *edSigner) ID() enode.ID { return s.id }

func (s *edSigner) Sign(digest [32]byte) ([]byte, error) {
	es, err := s.key.Sign(rand.Reader, digest[:], crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("originsig: Ed25519 sign: %w", err)
	}
	sig := make([]byte, 0, Ed25519Size)
	sig = append(sig, byte(Ed25519))
	sig = append(sig, s.pub...)
	return append(sig, es...), nil
}

// Verify checks that sig is a signature of digest by the node origin. It
// never panics, whatever sig holds.
func Verify(origin enode.ID, digest [32]byte, sig []byte) error {
	if len(sig) == 0 {
		return fmt.Errorf("%w: empty", ErrBadSignature)
	}
	// Sizes are checked first: they are free, the curve operations are not.
	var id enode.ID
	switch Scheme(sig[0]) {
	case Secp256k1:
		if len(sig) != Secp256k1Size {
			return fmt.Errorf("%w: secp256k1 signature of %d bytes", ErrBadSignature, len(sig))
		}
		if sig[65] > 1 {
			return fmt.Errorf("%w: recovery id %d", ErrBadSignature, sig[65])
		}
		var compact [65]byte
		compact[0] = 27 + sig[65]
		copy(compact[1:], sig[1:65])
		pub, _, err := secpecdsa.RecoverCompact(compact[:], digest[:])
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		id = enode.PubkeyToID(pub)
	case P256:
		if len(sig) != P256Size {
			return fmt.Errorf("%w: P-256 signature of %d bytes", ErrBadSignature, len(sig))
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, sig[1:65]...))
		if err != nil {
			return fmt.Errorf("%w: P-256 key: %v", ErrBadSignature, err)
		}
		r := new(big.Int).SetBytes(sig[65:97])
		s := new(big.Int).SetBytes(sig[97:129])
		if !ecdsa.Verify(pub, digest[:], r, s) {
			return fmt.Errorf("%w: P-256", ErrBadSignature)
		}
		if id, err = certs.NodeID(pub); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	case Ed25519:
		if len(sig) != Ed25519Size {
			return fmt.Errorf("%w: Ed25519 signature of %d bytes", ErrBadSignature, len(sig))
		}
		pub := ed25519.PublicKey(sig[1:33])
		if !ed25519.Verify(pub, digest[:], sig[33:]) {
			return fmt.Errorf("%w: Ed25519", ErrBadSignature)
		}
		var err error
		if id, err = certs.NodeID(pub); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
	default:
		return fmt.Errorf("%w %d", ErrUnknownScheme, sig[0])
	}
	if id != origin {
		return fmt.Errorf("%w: signed by %v, origin %v", ErrWrongSigner, id.TerminalString(), origin.TerminalString())
	}
	return nil
}
