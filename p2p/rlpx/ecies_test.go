package rlpx

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func TestECIESRoundTrip(t *testing.T) {
	prv, _ := secp256k1.GeneratePrivateKey()
	for _, size := range []int{0, 1, 15, 16, 17, 300, 2000} {
		msg := make([]byte, size)
		rand.Read(msg)
		auth := []byte{0x01, 0x02}
		ct, err := eciesEncrypt(nil, rand.Reader, prv.PubKey(), msg, auth)
		if err != nil {
			t.Fatal(err)
		}
		if len(ct) != size+eciesOverhead {
			t.Fatalf("size %d: ciphertext %d bytes, want %d", size, len(ct), size+eciesOverhead)
		}
		got, err := eciesDecrypt(prv, ct, auth)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("size %d: round trip mismatch", size)
		}
	}
}

func TestECIESBad(t *testing.T) {
	prv, _ := secp256k1.GeneratePrivateKey()
	other, _ := secp256k1.GeneratePrivateKey()
	auth := []byte{0x00, 0x80}
	ct, err := eciesEncrypt(nil, rand.Reader, prv.PubKey(), []byte("hello rlpx"), auth)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		prv  *secp256k1.PrivateKey
		ct   []byte
		auth []byte
	}{
		{"short", prv, ct[:eciesOverhead-1], auth},
		{"empty", prv, nil, auth},
		{"compressed tag", prv, append([]byte{0x02}, ct[1:]...), auth},
		{"point off curve", prv, flip(5), auth},
		{"iv flipped", prv, flip(eciesPubLen), auth},
		{"ciphertext flipped", prv, flip(eciesPubLen + eciesIVLen), auth},
		{"tag flipped", prv, flip(len(ct) - 1), auth},
		{"other auth data", prv, ct, []byte{0x00, 0x81}},
		{"wrong key", other, ct, auth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := eciesDecrypt(tt.prv, tt.ct, tt.auth); !errors.Is(err, ErrECIES) {
				t.Fatalf("got %v, want ErrECIES", err)
			}
		})
	}
}
