package wire

import (
	"bytes"
	"crypto/sha3"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// MaxAddrV2Size is the longest address accepted in addrv2 (BIP155; Core's
// MAX_ADDRV2_SIZE).
const MaxAddrV2Size = 512

// NetworkID is a BIP155 network identifier.
type NetworkID uint8

// BIP155 networks.
const (
	NetIPv4  NetworkID = 1
	NetIPv6  NetworkID = 2
	NetTorV2 NetworkID = 3 // deprecated: Core ignores these entries
	NetTorV3 NetworkID = 4
	NetI2P   NetworkID = 5
	NetCJDNS NetworkID = 6
)

// addrV2Lengths are the address lengths BIP155 fixes per network. Core
// rejects the whole message when a known network's address has another
// length. TorV2 is absent: Core no longer knows it and skips such entries
// whatever their length, like any unknown network (BIP155 wanted length 10;
// we follow Core, the reference implementation).
var addrV2Lengths = map[NetworkID]int{
	NetIPv4:  4,
	NetIPv6:  16,
	NetTorV3: 32,
	NetI2P:   32,
	NetCJDNS: 16,
}

var networkNames = map[NetworkID]string{
	NetIPv4: "ipv4", NetIPv6: "ipv6", NetTorV2: "torv2", NetTorV3: "torv3", NetI2P: "i2p", NetCJDNS: "cjdns",
}

// String returns the network's name, or "network(N)".
func (n NetworkID) String() string {
	if s, ok := networkNames[n]; ok {
		return s
	}
	return "network(" + strconv.Itoa(int(n)) + ")"
}

// NetAddressV2 is one addrv2 entry (BIP155). Addr holds the raw address bytes
// so every entry, even of an unknown network, re-encodes exactly.
type NetAddressV2 struct {
	Timestamp uint32
	Services  ServiceFlag // a compact size on the wire
	Network   NetworkID
	Addr      []byte
	Port      uint16
}

// addrV2MinSize is time 4 + services 1 + network 1 + length 1 + port 2.
const addrV2MinSize = 9

// IPv6 prefixes that Core refuses inside an addrv2 IPv6 entry: IPv4 and TorV2
// must use their own network ids, and the internal range is never gossiped.
var (
	ipv4InIPv6     = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}
	torV2InIPv6    = []byte{0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43}
	internalInIPv6 = []byte{0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24}
)

// Supported reports whether Bitcoin Core would keep this entry: a network it
// knows (IPv4, IPv6, TorV3, I2P, CJDNS), and for IPv6 none of the embedded
// IPv4, TorV2 or internal prefixes. Callers should ignore other entries
// rather than treat them as errors (BIP155: unknown networks are skipped).
func (a *NetAddressV2) Supported() bool {
	want, ok := addrV2Lengths[a.Network]
	if !ok || len(a.Addr) != want {
		return false
	}
	if a.Network == NetIPv6 {
		return !bytes.HasPrefix(a.Addr, ipv4InIPv6) && !bytes.HasPrefix(a.Addr, torV2InIPv6) && !bytes.HasPrefix(a.Addr, internalInIPv6)
	}
	return true
}

// IP returns the address of an IPv4, IPv6 or CJDNS entry.
func (a *NetAddressV2) IP() (netip.Addr, bool) {
	switch {
	case a.Network == NetIPv4 && len(a.Addr) == 4:
		return netip.AddrFrom4([4]byte(a.Addr)), true
	case (a.Network == NetIPv6 || a.Network == NetCJDNS) && len(a.Addr) == 16:
		return netip.AddrFrom16([16]byte(a.Addr)), true
	}
	return netip.Addr{}, false
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Host returns the address as text: an IP for IPv4, IPv6 and CJDNS, a
// ".onion" name for TorV3 (with its checksum and version), a ".b32.i2p" name
// for I2P, and hex for anything else.
func (a *NetAddressV2) Host() string {
	if ip, ok := a.IP(); ok {
		return ip.String()
	}
	switch {
	case a.Network == NetTorV3 && len(a.Addr) == 32:
		// rend-spec-v3: base32(pubkey || checksum[:2] || version 3), where
		// checksum = SHA3-256(".onion checksum" || pubkey || version).
		const version = 3
		h := sha3.New256()
		h.Write([]byte(".onion checksum"))
		h.Write(a.Addr)
		h.Write([]byte{version})
		sum := h.Sum(nil)
		raw := append(append(append([]byte{}, a.Addr...), sum[:2]...), version)
		return strings.ToLower(b32.EncodeToString(raw)) + ".onion"
	case a.Network == NetI2P && len(a.Addr) == 32:
		return strings.ToLower(b32.EncodeToString(a.Addr)) + ".b32.i2p"
	}
	return hex.EncodeToString(a.Addr)
}

// MarshalJSON prints the address as Host does and the network by name.
func (a NetAddressV2) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Timestamp uint32      `json:"timestamp"`
		Services  ServiceFlag `json:"services"`
		Network   string      `json:"network"`
		Addr      string      `json:"addr"`
		Port      uint16      `json:"port"`
		Supported bool        `json:"supported"`
	}{a.Timestamp, a.Services, a.Network.String(), a.Host(), a.Port, a.Supported()})
}

// MsgAddrV2 is the "addrv2" message (BIP155, after sendaddrv2): addresses of
// any network, each with a compact-size services field and a variable-length
// address. Entries of networks Core does not use are decoded, kept and
// reported by Supported; a known network's address of the wrong length, or
// any address longer than MaxAddrV2Size, fails the whole message as in Core.
type MsgAddrV2 struct {
	AddrList []NetAddressV2 `json:"addresses"`
}

// Command implements Message.
func (*MsgAddrV2) Command() string { return CmdAddrV2 }

// MaxPayloadLength implements Message: every entry at its longest.
func (*MsgAddrV2) MaxPayloadLength(uint32) uint32 {
	return uint32(VarIntSize(MaxAddrPerMsg) + MaxAddrPerMsg*(4+9+1+VarIntSize(MaxAddrV2Size)+MaxAddrV2Size+2))
}

// Encode implements Message. It refuses what Decode would refuse.
func (m *MsgAddrV2) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	if len(m.AddrList) > MaxAddrPerMsg {
		return b, fmt.Errorf("%w: %d addresses > %d", ErrTooMany, len(m.AddrList), MaxAddrPerMsg)
	}
	b = AppendVarInt(b, uint64(len(m.AddrList)))
	for i := range m.AddrList {
		a := &m.AddrList[i]
		if err := checkAddrV2(a.Network, len(a.Addr)); err != nil {
			return b, fmt.Errorf("address %d: %w", i, err)
		}
		b = binary.LittleEndian.AppendUint32(b, a.Timestamp)
		b = AppendVarInt(b, uint64(a.Services))
		b = append(b, byte(a.Network))
		b = AppendVarBytes(b, a.Addr)
		b = binary.BigEndian.AppendUint16(b, a.Port)
	}
	return b, nil
}

func checkAddrV2(net NetworkID, n int) error {
	if n > MaxAddrV2Size {
		return fmt.Errorf("%w: %s address %d > %d bytes", ErrTooLong, net, n, MaxAddrV2Size)
	}
	if want, ok := addrV2Lengths[net]; ok && n != want {
		return fmt.Errorf("%w: %s address of %d bytes, want %d", ErrMalformed, net, n, want)
	}
	return nil
}

// Decode implements Message. Addresses alias p.
func (m *MsgAddrV2) Decode(p []byte, _ uint32, _ Encoding) error {
	r := reader{buf: p}
	m.AddrList = nil
	n := r.count(MaxAddrPerMsg, addrV2MinSize, "address count")
	if r.err != nil {
		return r.err
	}
	list := make([]NetAddressV2, n)
	for i := range list {
		a := &list[i]
		a.Timestamp = r.u32("address timestamp")
		a.Services = ServiceFlag(r.varint("address services"))
		a.Network = NetworkID(r.u8("network id"))
		a.Addr = r.varBytes(MaxAddrV2Size, "address")
		if r.err == nil {
			if err := checkAddrV2(a.Network, len(a.Addr)); err != nil {
				return fmt.Errorf("address %d: %w", i, err)
			}
		}
		a.Port = r.u16be("address port")
		if r.err != nil {
			return fmt.Errorf("address %d: %w", i, r.err)
		}
	}
	r.end(CmdAddrV2)
	if r.err != nil {
		return r.err
	}
	m.AddrList = list
	return nil
}
