package rlpx

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/ledgernet/ledgernet/rlp"
)

// The EIP-8 encryption handshake.
//
//	auth = auth-size(2) || ecies(recipient-pubk, auth-body || padding, auth-size)
//	auth-body = [sig, initiator-pubk, initiator-nonce, auth-vsn, ...]
//	ack  = ack-size(2) || ecies(initiator-pubk, ack-body || padding, ack-size)
//	ack-body = [recipient-ephemeral-pubk, recipient-nonce, ack-vsn, ...]
//
// sig signs static-shared-secret ^ initiator-nonce with the initiator's
// ephemeral key, so the recipient recovers that key from it.

const (
	// MaxHandshakeSize is the largest auth or ack ciphertext accepted (the
	// value of the 2-byte size prefix), as in go-ethereum.
	MaxHandshakeSize = 2048

	handshakeVersion = 4
	sigLen           = 65 // r || s || v, v = 0 or 1
	nonceLen         = 32

	// Outgoing packets carry 100..199 bytes of zero padding, as go-ethereum
	// sends, so that EIP-8 packets cannot be mistaken for the legacy format.
	minPadding  = 100
	paddingSpan = 100
)

// authMsg is the decoded body of an EIP-8 auth message.
type authMsg struct {
	Signature       [sigLen]byte
	InitiatorPubkey [pubLen]byte
	Nonce           [nonceLen]byte
	Version         uint64
	Rest            [][]byte // further list elements, ignored (EIP-8)
}

// ackMsg is the decoded body of an EIP-8 ack message.
type ackMsg struct {
	EphemeralPubkey [pubLen]byte
	Nonce           [nonceLen]byte
	Version         uint64
	Rest            [][]byte
}

func (m *authMsg) appendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, m.Signature[:])
	b = rlp.AppendBytes(b, m.InitiatorPubkey[:])
	b = rlp.AppendBytes(b, m.Nonce[:])
	b = rlp.AppendUint(b, m.Version)
	return rlp.EndList(b, start)
}

func (m *ackMsg) appendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, m.EphemeralPubkey[:])
	b = rlp.AppendBytes(b, m.Nonce[:])
	b = rlp.AppendUint(b, m.Version)
	return rlp.EndList(b, start)
}

// listStream returns a stream over the items of the list at the start of
// plain; whatever follows the list is padding and is ignored.
func listStream(plain []byte) (rlp.Stream, error) {
	_, rest, err := rlp.SplitList(plain)
	if err != nil {
		return rlp.Stream{}, err
	}
	return rlp.NewListStream(plain[:len(plain)-len(rest)])
}

// fixedBytes reads a string of exactly len(dst) bytes into dst.
func fixedBytes(s *rlp.Stream, dst []byte, what string) error {
	b, err := s.Bytes()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(b) != len(dst) {
		return fmt.Errorf("%s: %d bytes, want %d", what, len(b), len(dst))
	}
	copy(dst, b)
	return nil
}

// tail collects the remaining list items. Each must be a well-formed item
// (go-ethereum reads them as raw values), but their content is ignored.
func tail(s *rlp.Stream) ([][]byte, error) {
	var rest [][]byte
	for s.More() {
		raw, err := s.Raw()
		if err != nil {
			return nil, fmt.Errorf("extra element: %w", err)
		}
		rest = append(rest, raw)
	}
	return rest, nil
}

func decodeAuthBody(plain []byte) (*authMsg, error) {
	s, err := listStream(plain)
	if err != nil {
		return nil, err
	}
	m := new(authMsg)
	if err := fixedBytes(&s, m.Signature[:], "signature"); err != nil {
		return nil, err
	}
	if err := fixedBytes(&s, m.InitiatorPubkey[:], "initiator public key"); err != nil {
		return nil, err
	}
	if err := fixedBytes(&s, m.Nonce[:], "nonce"); err != nil {
		return nil, err
	}
	if m.Version, err = s.Uint64(); err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	if m.Rest, err = tail(&s); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeAckBody(plain []byte) (*ackMsg, error) {
	s, err := listStream(plain)
	if err != nil {
		return nil, err
	}
	m := new(ackMsg)
	if err := fixedBytes(&s, m.EphemeralPubkey[:], "ephemeral public key"); err != nil {
		return nil, err
	}
	if err := fixedBytes(&s, m.Nonce[:], "nonce"); err != nil {
		return nil, err
	}
	if m.Version, err = s.Uint64(); err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	if m.Rest, err = tail(&s); err != nil {
		return nil, err
	}
	return m, nil
}

// parsePubkey parses a 64-byte devp2p public key (X || Y), checking that it
// is on the curve.
func parsePubkey(b []byte) (*secp256k1.PublicKey, error) {
	var buf [1 + pubLen]byte
	buf[0] = 0x04
	copy(buf[1:], b)
	return secp256k1.ParsePubKey(buf[:])
}

// encodePubkey returns the 64-byte devp2p form of a public key.
func encodePubkey(pub *secp256k1.PublicKey) (out [pubLen]byte) {
	copy(out[:], pub.SerializeUncompressed()[1:])
	return out
}

// signRecoverable signs the 32-byte hash and returns r || s || v with v the
// recovery id (0 or 1), devp2p's signature layout. decred's compact form puts
// 27+v first instead.
func signRecoverable(key *secp256k1.PrivateKey, hash []byte) (sig [sigLen]byte) {
	compact := ecdsa.SignCompact(key, hash, false)
	copy(sig[:64], compact[1:])
	sig[64] = compact[0] - 27
	return sig
}

// recoverPubkey recovers the public key from a devp2p signature.
func recoverPubkey(sig *[sigLen]byte, hash []byte) (*secp256k1.PublicKey, error) {
	if sig[64] > 3 {
		return nil, fmt.Errorf("signature recovery id %d", sig[64])
	}
	var compact [sigLen]byte
	compact[0] = 27 + sig[64]
	copy(compact[1:], sig[:64])
	pub, _, err := ecdsa.RecoverCompact(compact[:], hash)
	return pub, err
}

func xor32(a, b []byte) (out [32]byte) {
	subtle.XORBytes(out[:], a[:32], b[:32])
	return out
}

// handshakeState holds one side's view of a handshake in progress.
type handshakeState struct {
	initiator            bool
	remote               *secp256k1.PublicKey // static key of the peer
	initNonce, respNonce [nonceLen]byte
	randomPrivKey        *secp256k1.PrivateKey // our ephemeral key
	remoteRandomPub      *secp256k1.PublicKey  // the peer's ephemeral key
}

// secrets derives the session secrets once both nonces and both ephemeral
// keys are known. auth and ack are the whole packets, size prefix included.
func (h *handshakeState) secrets(auth, ack []byte) *secrets {
	ecdhe := secp256k1.GenerateSharedSecret(h.randomPrivKey, h.remoteRandomPub)
	nonceHash := keccak256(h.respNonce[:], h.initNonce[:])
	shared := keccak256(ecdhe, nonceHash[:])
	s := &secrets{aes: keccak256(ecdhe, shared[:])}
	s.mac = keccak256(ecdhe, s.aes[:])

	mac1 := newKeccak() // (mac ^ recipient-nonce) || auth
	x := xor32(s.mac[:], h.respNonce[:])
	mac1.write(x[:])
	mac1.write(auth)
	mac2 := newKeccak() // (mac ^ initiator-nonce) || ack
	x = xor32(s.mac[:], h.initNonce[:])
	mac2.write(x[:])
	mac2.write(ack)
	if h.initiator {
		s.egressMAC, s.ingressMAC = mac1, mac2
	} else {
		s.egressMAC, s.ingressMAC = mac2, mac1
	}
	return s
}

// makeAuth builds the initiator's auth packet (size prefix included).
func (h *handshakeState) makeAuth(rand io.Reader, prv *secp256k1.PrivateKey) ([]byte, error) {
	if _, err := io.ReadFull(rand, h.initNonce[:]); err != nil {
		return nil, fmt.Errorf("rlpx: nonce: %w", err)
	}
	var err error
	if h.randomPrivKey, err = secp256k1.GeneratePrivateKeyFromRand(rand); err != nil {
		return nil, fmt.Errorf("rlpx: ephemeral key: %w", err)
	}
	static := secp256k1.GenerateSharedSecret(prv, h.remote)
	signed := xor32(static, h.initNonce[:])
	msg := authMsg{
		Signature:       signRecoverable(h.randomPrivKey, signed[:]),
		InitiatorPubkey: encodePubkey(prv.PubKey()),
		Nonce:           h.initNonce,
		Version:         handshakeVersion,
	}
	return sealEIP8(rand, msg.appendRLP(nil), h.remote)
}

// handleAuth processes a decrypted auth body on the recipient side and
// returns the initiator's static key.
func (h *handshakeState) handleAuth(prv *secp256k1.PrivateKey, msg *authMsg) error {
	remote, err := parsePubkey(msg.InitiatorPubkey[:])
	if err != nil {
		return fmt.Errorf("initiator public key: %w", err)
	}
	h.remote = remote
	h.initNonce = msg.Nonce
	static := secp256k1.GenerateSharedSecret(prv, remote)
	signed := xor32(static, msg.Nonce[:])
	if h.remoteRandomPub, err = recoverPubkey(&msg.Signature, signed[:]); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}

// makeAck builds the recipient's ack packet (size prefix included).
func (h *handshakeState) makeAck(rand io.Reader) ([]byte, error) {
	if _, err := io.ReadFull(rand, h.respNonce[:]); err != nil {
		return nil, fmt.Errorf("rlpx: nonce: %w", err)
	}
	if h.randomPrivKey == nil {
		var err error
		if h.randomPrivKey, err = secp256k1.GeneratePrivateKeyFromRand(rand); err != nil {
			return nil, fmt.Errorf("rlpx: ephemeral key: %w", err)
		}
	}
	msg := ackMsg{
		EphemeralPubkey: encodePubkey(h.randomPrivKey.PubKey()),
		Nonce:           h.respNonce,
		Version:         handshakeVersion,
	}
	return sealEIP8(rand, msg.appendRLP(nil), h.remote)
}

// handleAck processes a decrypted ack body on the initiator side.
func (h *handshakeState) handleAck(msg *ackMsg) error {
	pub, err := parsePubkey(msg.EphemeralPubkey[:])
	if err != nil {
		return fmt.Errorf("ephemeral public key: %w", err)
	}
	h.remoteRandomPub = pub
	h.respNonce = msg.Nonce
	return nil
}

// sealEIP8 pads body, encrypts it to pub and prepends the size prefix, which
// is also the ECIES shared authentication data.
func sealEIP8(rand io.Reader, body []byte, pub *secp256k1.PublicKey) ([]byte, error) {
	var r [1]byte
	if _, err := io.ReadFull(rand, r[:]); err != nil {
		return nil, fmt.Errorf("rlpx: padding: %w", err)
	}
	body = append(body, make([]byte, minPadding+int(r[0])%paddingSpan)...)
	size := len(body) + eciesOverhead
	packet := make([]byte, 2, 2+size)
	binary.BigEndian.PutUint16(packet, uint16(size))
	return eciesEncrypt(packet, rand, pub, body, packet[:2])
}

// openEIP8 checks and decrypts a whole handshake packet (size prefix
// included).
func openEIP8(prv *secp256k1.PrivateKey, packet []byte) ([]byte, error) {
	if len(packet) < 2 {
		return nil, fmt.Errorf("%w: %d-byte packet", ErrECIES, len(packet))
	}
	size := int(binary.BigEndian.Uint16(packet))
	if size > MaxHandshakeSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrHandshakeTooLarge, size)
	}
	if size != len(packet)-2 {
		return nil, fmt.Errorf("%w: size prefix %d, packet carries %d bytes", ErrECIES, size, len(packet)-2)
	}
	return eciesDecrypt(prv, packet[2:], packet[:2])
}

// readAuth decrypts and decodes an auth packet. It is the recipient's whole
// view of untrusted auth input, without I/O, so that it can be fuzzed.
func readAuth(prv *secp256k1.PrivateKey, packet []byte) (*authMsg, error) {
	plain, err := openEIP8(prv, packet)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAuth, err)
	}
	msg, err := decodeAuthBody(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAuth, err)
	}
	return msg, nil
}

// readAck decrypts and decodes an ack packet.
func readAck(prv *secp256k1.PrivateKey, packet []byte) (*ackMsg, error) {
	plain, err := openEIP8(prv, packet)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAck, err)
	}
	msg, err := decodeAckBody(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAck, err)
	}
	return msg, nil
}

// readPacket reads one size-prefixed handshake packet from r. The size is
// checked before the body is read or allocated.
func readPacket(r io.Reader) ([]byte, error) {
	var prefix [2]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, err
	}
	size := int(binary.BigEndian.Uint16(prefix[:]))
	if size > MaxHandshakeSize {
		return nil, fmt.Errorf("%w: size prefix %d, limit %d", ErrHandshakeTooLarge, size, MaxHandshakeSize)
	}
	packet := make([]byte, 2+size)
	copy(packet, prefix[:])
	if _, err := io.ReadFull(r, packet[2:]); err != nil {
		return nil, noEOF(err)
	}
	return packet, nil
}
