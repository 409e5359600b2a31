package v4wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/rlp"
	"golang.org/x/crypto/sha3"
)

// Packet types.
const (
	PingPacket        byte = 1
	PongPacket        byte = 2
	FindnodePacket    byte = 3
	NeighborsPacket   byte = 4
	ENRRequestPacket  byte = 5
	ENRResponsePacket byte = 6
)

// Sizes.
const (
	// MaxPacketSize is the largest discv4 packet: the IPv6 minimum MTU. No
	// implementation sends more, so anything larger is hostile or broken.
	MaxPacketSize = 1280

	macSize  = 32
	sigSize  = 65
	headSize = macSize + sigSize // packet hash and signature

	// MaxNeighbors is the most nodes one Neighbors packet can carry while
	// staying within MaxPacketSize when every node has an IPv6 address and
	// maximal ports (see TestMaxNeighbors for the arithmetic). Answers to
	// Findnode are split into packets of at most this many nodes.
	MaxNeighbors = 12
)

// Errors returned by Decode.
var (
	ErrPacketTooSmall = errors.New("v4wire: packet too small")
	ErrPacketTooBig   = errors.New("v4wire: packet too big")
	ErrBadHash        = errors.New("v4wire: bad hash")
	ErrBadSignature   = errors.New("v4wire: bad signature")
	ErrUnknownType    = errors.New("v4wire: unknown packet type")
	ErrBadPacket      = errors.New("v4wire: malformed packet data")
)

// Packet is a discv4 packet. The six types of this package implement it;
// tests implement it too, to send packets this package would never produce.
type Packet interface {
	// Name returns the packet's name for logs, like "PING/v4".
	Name() string
	// Kind returns the packet type byte.
	Kind() byte
	// AppendRLP appends the packet-data, an RLP list, to b.
	AppendRLP(b []byte) []byte
}

// Pubkey is a secp256k1 public key as discv4 carries it: the 64 bytes X‖Y
// of the uncompressed form, without the 0x04 prefix.
type Pubkey [64]byte

// EncodePubkey returns the wire form of a public key.
func EncodePubkey(pub *secp256k1.PublicKey) Pubkey {
	var p Pubkey
	copy(p[:], pub.SerializeUncompressed()[1:])
	return p
}

// DecodePubkey parses the wire form, checking that the point is on the
// curve. Keys from Neighbors and Findnode are unverified input.
func DecodePubkey(p Pubkey) (*secp256k1.PublicKey, error) {
	var b [65]byte
	b[0] = secp256k1.PubKeyFormatUncompressed
	copy(b[1:], p[:])
	return secp256k1.ParsePubKey(b[:])
}

// ID returns the node ID of the key: keccak256(X‖Y). It does not check that
// the key is a point on the curve; for a Findnode target that need not be.
func (p Pubkey) ID() enode.ID {
	var id enode.ID
	h := sha3.NewLegacyKeccak256()
	h.Write(p[:])
	h.Sum(id[:0])
	return id
}

// String returns the key as 128 hex characters.
func (p Pubkey) String() string { return hex.EncodeToString(p[:]) }

// Endpoint is the [ip, udp, tcp] triple of Ping and Pong.
type Endpoint struct {
	// IP is the address; it is invalid (the zero Addr) when the wire held
	// something other than 4 or 16 bytes, which go-ethereum accepts and
	// ignores.
	IP  netip.Addr
	UDP uint16
	TCP uint16
}

// NewEndpoint returns the endpoint of a UDP address and a TCP port.
func NewEndpoint(addr netip.AddrPort, tcp uint16) Endpoint {
	return Endpoint{IP: addr.Addr().Unmap(), UDP: addr.Port(), TCP: tcp}
}

func (e Endpoint) appendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = appendIP(b, e.IP)
	b = rlp.AppendUint(b, uint64(e.UDP))
	b = rlp.AppendUint(b, uint64(e.TCP))
	return rlp.EndList(b, start)
}

func decodeEndpoint(s *rlp.Stream) (Endpoint, error) {
	var e Endpoint
	l, err := s.List()
	if err != nil {
		return e, err
	}
	if e.IP, err = decodeIP(&l); err != nil {
		return e, err
	}
	if e.UDP, err = l.Uint16(); err != nil {
		return e, err
	}
	if e.TCP, err = l.Uint16(); err != nil {
		return e, err
	}
	// Unlike the packets, an endpoint is a fixed struct in go-ethereum:
	// extra elements are an error there, and so here.
	return e, l.End()
}

// Node is one entry of Neighbors: [ip, udp, tcp, pubkey].
type Node struct {
	IP  netip.Addr // invalid if the wire held neither 4 nor 16 bytes
	UDP uint16
	TCP uint16
	ID  Pubkey
}

// nodeMaxSize is the largest encoding of a Node: a 16-byte IP, two 2-byte
// ports and the key.
const nodeMaxSize = 2 + (1 + 16) + 3 + 3 + (2 + 64)

func (n Node) appendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = appendIP(b, n.IP)
	b = rlp.AppendUint(b, uint64(n.UDP))
	b = rlp.AppendUint(b, uint64(n.TCP))
	b = rlp.AppendBytes(b, n.ID[:])
	return rlp.EndList(b, start)
}

func decodeNode(s *rlp.Stream) (Node, error) {
	var n Node
	l, err := s.List()
	if err != nil {
		return n, err
	}
	if n.IP, err = decodeIP(&l); err != nil {
		return n, err
	}
	if n.UDP, err = l.Uint16(); err != nil {
		return n, err
	}
	if n.TCP, err = l.Uint16(); err != nil {
		return n, err
	}
	if err := decodePubkey(&l, &n.ID); err != nil {
		return n, err
	}
	return n, l.End()
}

// appendIP writes an IPv4 address as 4 bytes and IPv6 as 16, as go-ethereum
// does; an invalid address is the empty string.
func appendIP(b []byte, ip netip.Addr) []byte {
	switch {
	case !ip.IsValid():
		return rlp.AppendBytes(b, nil)
	case ip.Unmap().Is4():
		a := ip.Unmap().As4()
		return rlp.AppendBytes(b, a[:])
	default:
		a := ip.As16()
		return rlp.AppendBytes(b, a[:])
	}
}

func decodeIP(s *rlp.Stream) (netip.Addr, error) {
	b, err := s.Bytes()
	if err != nil {
		return netip.Addr{}, err
	}
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)), nil
	case 16:
		// IPv4 in its mapped form (what net.ParseIP yields) is still IPv4.
		return netip.AddrFrom16([16]byte(b)).Unmap(), nil
	default:
		return netip.Addr{}, nil
	}
}

var errPubkeySize = errors.New("public key must be 64 bytes")

func decodePubkey(s *rlp.Stream, p *Pubkey) error {
	b, err := s.Bytes()
	if err != nil {
		return err
	}
	if len(b) != len(p) {
		return errPubkeySize
	}
	copy(p[:], b)
	return nil
}

// decodeTail collects the remaining list elements (EIP-8 extra fields).
// Like go-ethereum it checks each element's header but not what is inside
// an element: the fields are kept, never interpreted.
func decodeTail(s *rlp.Stream) ([][]byte, error) {
	var rest [][]byte
	for s.More() {
		v, err := s.Raw()
		if err != nil {
			return nil, err
		}
		rest = append(rest, bytes.Clone(v))
	}
	return rest, nil
}

func appendTail(b []byte, rest [][]byte) []byte {
	for _, v := range rest {
		b = append(b, v...)
	}
	return b
}

// Expired reports whether an expiration timestamp lies before now. The
// timestamp is read as a signed number of seconds, as go-ethereum does, so
// that values of 2^63 and above are in the past.
func Expired(ts uint64, now time.Time) bool {
	return time.Unix(int64(ts), 0).Before(now)
}

// Expiration returns the expiration timestamp for a packet sent at now that
// should be valid for d.
func Expiration(now time.Time, d time.Duration) uint64 {
	return uint64(now.Add(d).Unix())
}

// Hash is a packet hash, the first 32 bytes of a packet. Replies carry the
// hash of the request they answer (Pong.ReplyTok, ENRResponse.ReplyTok).
type Hash [32]byte

// String returns the hash as hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

func keccak(parts ...[]byte) Hash {
	var out Hash
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	h.Sum(out[:0])
	return out
}

// Encode signs p with key and returns the packet and its hash.
func Encode(key *secp256k1.PrivateKey, p Packet) ([]byte, Hash, error) {
	b := make([]byte, headSize+1, 256)
	b[headSize] = p.Kind()
	b = p.AppendRLP(b)
	return seal(key, b)
}

// EncodeRaw signs an arbitrary packet type and data, which need not be
// valid RLP. It exists for tests and tools that must produce packets a
// correct implementation would never send.
func EncodeRaw(key *secp256k1.PrivateKey, kind byte, data []byte) ([]byte, Hash, error) {
	b := make([]byte, headSize+1, headSize+1+len(data))
	b[headSize] = kind
	b = append(b, data...)
	return seal(key, b)
}

// seal fills in the signature and hash of b, whose first headSize bytes are
// reserved for them.
func seal(key *secp256k1.PrivateKey, b []byte) ([]byte, Hash, error) {
	if len(b) > MaxPacketSize {
		return nil, Hash{}, fmt.Errorf("%w: %d bytes", ErrPacketTooBig, len(b))
	}
	sighash := keccak(b[headSize:])
	// SignCompact returns [27+recid, r, s]; discv4 wants r ‖ s ‖ recid.
	compact := ecdsa.SignCompact(key, sighash[:], false)
	copy(b[macSize:], compact[1:])
	b[macSize+64] = compact[0] - 27
	hash := keccak(b[macSize:])
	copy(b, hash[:])
	return b, hash, nil
}

// Decode checks a packet's size, hash and signature, and decodes it. It
// returns the packet, the sender's public key (whose ID method gives the
// node ID), and the packet hash. After a valid signature, errors for an
// unknown type or bad packet-data still return the sender's key. The packet
// does not alias input.
func Decode(input []byte) (Packet, Pubkey, Hash, error) {
	if len(input) < headSize+1 {
		return nil, Pubkey{}, Hash{}, ErrPacketTooSmall
	}
	// Checked before hashing: a peer can send up to 64 KiB in one datagram.
	if len(input) > MaxPacketSize {
		return nil, Pubkey{}, Hash{}, ErrPacketTooBig
	}
	hash, sig, sigdata := input[:macSize], input[macSize:headSize], input[headSize:]
	// Checked before recovery, which costs two orders of magnitude more.
	want := keccak(input[macSize:])
	if !bytes.Equal(hash, want[:]) {
		return nil, Pubkey{}, Hash{}, ErrBadHash
	}
	key, err := recoverKey(sig, sigdata)
	if err != nil {
		return nil, Pubkey{}, want, err
	}
	p, err := decodeData(sigdata[0], sigdata[1:])
	return p, key, want, err
}

func recoverKey(sig, sigdata []byte) (Pubkey, error) {
	v := sig[64]
	if v > 3 {
		return Pubkey{}, fmt.Errorf("%w: recovery id %d", ErrBadSignature, v)
	}
	var compact [65]byte
	compact[0] = 27 + v
	copy(compact[1:], sig[:64])
	sighash := keccak(sigdata)
	pub, _, err := ecdsa.RecoverCompact(compact[:], sighash[:])
	if err != nil {
		return Pubkey{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return EncodePubkey(pub), nil
}

func decodeData(kind byte, data []byte) (Packet, error) {
	// Bytes after the packet-data list are ignored (EIP-8).
	content, _, err := rlp.SplitList(data)
	if err != nil {
		return nil, badPacket(kind, err)
	}
	s := rlp.NewStream(content)
	var p Packet
	switch kind {
	case PingPacket:
		p, err = decodePing(&s)
	case PongPacket:
		p, err = decodePong(&s)
	case FindnodePacket:
		p, err = decodeFindnode(&s)
	case NeighborsPacket:
		p, err = decodeNeighbors(&s)
	case ENRRequestPacket:
		p, err = decodeENRRequest(&s)
	case ENRResponsePacket:
		p, err = decodeENRResponse(&s)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, kind)
	}
	if err != nil {
		return nil, badPacket(kind, err)
	}
	return p, nil
}

func badPacket(kind byte, err error) error {
	return fmt.Errorf("%w: type %d: %w", ErrBadPacket, kind, err)
}
