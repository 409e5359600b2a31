package enr

import (
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

// SchemeV4 is the name of the only identity scheme in use on devp2p.
const SchemeV4 = "v4"

// sigSize is the size of a v4 signature: r‖s without recovery id.
const sigSize = 64

// Sign sets the "id" entry to "v4" and "secp256k1" to the public key of key,
// then signs the record. If the record was signed before, seq is incremented.
// On error (ErrTooBig) r is unchanged.
func (r *Record) Sign(key *secp256k1.PrivateKey) error {
	c := r.Clone()
	c.Set(ID(SchemeV4))
	c.Set(Secp256k1(*key.PubKey()))
	hash := c.contentHash()
	compact := ecdsa.SignCompact(key, hash, false)
	// SignCompact gives recovery code ‖ r ‖ s, with s low, as
	// go-ethereum's crypto.Sign does (it puts the code last); v4 drops it.
	sig := compact[1:]
	raw, err := c.encode(sig)
	if err != nil {
		return err
	}
	c.signature, c.raw = sig, raw
	*r = *c
	return nil
}

// Verify checks the record's signature under its identity scheme.
func (r *Record) Verify() error {
	var id ID
	if err := r.Load(&id); err != nil {
		if IsNotFound(err) {
			return ErrMissingID
		}
		return err
	}
	if id != SchemeV4 {
		return fmt.Errorf("%w %q", ErrUnknownScheme, string(id))
	}
	pub, err := r.PublicKey()
	if err != nil {
		return err
	}
	if !verifyV4(pub, r.contentHash(), r.signature) {
		return ErrInvalidSig
	}
	return nil
}

// PublicKey returns the key in the "secp256k1" entry.
func (r *Record) PublicKey() (*secp256k1.PublicKey, error) {
	var k Secp256k1
	if err := r.Load(&k); err != nil {
		return nil, err
	}
	pub := secp256k1.PublicKey(k)
	return &pub, nil
}

func (r *Record) contentHash() []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(r.AppendContent(make([]byte, 0, SizeLimit)))
	return h.Sum(nil)
}

// verifyV4 checks a 64-byte r‖s signature. Like go-ethereum (libsecp256k1,
// and its pure-Go fallback) it rejects r or s out of range and a high s, so
// each signed record has exactly one valid signature.
func verifyV4(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	if len(sig) != sigSize {
		return false
	}
	var rs, ss secp256k1.ModNScalar
	if rs.SetByteSlice(sig[:32]) || ss.SetByteSlice(sig[32:]) {
		return false
	}
	if ss.IsOverHalfOrder() {
		return false
	}
	return ecdsa.NewSignature(&rs, &ss).Verify(hash, pub)
}
