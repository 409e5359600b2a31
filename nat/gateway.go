package nat

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"os"
	"strings"
)

// errNoRoute means no default route was found.
var errNoRoute = errors.New("no default gateway")

// defaultGateway returns the IPv4 default gateway. It reads Linux's
// /proc/net/route; elsewhere there is none and PMPGateway must be set.
func defaultGateway() (netip.Addr, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return netip.Addr{}, errNoRoute
	}
	defer f.Close()
	return parseRoutes(f)
}

// parseRoutes finds the default route in the format of /proc/net/route:
// a header line, then Iface, Destination, Gateway, Flags, ... with
// addresses as 8 hex digits in host byte order (little-endian).
func parseRoutes(r io.Reader) (netip.Addr, error) {
	const rtfUp, rtfGateway = 0x1, 0x2
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[1] != "00000000" {
			continue
		}
		flags, err := hex.DecodeString(f[3])
		if err != nil || len(flags) != 2 || binary.BigEndian.Uint16(flags)&(rtfUp|rtfGateway) != rtfUp|rtfGateway {
			continue
		}
		gw, err := hex.DecodeString(f[2])
		if err != nil || len(gw) != 4 {
			continue
		}
		return netip.AddrFrom4([4]byte{gw[3], gw[2], gw[1], gw[0]}), nil
	}
	return netip.Addr{}, errNoRoute
}
