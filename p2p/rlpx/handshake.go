package rlpx

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

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
	ecdhe := ecdh(h.randomPrivKey, h.remoteRandomPub)
	nonceHash := keccak256(h.respNonce[:], h.initNonce[:])
	shared := keccak256(ecdhe[:], nonceHash[:])
	s := &secrets{aes: keccak256(ecdhe[:], shared[:])}
	s.mac = keccak256(ecdhe[:], s.aes[:])

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

// handshakeRand is the randomness one side of a handshake needs. It is read
// up front on the calling goroutine, so Config.Rand need not be safe for
// concurrent use while the key arithmetic runs in parallel.
type handshakeRand struct {
	nonce    [nonceLen]byte
	eph      *secp256k1.PrivateKey // the handshake's ephemeral key
	eciesEph *secp256k1.PrivateKey // the ECIES ephemeral key of our packet
	iv       [eciesIVLen]byte
	padding  int
}

func readHandshakeRand(rand io.Reader) (*handshakeRand, error) {
	r := new(handshakeRand)
	if _, err := io.ReadFull(rand, r.nonce[:]); err != nil {
		return nil, fmt.Errorf("rlpx: nonce: %w", err)
	}
	var err error
	if r.eph, err = generateKey(rand); err != nil {
		return nil, err
	}
	if r.eciesEph, err = generateKey(rand); err != nil {
		return nil, err
	}
	var b [1]byte
	if _, err := io.ReadFull(rand, r.iv[:]); err != nil {
		return nil, fmt.Errorf("rlpx: iv: %w", err)
	}
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, fmt.Errorf("rlpx: padding: %w", err)
	}
	r.padding = minPadding + int(b[0])%paddingSpan
	return r, nil
}

// makeAuth builds the initiator's auth packet (size prefix included).
//
// The ECIES half (an ephemeral key and an ECDH with the recipient) does not
// depend on the message, so it runs beside the signing half (static ECDH and
// signature): on two cores the auth is ready in about half the time.
func (h *handshakeState) makeAuth(rand io.Reader, prv *secp256k1.PrivateKey) ([]byte, error) {
	hr, err := readHandshakeRand(rand)
	if err != nil {
		return nil, err
	}
	h.initNonce = hr.nonce
	h.randomPrivKey = hr.eph
	var (
		sender *eciesSender
		ourPub [pubLen]byte
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		sender = newECIESSender(hr.eciesEph, h.remote)
		ourPub = encodePubkey(pubKey(prv))
	}()
	static := ecdh(prv, h.remote)
	signed := xor32(static[:], h.initNonce[:])
	sig := signRecoverable(h.randomPrivKey, signed[:])
	<-done
	msg := authMsg{
		Signature:       sig,
		InitiatorPubkey: ourPub,
		Nonce:           h.initNonce,
		Version:         handshakeVersion,
	}
	return sealEIP8(msg.appendRLP(nil), hr, sender), nil
}

// handleAuth processes a decrypted auth body on the recipient side: it learns
// the initiator's static key and recovers its ephemeral key from the
// signature.
func (h *handshakeState) handleAuth(prv *secp256k1.PrivateKey, msg *authMsg) error {
	remote, err := parsePubkey(msg.InitiatorPubkey[:])
	if err != nil {
		return fmt.Errorf("initiator public key: %w", err)
	}
	return h.handleAuthFrom(prv, remote, msg)
}

func (h *handshakeState) handleAuthFrom(prv *secp256k1.PrivateKey, remote *secp256k1.PublicKey, msg *authMsg) error {
	h.remote = remote
	h.initNonce = msg.Nonce
	static := ecdh(prv, remote)
	signed := xor32(static[:], msg.Nonce[:])
	var err error
	if h.remoteRandomPub, err = recoverPubkey(&msg.Signature, signed[:]); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}

// respond checks a decoded auth message and builds the ack packet (size
// prefix included). The ack's ECIES half runs beside the signature check;
// the ack is only returned when the check passed.
func (h *handshakeState) respond(rand io.Reader, prv *secp256k1.PrivateKey, msg *authMsg) ([]byte, error) {
	remote, err := parsePubkey(msg.InitiatorPubkey[:])
	if err != nil {
		return nil, fmt.Errorf("%w: initiator public key: %w", ErrBadAuth, err)
	}
	hr, err := readHandshakeRand(rand)
	if err != nil {
		return nil, err
	}
	var (
		sender *eciesSender
		ephPub [pubLen]byte
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		sender = newECIESSender(hr.eciesEph, remote)
		ephPub = encodePubkey(pubKey(hr.eph))
	}()
	err = h.handleAuthFrom(prv, remote, msg)
	<-done
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadAuth, err)
	}
	h.respNonce = hr.nonce
	h.randomPrivKey = hr.eph
	ack := ackMsg{
		EphemeralPubkey: ephPub,
		Nonce:           h.respNonce,
		Version:         handshakeVersion,
	}
	return sealEIP8(ack.appendRLP(nil), hr, sender), nil
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

// sealEIP8 pads body, encrypts it and prepends the size prefix, which is also
// the ECIES shared authentication data.
func sealEIP8(body []byte, hr *handshakeRand, sender *eciesSender) []byte {
	body = append(body, make([]byte, hr.padding)...)
	size := len(body) + eciesOverhead
	packet := make([]byte, 2, 2+size)
	binary.BigEndian.PutUint16(packet, uint16(size))
	return sender.seal(packet, &hr.iv, body, packet[:2])
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
