package wire

import (
	"encoding/binary"
	"net/netip"
)

// NetAddress is a peer address as version and addr carry it: services, a
// 16-byte IPv6 address (IPv4 as IPv4-mapped IPv6) and a big-endian port.
// Inside addr it is preceded by a timestamp from NetAddressTimeVersion on;
// inside version it never is.
type NetAddress struct {
	// Timestamp is the last time the address was seen (Unix seconds). It is
	// only on the wire in addr at pver >= NetAddressTimeVersion.
	Timestamp uint32      `json:"timestamp,omitempty"`
	Services  ServiceFlag `json:"services"`
	// IP is the address; an IPv4-mapped address is held unmapped (4 bytes)
	// and mapped again on encode, so the wire bytes round-trip.
	IP   netip.Addr `json:"ip"`
	Port uint16     `json:"port"`
}

// netAddressSize is services (8) + IP (16) + port (2), without timestamp.
const netAddressSize = 26

// AddrPort returns the IP and port.
func (na NetAddress) AddrPort() netip.AddrPort { return netip.AddrPortFrom(na.IP, na.Port) }

func (na *NetAddress) append(b []byte, withTime bool) []byte {
	if withTime {
		b = binary.LittleEndian.AppendUint32(b, na.Timestamp)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(na.Services))
	// As16 maps IPv4 to ::ffff:a.b.c.d and the zero Addr to "::".
	ip := na.IP.As16()
	b = append(b, ip[:]...)
	return binary.BigEndian.AppendUint16(b, na.Port)
}

func (r *reader) netAddress(na *NetAddress, withTime bool) {
	if withTime {
		na.Timestamp = r.u32("address timestamp")
	}
	na.Services = ServiceFlag(r.u64("address services"))
	b := r.next(16, "address IP")
	if b != nil {
		na.IP = netip.AddrFrom16([16]byte(b)).Unmap()
	}
	na.Port = r.u16be("address port")
}
