package ledger

import (
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// CompressedPubKeySize is the size of the public key a devnet signature
// script carries.
const CompressedPubKeySize = 33

// VerifyInput checks that input idx of tx may spend an output with script
// pkScript: the output is P2PKH, the signature script is
// <DER signature ‖ SIGHASH_ALL> <compressed public key>, the key hashes to
// the output's key hash, and the signature verifies over SignatureHash. It
// is safe to call from several goroutines on the same transaction.
func VerifyInput(tx *wire.MsgTx, idx int, pkScript []byte) error {
	var s sigHasher
	return s.verify(tx, idx, pkScript)
}

func (s *sigHasher) verify(tx *wire.MsgTx, idx int, pkScript []byte) error {
	want, ok := chain.ExtractPubKeyHash(pkScript)
	if !ok {
		return ErrNotSpendable
	}
	sigBytes, pubBytes, err := chain.ParseP2PKHSignatureScript(tx.TxIn[idx].SignatureScript)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignatureScript, err)
	}
	if len(pubBytes) != CompressedPubKeySize || (pubBytes[0] != 0x02 && pubBytes[0] != 0x03) {
		return fmt.Errorf("%w: %d bytes, prefix %#x", ErrBadPubKey, len(pubBytes), pubBytes[0])
	}
	if chain.Hash160(pubBytes) != want {
		return ErrPubKeyHashMismatch
	}
	if ht := uint32(sigBytes[len(sigBytes)-1]); ht != SigHashAll {
		return fmt.Errorf("%w: %#x", ErrBadSigHashType, ht)
	}
	sig, err := ecdsa.ParseDERSignature(sigBytes[:len(sigBytes)-1])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignatureEncoding, err)
	}
	// A high S verifies as well as its negation: accepting both would let
	// anyone relaying the transaction change its txid.
	if sv := sig.S(); sv.IsOverHalfOrder() {
		return fmt.Errorf("%w: high S", ErrBadSignatureEncoding)
	}
	pub, err := secp256k1.ParsePubKey(pubBytes)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadPubKey, err)
	}
	h := s.hash(tx, idx, pkScript, SigHashAll)
	if !sig.Verify(h[:], pub) {
		return ErrBadSignature
	}
	return nil
}

// SignInput sets the signature script of input idx of tx to spend a P2PKH
// output with script pkScript that pays key: a low-S RFC 6979 signature over
// SignatureHash with SIGHASH_ALL, then the compressed public key. Every
// output and every other input's outpoint and sequence must be final before
// signing: they are covered by the signature.
func SignInput(tx *wire.MsgTx, idx int, pkScript []byte, key *secp256k1.PrivateKey) error {
	if idx < 0 || idx >= len(tx.TxIn) {
		return fmt.Errorf("ledger: sign input %d of a transaction with %d inputs", idx, len(tx.TxIn))
	}
	pub := key.PubKey().SerializeCompressed()
	want, ok := chain.ExtractPubKeyHash(pkScript)
	if !ok {
		return ErrNotSpendable
	}
	if chain.Hash160(pub) != want {
		return ErrPubKeyHashMismatch
	}
	h := SignatureHash(tx, idx, pkScript, SigHashAll)
	sig := ecdsa.Sign(key, h[:]).Serialize()
	sig = append(sig, byte(SigHashAll))
	tx.TxIn[idx].SignatureScript = chain.P2PKHSignatureScript(sig, pub)
	return nil
}

// Verifier is VerifyInput with its hashing state kept between calls, for a
// goroutine that verifies many inputs. A Verifier is not safe for concurrent
// use: give each goroutine its own. The zero value is ready.
type Verifier struct{ s sigHasher }

// Verify is VerifyInput.
func (v *Verifier) Verify(tx *wire.MsgTx, idx int, pkScript []byte) error {
	return v.s.verify(tx, idx, pkScript)
}
