package rlpx

import (
	"errors"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The handshake's elliptic-curve operations, all from decred's secp256k1
// library: ledgernet writes the protocols itself but takes its curve
// arithmetic from a well-kept library made for the job, rather than
// maintaining its own field and scalar code.

// errRecover is returned for a signature that does not yield a public key.
var errRecover = errors.New("rlpx: cannot recover public key from signature")

// ecdh returns the x coordinate of priv·pub, big-endian.
func ecdh(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [32]byte {
	var out [32]byte
	copy(out[:], secp256k1.GenerateSharedSecret(priv, pub))
	return out
}

// pubKey returns priv·G.
func pubKey(priv *secp256k1.PrivateKey) *secp256k1.PublicKey { return priv.PubKey() }

// signRecoverable signs the 32-byte hash and returns r ‖ s ‖ v with v the
// recovery id (0 or 1), devp2p's layout. decred's SignCompact puts the
// recovery byte first as 27 + id (+4 for a compressed key); we ask for the
// uncompressed form and move it to the end.
func signRecoverable(key *secp256k1.PrivateKey, hash []byte) [sigLen]byte {
	compact := ecdsa.SignCompact(key, hash, false)
	var out [sigLen]byte
	copy(out[:64], compact[1:])
	out[64] = compact[0] - 27
	return out
}

// recoverPubkey recovers the public key from a devp2p signature r ‖ s ‖ v.
func recoverPubkey(sig *[sigLen]byte, hash []byte) (*secp256k1.PublicKey, error) {
	if sig[64] > 3 {
		return nil, errRecover
	}
	var compact [65]byte
	compact[0] = sig[64] + 27
	copy(compact[1:], sig[:64])
	pub, _, err := ecdsa.RecoverCompact(compact[:], hash)
	if err != nil {
		return nil, errors.Join(errRecover, err)
	}
	return pub, nil
}
