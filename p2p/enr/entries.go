package enr

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/rlp"
)

// Entry is a typed record entry that can be stored with Record.Set.
type Entry interface {
	// ENRKey returns the entry's key.
	ENRKey() string
	// AppendRLP appends the entry's value as RLP.
	AppendRLP(b []byte) []byte
}

// EntryDecoder is a typed record entry that can be read with Record.Load.
type EntryDecoder interface {
	ENRKey() string
	// DecodeRLP decodes the value from raw, exactly one RLP value.
	DecodeRLP(raw []byte) error
}

// Errors from decoding standard entries.
var (
	ErrBadIPv4 = errors.New("invalid IPv4 address, wrong size")
	ErrBadIPv6 = errors.New("invalid IPv6 address, wrong size")
)

// Standard keys.
const (
	KeyID        = "id"
	KeySecp256k1 = "secp256k1"
	KeyIP        = "ip"
	KeyIP6       = "ip6"
	KeyTCP       = "tcp"
	KeyUDP       = "udp"
	KeyTCP6      = "tcp6"
	KeyUDP6      = "udp6"
	KeyNetwork   = "ledgernet"
)

// splitOne returns the content of raw, a single RLP string.
func splitOne(raw []byte) ([]byte, error) {
	content, rest, err := rlp.SplitString(raw)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, rlp.ErrMoreThanOneValue
	}
	return content, nil
}

func decodePort(raw []byte) (uint16, error) {
	s := rlp.NewStream(raw)
	p, err := s.Uint16()
	if err != nil {
		return 0, err
	}
	return p, s.End()
}

// ID is the "id" entry: the name of the identity scheme, "v4".
type ID string

func (ID) ENRKey() string              { return KeyID }
func (v ID) AppendRLP(b []byte) []byte { return rlp.AppendString(b, string(v)) }
func (v *ID) DecodeRLP(raw []byte) error {
	c, err := splitOne(raw)
	*v = ID(c)
	return err
}

// TCP is the "tcp" entry: the IPv4 TCP (RLPx) port.
type TCP uint16

func (TCP) ENRKey() string              { return KeyTCP }
func (v TCP) AppendRLP(b []byte) []byte { return rlp.AppendUint(b, uint64(v)) }
func (v *TCP) DecodeRLP(raw []byte) error {
	p, err := decodePort(raw)
	*v = TCP(p)
	return err
}

// UDP is the "udp" entry: the IPv4 UDP (discovery) port.
type UDP uint16

func (UDP) ENRKey() string              { return KeyUDP }
func (v UDP) AppendRLP(b []byte) []byte { return rlp.AppendUint(b, uint64(v)) }
func (v *UDP) DecodeRLP(raw []byte) error {
	p, err := decodePort(raw)
	*v = UDP(p)
	return err
}

// TCP6 is the "tcp6" entry: the IPv6 TCP port, when it differs from "tcp".
type TCP6 uint16

func (TCP6) ENRKey() string              { return KeyTCP6 }
func (v TCP6) AppendRLP(b []byte) []byte { return rlp.AppendUint(b, uint64(v)) }
func (v *TCP6) DecodeRLP(raw []byte) error {
	p, err := decodePort(raw)
	*v = TCP6(p)
	return err
}

// UDP6 is the "udp6" entry: the IPv6 UDP port, when it differs from "udp".
type UDP6 uint16

func (UDP6) ENRKey() string              { return KeyUDP6 }
func (v UDP6) AppendRLP(b []byte) []byte { return rlp.AppendUint(b, uint64(v)) }
func (v *UDP6) DecodeRLP(raw []byte) error {
	p, err := decodePort(raw)
	*v = UDP6(p)
	return err
}

// IPv4 is the "ip" entry: a 4-byte IPv4 address. An IPv4-mapped IPv6
// address is stored as its IPv4 form.
type IPv4 netip.Addr

func (IPv4) ENRKey() string { return KeyIP }
func (v IPv4) AppendRLP(b []byte) []byte {
	a := netip.Addr(v).Unmap()
	if !a.Is4() {
		return rlp.AppendBytes(b, nil)
	}
	ip := a.As4()
	return rlp.AppendBytes(b, ip[:])
}
func (v *IPv4) DecodeRLP(raw []byte) error {
	c, err := splitOne(raw)
	if err != nil {
		return err
	}
	if len(c) != 4 {
		return ErrBadIPv4
	}
	*v = IPv4(netip.AddrFrom4([4]byte(c)))
	return nil
}

// IPv6 is the "ip6" entry: a 16-byte IPv6 address.
type IPv6 netip.Addr

func (IPv6) ENRKey() string { return KeyIP6 }
func (v IPv6) AppendRLP(b []byte) []byte {
	a := netip.Addr(v)
	if !a.IsValid() {
		return rlp.AppendBytes(b, nil)
	}
	ip := a.As16()
	return rlp.AppendBytes(b, ip[:])
}
func (v *IPv6) DecodeRLP(raw []byte) error {
	c, err := splitOne(raw)
	if err != nil {
		return err
	}
	if len(c) != 16 {
		return ErrBadIPv6
	}
	*v = IPv6(netip.AddrFrom16([16]byte(c)))
	return nil
}

// Secp256k1 is the "secp256k1" entry: a 33-byte compressed public key.
type Secp256k1 secp256k1.PublicKey

func (Secp256k1) ENRKey() string { return KeySecp256k1 }
func (v Secp256k1) AppendRLP(b []byte) []byte {
	pub := secp256k1.PublicKey(v)
	return rlp.AppendBytes(b, pub.SerializeCompressed())
}
func (v *Secp256k1) DecodeRLP(raw []byte) error {
	c, err := splitOne(raw)
	if err != nil {
		return err
	}
	if len(c) != secp256k1.PubKeyBytesLenCompressed {
		return fmt.Errorf("invalid public key: %d bytes, want %d", len(c), secp256k1.PubKeyBytesLenCompressed)
	}
	pub, err := secp256k1.ParsePubKey(c)
	if err != nil {
		return err
	}
	*v = Secp256k1(*pub)
	return nil
}

// Network is the "ledgernet" entry, ledgernet's own: the name of the network
// the node belongs to (for example "devnet"), so that discovery can skip
// nodes of other networks and of other programs that share the discv4 DHT.
//
// Its value is an RLP list whose first item is the name: ["devnet"]. A list
// rather than a bare string leaves room to append fields later (a genesis
// hash, a fork identifier, as eth's own "eth" entry does); decoders ignore
// items after the name.
type Network string

func (Network) ENRKey() string { return KeyNetwork }
func (v Network) AppendRLP(b []byte) []byte {
	return rlp.AppendList(b, func(b []byte) []byte { return rlp.AppendString(b, string(v)) })
}
func (v *Network) DecodeRLP(raw []byte) error {
	s, err := rlp.NewListStream(raw)
	if err != nil {
		return err
	}
	name, err := s.Bytes()
	if err == rlp.ErrEOL {
		return errors.New("empty network list")
	}
	if err != nil {
		return err
	}
	*v = Network(name)
	return nil
}
