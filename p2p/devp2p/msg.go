package devp2p

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/rlp"
)

// Base protocol constants, as go-ethereum and the devp2p spec (rlpx.md) use
// them.
const (
	// Version is the base protocol version this package speaks. Version 5
	// added snappy compression of every message after Hello.
	Version = 5
	// SnappyVersion is the lowest peer version for which snappy is turned
	// on after the Hello exchange.
	SnappyVersion = 5

	// BaseLength is the number of message codes the base protocol keeps for
	// itself; capability protocols are numbered from here.
	BaseLength = 16

	// MaxHelloSize caps a Hello (and a Disconnect read in its place), as
	// go-ethereum's baseProtocolMaxMsgSize.
	MaxHelloSize = 2 << 10

	// IDLen is the length of the node ID in a Hello: the uncompressed
	// secp256k1 public key without its 0x04 prefix (X‖Y).
	IDLen = 64
)

// Base protocol message codes. Codes 4-15 are reserved and ignored.
const (
	HelloMsg      = 0x00
	DisconnectMsg = 0x01
	PingMsg       = 0x02
	PongMsg       = 0x03
)

// Errors of the base protocol codecs.
var (
	// ErrBadHello means a Hello message could not be decoded.
	ErrBadHello = errors.New("devp2p: malformed hello")
	// ErrBadDisconnect means a Disconnect payload could not be decoded.
	ErrBadDisconnect = errors.New("devp2p: malformed disconnect")
)

// Cap is a capability: a protocol name and version offered in Hello.
type Cap struct {
	Name    string
	Version uint
}

// String returns "name/version", as in go-ethereum's logs.
func (c Cap) String() string { return c.Name + "/" + strconv.FormatUint(uint64(c.Version), 10) }

// Cmp orders capabilities by name, then version.
func (c Cap) Cmp(o Cap) int {
	if c.Name != o.Name {
		if c.Name < o.Name {
			return -1
		}
		return 1
	}
	switch {
	case c.Version < o.Version:
		return -1
	case c.Version > o.Version:
		return 1
	}
	return 0
}

// Hello is the first message of every devp2p connection:
//
//	[protocolVersion: P, clientId: B, capabilities: [[name: B, version: P], ...],
//	 listenPort: P, nodeId: B_64, ...]
//
// Extra list elements after nodeId (EIP-8) are ignored when decoding.
type Hello struct {
	Version    uint64
	Name       string
	Caps       []Cap
	ListenPort uint64
	ID         [IDLen]byte
}

// AppendHello appends the RLP encoding of h to b.
func AppendHello(b []byte, h *Hello) []byte {
	b, outer := rlp.StartList(b)
	b = rlp.AppendUint(b, h.Version)
	b = rlp.AppendString(b, h.Name)
	b, caps := rlp.StartList(b)
	for _, c := range h.Caps {
		var item int
		b, item = rlp.StartList(b)
		b = rlp.AppendString(b, c.Name)
		b = rlp.AppendUint(b, uint64(c.Version))
		b = rlp.EndList(b, item)
	}
	b = rlp.EndList(b, caps)
	b = rlp.AppendUint(b, h.ListenPort)
	b = rlp.AppendBytes(b, h.ID[:])
	return rlp.EndList(b, outer)
}

// DecodeHello decodes a Hello payload. Like go-ethereum it accepts extra
// list elements (each must still be valid RLP) and bytes after the list, and
// requires canonical integers and a 64-byte node ID; an ID of another length,
// or all zeros, is an error wrapping p2p.DiscInvalidIdentity. The caller caps
// the payload at MaxHelloSize before calling.
func DecodeHello(b []byte) (*Hello, error) {
	h, err := decodeHello(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadHello, err)
	}
	return h, nil
}

func decodeHello(b []byte) (*Hello, error) {
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return nil, err
	}
	s := rlp.NewStream(content)
	h := new(Hello)
	if h.Version, err = s.Uint64(); err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	name, err := s.Bytes()
	if err != nil {
		return nil, fmt.Errorf("client name: %w", err)
	}
	h.Name = string(name)
	caps, err := s.List()
	if err != nil {
		return nil, fmt.Errorf("capabilities: %w", err)
	}
	// Counted first, so the slice is sized by what is present, never by a
	// claimed length.
	n, err := rlp.CountValues(caps.Rest())
	if err != nil {
		return nil, fmt.Errorf("capabilities: %w", err)
	}
	h.Caps = make([]Cap, 0, n)
	for caps.More() {
		c, err := caps.List()
		if err != nil {
			return nil, fmt.Errorf("capability %d: %w", len(h.Caps), err)
		}
		name, err := c.Bytes()
		if err != nil {
			return nil, fmt.Errorf("capability %d name: %w", len(h.Caps), err)
		}
		v, err := c.Uint64()
		if err != nil {
			return nil, fmt.Errorf("capability %d version: %w", len(h.Caps), err)
		}
		// go-ethereum decodes a capability into a two-field struct without
		// a tail: extra elements are an error there too.
		if err := c.End(); err != nil {
			return nil, fmt.Errorf("capability %d: %w", len(h.Caps), err)
		}
		h.Caps = append(h.Caps, Cap{Name: string(name), Version: uint(v)})
	}
	if h.ListenPort, err = s.Uint64(); err != nil {
		return nil, fmt.Errorf("listen port: %w", err)
	}
	id, err := s.Bytes()
	if err != nil {
		return nil, fmt.Errorf("node ID: %w", err)
	}
	if len(id) != IDLen {
		return nil, fmt.Errorf("%w: node ID of %d bytes", p2p.DiscInvalidIdentity, len(id))
	}
	if bytes.Count(id, []byte{0}) == IDLen {
		return nil, fmt.Errorf("%w: zero node ID", p2p.DiscInvalidIdentity)
	}
	copy(h.ID[:], id)
	// EIP-8: later versions may add elements; each must still be RLP.
	for s.More() {
		if err := s.Skip(); err != nil {
			return nil, fmt.Errorf("extra element: %w", err)
		}
	}
	return h, nil
}

// AppendDisconnect appends a Disconnect payload: the list [reason], which is
// what go-ethereum sends.
func AppendDisconnect(b []byte, reason p2p.DiscReason) []byte {
	b, l := rlp.StartList(b)
	b = rlp.AppendUint(b, uint64(reason))
	return rlp.EndList(b, l)
}

// DecodeDisconnect decodes a Disconnect payload. It reads the list
// [reason, ...] that go-ethereum sends and the bare reason some
// implementations send; extra list elements and trailing bytes are ignored.
//
// An empty payload and an empty list carry no reason; both decode as
// p2p.DiscRequested without error. (go-ethereum reports them as its local
// "invalid" reason 0xff; the peer is gone either way, and "requested" is
// what a reasonless disconnect means.) Anything else that is not a reason
// of at most one byte returns ErrBadDisconnect.
func DecodeDisconnect(b []byte) (p2p.DiscReason, error) {
	if len(b) == 0 {
		return p2p.DiscRequested, nil
	}
	k, content, _, err := rlp.Split(b)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadDisconnect, err)
	}
	s := rlp.NewStream(b)
	if k == rlp.List {
		if len(content) == 0 {
			return p2p.DiscRequested, nil
		}
		s = rlp.NewStream(content)
	}
	r, err := s.Uint8()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadDisconnect, err)
	}
	return p2p.DiscReason(r), nil
}
