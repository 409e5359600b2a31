package rlpx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// ECIES as devp2p uses it (the "ecies" section of the RLPx spec), on
// secp256k1 with AES-128-CTR and HMAC-SHA256:
//
//	R = r*G for a fresh random r, S = Px of r*K (K the recipient's key)
//	kE || kM0 = KDF(S, 32) (NIST SP 800-56 concatenation KDF, SHA-256)
//	kM = sha256(kM0)
//	c = AES-128-CTR(kE, iv, m)
//	d = HMAC-SHA256(kM, iv || c || authData)
//	message = 0x04 || R.x || R.y || iv || c || d
//
// authData is the EIP-8 size prefix for handshake packets; it is authenticated
// but not part of the message.

const (
	pubLen        = 64 // uncompressed public key without the 0x04 tag
	eciesPubLen   = 1 + pubLen
	eciesIVLen    = aes.BlockSize
	eciesTagLen   = sha256.Size
	eciesOverhead = eciesPubLen + eciesIVLen + eciesTagLen // 113
)

// eciesKeys derives the AES key and the MAC key from the ECDH shared secret
// with the concatenation KDF: one SHA-256 block (counter 1) gives the 32 bytes
// needed.
func eciesKeys(shared []byte) (kE [16]byte, kM [32]byte) {
	h := sha256.New()
	var ctr [4]byte
	binary.BigEndian.PutUint32(ctr[:], 1)
	h.Write(ctr[:])
	h.Write(shared)
	var k [32]byte
	h.Sum(k[:0])
	copy(kE[:], k[:16])
	kM = sha256.Sum256(k[16:])
	return kE, kM
}

func eciesTag(kM *[32]byte, ivAndCiphertext, authData []byte) []byte {
	mac := hmac.New(sha256.New, kM[:])
	mac.Write(ivAndCiphertext)
	mac.Write(authData)
	return mac.Sum(nil)
}

// eciesSender is the sender's half of an ECIES encryption prepared ahead of
// the message: the ephemeral public key R and the keys derived from r*K.
type eciesSender struct {
	pub [eciesPubLen]byte
	kE  [16]byte
	kM  [32]byte
}

// newECIESSender prepares an encryption to pub with the ephemeral key r.
func newECIESSender(r *secp256k1.PrivateKey, pub *secp256k1.PublicKey) *eciesSender {
	s := new(eciesSender)
	copy(s.pub[:], pubKey(r).SerializeUncompressed())
	shared := ecdh(r, pub)
	s.kE, s.kM = eciesKeys(shared[:])
	return s
}

// seal appends the encryption of msg with the given IV to dst.
func (s *eciesSender) seal(dst []byte, iv *[eciesIVLen]byte, msg, authData []byte) []byte {
	dst = append(dst, s.pub[:]...)
	ivStart := len(dst)
	dst = append(dst, iv[:]...)
	ctStart := len(dst)
	dst = append(dst, msg...)
	block, _ := aes.NewCipher(s.kE[:]) // cannot fail: the key is 16 bytes
	cipher.NewCTR(block, iv[:]).XORKeyStream(dst[ctStart:], dst[ctStart:])
	return append(dst, eciesTag(&s.kM, dst[ivStart:], authData)...)
}

// eciesEncrypt appends the ECIES encryption of msg for pub to dst.
func eciesEncrypt(dst []byte, rand io.Reader, pub *secp256k1.PublicKey, msg, authData []byte) ([]byte, error) {
	r, err := generateKey(rand)
	if err != nil {
		return nil, err
	}
	var iv [eciesIVLen]byte
	if _, err := io.ReadFull(rand, iv[:]); err != nil {
		return nil, fmt.Errorf("rlpx: ecies iv: %w", err)
	}
	return newECIESSender(r, pub).seal(dst, &iv, msg, authData), nil
}

// generateKey reads a private key from rand, retrying (a bounded number of
// times) on the negligible chance of a value that is zero or not below the
// group order.
func generateKey(rand io.Reader) (*secp256k1.PrivateKey, error) {
	var b [32]byte
	for range 16 {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return nil, fmt.Errorf("rlpx: generating key: %w", err)
		}
		var k secp256k1.ModNScalar
		if overflow := k.SetBytes(&b); overflow == 0 && !k.IsZero() {
			return secp256k1.NewPrivateKey(&k), nil
		}
	}
	return nil, errors.New("rlpx: generating key: random source gives no valid scalar")
}

// eciesDecrypt decrypts an ECIES message addressed to prv. The MAC is checked
// before anything is decrypted.
func eciesDecrypt(prv *secp256k1.PrivateKey, msg, authData []byte) ([]byte, error) {
	if len(msg) < eciesOverhead {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the %d-byte overhead", ErrECIES, len(msg), eciesOverhead)
	}
	if msg[0] != 0x04 {
		return nil, fmt.Errorf("%w: ephemeral key tag 0x%02x, want 0x04", ErrECIES, msg[0])
	}
	R, err := secp256k1.ParsePubKey(msg[:eciesPubLen])
	if err != nil {
		return nil, fmt.Errorf("%w: ephemeral key: %w", ErrECIES, err)
	}
	shared := ecdh(prv, R)
	kE, kM := eciesKeys(shared[:])
	body := msg[eciesPubLen : len(msg)-eciesTagLen]
	if !hmac.Equal(eciesTag(&kM, body, authData), msg[len(msg)-eciesTagLen:]) {
		return nil, fmt.Errorf("%w: bad MAC", ErrECIES)
	}
	plain := make([]byte, len(body)-eciesIVLen)
	block, _ := aes.NewCipher(kE[:])
	cipher.NewCTR(block, body[:eciesIVLen]).XORKeyStream(plain, body[eciesIVLen:])
	return plain, nil
}
