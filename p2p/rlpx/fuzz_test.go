package rlpx

import (
	"bytes"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Random ciphertext almost never passes an ECIES or frame MAC, so each fuzz
// target takes a flag that makes it seal or frame the input properly first:
// then the fuzzer reaches the RLP, signature, snappy and size checks behind
// the MAC, which is where a peer that completed the handshake can attack.

// detRand is a deterministic key/IV source, so that fuzz inputs reproduce.
func detRand() *mrand.ChaCha8 { return mrand.NewChaCha8([32]byte{1}) }

// sealTo encrypts a handshake body to pub as an EIP-8 packet.
func sealTo(tb testing.TB, rand io.Reader, body []byte, pub *secp256k1.PublicKey) []byte {
	hr, err := readHandshakeRand(rand)
	if err != nil {
		tb.Fatal(err)
	}
	return sealEIP8(body, hr, newECIESSender(hr.eciesEph, pub))
}

// plaintexts returns the decrypted bodies of the fixture's EIP-8 packets.
func plaintexts(tb testing.TB, prv *secp256k1.PrivateKey, list []packetVector) [][]byte {
	var out [][]byte
	for _, v := range list {
		if v.Format != "eip8" {
			continue
		}
		plain, err := openEIP8(prv, v.Ciphertext)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, plain)
	}
	return out
}

// FuzzReadAuth is the recipient decoding an auth packet: size prefix, ECIES,
// RLP body, initiator key and signature recovery. With sealed set the input
// is an auth body that is first encrypted to the recipient.
func FuzzReadAuth(f *testing.F) {
	fx := loadEIP8(f)
	keyB := privKey(fx.Keys.StaticB)
	for _, v := range fx.Auth {
		f.Add([]byte(v.Ciphertext), false)
	}
	for _, p := range plaintexts(f, keyB, fx.Auth) {
		f.Add(p, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		packet := data
		if sealed {
			packet = sealTo(t, detRand(), bytes.Clone(data), keyB.PubKey())
		}
		msg, err := readAuth(keyB, packet)
		if err != nil {
			if !errors.Is(err, ErrBadAuth) {
				t.Fatalf("error %v does not wrap ErrBadAuth", err)
			}
			return
		}
		h := new(handshakeState)
		if err := h.handleAuth(keyB, msg); err == nil && (h.remote == nil || h.remoteRandomPub == nil) {
			t.Fatal("accepted auth without keys")
		}
	})
}

// FuzzReadAck is the initiator decoding an ack packet.
func FuzzReadAck(f *testing.F) {
	fx := loadEIP8(f)
	keyA := privKey(fx.Keys.StaticA)
	for _, v := range fx.Ack {
		f.Add([]byte(v.Ciphertext), false)
	}
	for _, p := range plaintexts(f, keyA, fx.Ack) {
		f.Add(p, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		packet := data
		if sealed {
			packet = sealTo(t, detRand(), bytes.Clone(data), keyA.PubKey())
		}
		msg, err := readAck(keyA, packet)
		if err != nil {
			if !errors.Is(err, ErrBadAck) {
				t.Fatalf("error %v does not wrap ErrBadAck", err)
			}
			return
		}
		h := new(handshakeState)
		if err := h.handleAck(msg); err == nil && h.remoteRandomPub == nil {
			t.Fatal("accepted ack without key")
		}
	})
}

// fixedSecrets returns matching writer and reader secrets without a
// handshake.
func fixedSecrets() (w, r *secrets) {
	mk := func() *secrets {
		s := &secrets{aes: keccak256([]byte("aes")), mac: keccak256([]byte("mac"))}
		s.egressMAC, s.ingressMAC = newKeccak(), newKeccak()
		s.egressMAC.write([]byte("seed"))
		s.ingressMAC.write([]byte("seed"))
		return s
	}
	return mk(), mk()
}

// FuzzReadFrame feeds the frame reader arbitrary bytes. With framed set the
// input is sent as a message payload through a writer with matching secrets
// first, so it passes the MACs; a snappy-enabled reader then treats it as a
// compressed payload (bombs, corrupt blocks). maxSize is the reader's limit.
func FuzzReadFrame(f *testing.F) {
	fx := loadEIP8(f)
	f.Add([]byte(fx.Hello.RLP), true, false, uint32(0))
	f.Add([]byte(fx.Hello.RLP), false, false, uint32(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'}, true, true, uint32(0)) // snappy bomb
	f.Add([]byte{0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}, true, true, uint32(0))     // snappy "hello"
	f.Add(make([]byte, 2000), true, false, uint32(1024))
	ws, _ := fixedSecrets()
	w := newFrameWriter(ws)
	if _, err := w.encode(0, fx.Hello.RLP); err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.Clone(w.buf), false, false, uint32(0))

	f.Fuzz(func(t *testing.T, data []byte, framed, snappy bool, maxSize uint32) {
		ws, rs := fixedSecrets()
		limit := int(maxSize)
		if limit <= 0 || limit > MaxFrameSize {
			limit = MaxFrameSize
		}
		stream := data
		code := uint64(len(data) % 300)
		if framed {
			w := newFrameWriter(ws)
			if _, err := w.encode(code, data); err != nil {
				return
			}
			stream = w.buf
		}
		r := newFrameReader(rs, limit)
		r.snappy = snappy
		gotCode, got, wire, err := r.read(bytes.NewReader(stream))
		if err != nil {
			if framed && !snappy && len(appendCode(nil, code))+len(data) <= limit {
				t.Fatalf("valid frame rejected: %v", err)
			}
			return
		}
		if len(got) > limit || wire > limit {
			t.Fatalf("read %d bytes (wire %d) past the %d-byte limit", len(got), wire, limit)
		}
		if framed && !snappy && (gotCode != code || !bytes.Equal(got, data)) {
			t.Fatal("frame round trip mismatch")
		}
	})
}
