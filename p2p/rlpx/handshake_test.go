package rlpx

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/ledgernet/ledgernet/rlp"
)

// TestEIP8AuthVectors decrypts the EIP-8 auth packets with B's static key and
// checks every field, then recovers A's ephemeral key from the signature.
func TestEIP8AuthVectors(t *testing.T) {
	f := loadEIP8(t)
	keyB := privKey(f.Keys.StaticB)
	for _, v := range f.Auth {
		if v.Format != "eip8" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			if len(v.Ciphertext) != v.Size || v.DecryptWith != "static_private_key_b" {
				t.Fatalf("fixture packet: %d bytes (size %d), key %s", len(v.Ciphertext), v.Size, v.DecryptWith)
			}
			msg, err := readAuth(keyB, v.Ciphertext)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Version != v.Version {
				t.Errorf("version %d, want %d", msg.Version, v.Version)
			}
			if !bytes.Equal(msg.Signature[:], v.Signature) {
				t.Errorf("signature %x, want %x", msg.Signature, v.Signature)
			}
			if !bytes.Equal(msg.InitiatorPubkey[:], f.Pub.StaticA) {
				t.Errorf("initiator key %x", msg.InitiatorPubkey)
			}
			if !bytes.Equal(msg.Nonce[:], f.Keys.NonceA) {
				t.Errorf("nonce %x", msg.Nonce)
			}
			if len(msg.Rest) != len(v.ExtraRLP) {
				t.Fatalf("%d extra elements, want %d", len(msg.Rest), len(v.ExtraRLP))
			}
			for i := range msg.Rest {
				if !bytes.Equal(msg.Rest[i], v.ExtraRLP[i]) {
					t.Errorf("extra element %d: %x, want %x", i, msg.Rest[i], v.ExtraRLP[i])
				}
			}
			h := new(handshakeState)
			if err := h.handleAuth(keyB, msg); err != nil {
				t.Fatal(err)
			}
			if got := encodePubkey(h.remote); !bytes.Equal(got[:], f.Pub.StaticA) {
				t.Errorf("remote static key %x", got)
			}
			if got := encodePubkey(h.remoteRandomPub); !bytes.Equal(got[:], f.Pub.EphemeralA) {
				t.Errorf("recovered ephemeral key %x, want %x", got, f.Pub.EphemeralA)
			}
		})
	}
}

// TestEIP8AuthSignature signs the vector's message with A's ephemeral key and
// recovers that key from the signature. (The vector's own signature was made
// with a non-deterministic nonce, so it is not reproduced byte for byte; its
// recovery is checked in TestEIP8AuthVectors.)
func TestEIP8AuthSignature(t *testing.T) {
	f := loadEIP8(t)
	keyA, keyB := privKey(f.Keys.StaticA), privKey(f.Keys.StaticB)
	static := secp256k1.GenerateSharedSecret(keyA, keyB.PubKey())
	signed := xor32(static, f.Keys.NonceA)
	sig := signRecoverable(privKey(f.Keys.EphemeralA), signed[:])
	if sig[64] > 1 {
		t.Fatalf("recovery id %d", sig[64])
	}
	pub, err := recoverPubkey(&sig, signed[:])
	if err != nil {
		t.Fatal(err)
	}
	if got := encodePubkey(pub); !bytes.Equal(got[:], f.Pub.EphemeralA) {
		t.Fatalf("recovered %x, want %x", got, f.Pub.EphemeralA)
	}
	sig[64] = 4
	if _, err := recoverPubkey(&sig, signed[:]); err == nil {
		t.Fatal("recovery id 4 accepted")
	}
}

func TestEIP8AckVectors(t *testing.T) {
	f := loadEIP8(t)
	keyA := privKey(f.Keys.StaticA)
	for _, v := range f.Ack {
		if v.Format != "eip8" {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			if len(v.Ciphertext) != v.Size || v.DecryptWith != "static_private_key_a" {
				t.Fatalf("fixture packet: %d bytes (size %d), key %s", len(v.Ciphertext), v.Size, v.DecryptWith)
			}
			msg, err := readAck(keyA, v.Ciphertext)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Version != v.Version {
				t.Errorf("version %d, want %d", msg.Version, v.Version)
			}
			if !bytes.Equal(msg.EphemeralPubkey[:], f.Pub.EphemeralB) {
				t.Errorf("ephemeral key %x", msg.EphemeralPubkey)
			}
			if !bytes.Equal(msg.Nonce[:], f.Keys.NonceB) {
				t.Errorf("nonce %x", msg.Nonce)
			}
			if len(msg.Rest) != len(v.ExtraRLP) {
				t.Fatalf("%d extra elements, want %d", len(msg.Rest), len(v.ExtraRLP))
			}
			for i := range msg.Rest {
				if !bytes.Equal(msg.Rest[i], v.ExtraRLP[i]) {
					t.Errorf("extra element %d: %x, want %x", i, msg.Rest[i], v.ExtraRLP[i])
				}
			}
			h := new(handshakeState)
			if err := h.handleAck(msg); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLegacyRejected: like go-ethereum since 1.10, the pre-EIP-8 formats are
// not read. A legacy packet's first two bytes (0x04, then the first byte of
// R.x) are taken as an EIP-8 size prefix, which does not match the packet.
func TestLegacyRejected(t *testing.T) {
	f := loadEIP8(t)
	auth := f.packet(t, f.Auth, "auth_legacy_v4")
	if _, err := readAuth(privKey(f.Keys.StaticB), auth.Ciphertext); !errors.Is(err, ErrBadAuth) {
		t.Errorf("legacy auth: got %v, want ErrBadAuth", err)
	}
	ack := f.packet(t, f.Ack, "ack_legacy_v4")
	if _, err := readAck(privKey(f.Keys.StaticA), ack.Ciphertext); !errors.Is(err, ErrBadAck) {
		t.Errorf("legacy ack: got %v, want ErrBadAck", err)
	}
}

// vectorSides returns both sides' handshake states as the EIP-8 vectors
// define them (A initiates to B).
func vectorSides(f *eip8Fixture) (a, b *handshakeState) {
	a = &handshakeState{initiator: true, randomPrivKey: privKey(f.Keys.EphemeralA), remoteRandomPub: privKey(f.Keys.EphemeralB).PubKey()}
	b = &handshakeState{randomPrivKey: privKey(f.Keys.EphemeralB), remoteRandomPub: privKey(f.Keys.EphemeralA).PubKey()}
	for _, h := range []*handshakeState{a, b} {
		copy(h.initNonce[:], f.Keys.NonceA)
		copy(h.respNonce[:], f.Keys.NonceB)
	}
	return a, b
}

// TestEIP8Secrets derives B's secrets from the vector packets and checks the
// AES and MAC secrets and the ingress MAC after "foo".
func TestEIP8Secrets(t *testing.T) {
	f := loadEIP8(t)
	auth := f.packet(t, f.Auth, f.Secrets.Auth).Ciphertext
	ack := f.packet(t, f.Ack, f.Secrets.Ack).Ciphertext
	a, b := vectorSides(f)
	sb := b.secrets(auth, ack)
	if !bytes.Equal(sb.aes[:], f.Secrets.AES) {
		t.Errorf("aes-secret %x, want %x", sb.aes, f.Secrets.AES)
	}
	if !bytes.Equal(sb.mac[:], f.Secrets.MAC) {
		t.Errorf("mac-secret %x, want %x", sb.mac, f.Secrets.MAC)
	}
	sb.ingressMAC.write([]byte("foo"))
	var d [32]byte
	sb.ingressMAC.sum(&d)
	if !bytes.Equal(d[:], f.Secrets.IngressFoo) {
		t.Errorf("ingress mac after foo %x, want %x", d, f.Secrets.IngressFoo)
	}
	// A's egress MAC is B's ingress MAC.
	sa := a.secrets(auth, ack)
	if sa.aes != sb.aes || sa.mac != sb.mac {
		t.Errorf("A and B derive different secrets")
	}
	sa.egressMAC.write([]byte("foo"))
	var e [32]byte
	sa.egressMAC.sum(&e)
	if e != d {
		t.Errorf("A egress mac %x != B ingress mac %x", e, d)
	}
}

// TestHelloThroughFrames sends the EIP-8 Hello (message code 0) with A's
// secrets from the vectors and reads it back with B's, plain and with snappy,
// then decodes the fields the vector lists.
func TestHelloThroughFrames(t *testing.T) {
	f := loadEIP8(t)
	auth := f.packet(t, f.Auth, f.Secrets.Auth).Ciphertext
	ack := f.packet(t, f.Ack, f.Secrets.Ack).Ciphertext
	for _, snappy := range []bool{false, true} {
		a, b := vectorSides(f)
		w := newFrameWriter(a.secrets(auth, ack))
		r := newFrameReader(b.secrets(auth, ack), MaxFrameSize)
		w.snappy, r.snappy = snappy, snappy
		if _, err := w.encode(0, f.Hello.RLP); err != nil {
			t.Fatal(err)
		}
		code, data, _, err := r.read(bytes.NewReader(w.buf))
		if err != nil {
			t.Fatalf("snappy=%v: %v", snappy, err)
		}
		if code != 0 || !bytes.Equal(data, f.Hello.RLP) {
			t.Fatalf("snappy=%v: got code %d data %x", snappy, code, data)
		}
	}
	checkHello(t, f)
}

func checkHello(t *testing.T, f *eip8Fixture) {
	want := f.Hello.Expected
	s, err := rlp.NewListStream(f.Hello.RLP)
	if err != nil {
		t.Fatal(err)
	}
	version, err := s.Uint64()
	if err != nil || version != want.Version {
		t.Fatalf("version %d (%v), want %d", version, err, want.Version)
	}
	name, err := s.Bytes()
	if err != nil || string(name) != want.ClientID {
		t.Fatalf("client id %q (%v)", name, err)
	}
	caps, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; caps.More(); i++ {
		c, err := caps.List()
		if err != nil {
			t.Fatal(err)
		}
		n, _ := c.Bytes()
		v, _ := c.Uint64()
		if i >= len(want.Caps) || string(n) != want.Caps[i][0] || float64(v) != want.Caps[i][1] {
			t.Fatalf("capability %d: %s/%d", i, n, v)
		}
	}
	port, err := s.Uint64()
	if err != nil || port != want.ListenPort {
		t.Fatalf("listen port %d (%v)", port, err)
	}
	id, err := s.Bytes()
	if err != nil || !bytes.Equal(id, want.NodeID) {
		t.Fatalf("node id %x (%v)", id, err)
	}
	for i := 0; s.More(); i++ {
		raw, err := s.Raw()
		if err != nil || i >= len(want.ExtraRLP) || !bytes.Equal(raw, want.ExtraRLP[i]) {
			t.Fatalf("extra element %d: %x (%v)", i, raw, err)
		}
	}
}

// TestAuthAckRoundTrip builds auth and ack with fresh keys and has the other
// side decode them.
func TestAuthAckRoundTrip(t *testing.T) {
	f := loadEIP8(t)
	keyA, keyB := privKey(f.Keys.StaticA), privKey(f.Keys.StaticB)
	init := &handshakeState{initiator: true, remote: keyB.PubKey()}
	auth, err := init.makeAuth(rand.Reader, keyA)
	if err != nil {
		t.Fatal(err)
	}
	// The auth body is 169 bytes: a list header of 2, then signature 1+2+65,
	// initiator key 2+64, nonce 1+32 and version 1; padding is 100 to 199.
	if n := len(auth) - 2 - eciesOverhead; n < 169+minPadding || n > 169+minPadding+paddingSpan-1 {
		t.Errorf("auth body with padding is %d bytes, want %d to %d", n, 169+minPadding, 169+minPadding+paddingSpan-1)
	}
	resp := new(handshakeState)
	msg, err := readAuth(keyB, auth)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := resp.respond(rand.Reader, keyB, msg)
	if err != nil {
		t.Fatal(err)
	}
	amsg, err := readAck(keyA, ack)
	if err != nil {
		t.Fatal(err)
	}
	if err := init.handleAck(amsg); err != nil {
		t.Fatal(err)
	}
	si, sr := init.secrets(auth, ack), resp.secrets(auth, ack)
	if si.aes != sr.aes || si.mac != sr.mac {
		t.Fatal("secrets differ")
	}
}
