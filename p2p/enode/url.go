package enode

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/ledgernet/ledgernet/p2p/enr"
)

// Errors from parsing node URLs.
var (
	ErrInvalidURL = errors.New("enode: invalid node URL")
	// ErrHostname is returned by ParseV4 for a DNS name in place of an IP.
	ErrHostname = errors.New("enode: host is not an IP address (DNS names need ParseV4WithResolver)")
)

// maxURLLen bounds a URL before parsing. The longest valid enode URL (IPv6,
// discport) is about 200 characters.
const maxURLLen = 1024

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it; tests inject a fake.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Parse parses an "enode://" URL (see ParseV4) or an "enr:" record text,
// whose signature it verifies, as go-ethereum's enode.Parse does.
func Parse(input string) (*Node, error) {
	if strings.HasPrefix(input, "enode://") {
		return ParseV4(input)
	}
	if !strings.HasPrefix(input, "enr:") {
		return nil, enr.ErrMissingPrefix
	}
	r, err := enr.Parse(input)
	if err != nil {
		return nil, err
	}
	return newNode(r)
}

// ParseV4 parses an enode URL:
//
//	enode://<hex pubkey>@<ip>:<tcp>[?discport=<udp>]
//	enode://<hex pubkey>   (incomplete node; the scheme may be omitted)
//
// The host must be an IP address; a DNS name gives ErrHostname.
func ParseV4(rawurl string) (*Node, error) {
	return parseV4(context.Background(), rawurl, nil)
}

// ParseV4WithResolver is ParseV4, but resolves a DNS host name with r,
// taking the first IPv4 address, or else the first address.
func ParseV4WithResolver(ctx context.Context, rawurl string, r Resolver) (*Node, error) {
	return parseV4(ctx, rawurl, r)
}

func parseV4(ctx context.Context, rawurl string, res Resolver) (*Node, error) {
	if len(rawurl) > maxURLLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrInvalidURL, maxURLLen)
	}
	if hexID, ok := incompleteURL(rawurl); ok {
		pub, err := ParsePubkey(hexID)
		if err != nil {
			return nil, fmt.Errorf("%w: invalid node ID (%w)", ErrInvalidURL, err)
		}
		return NewV4(pub, netip.Addr{}, 0, 0), nil
	}
	u, err := url.Parse(rawurl)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if u.Scheme != "enode" {
		return nil, fmt.Errorf(`%w: invalid URL scheme, want "enode"`, ErrInvalidURL)
	}
	if u.User == nil {
		return nil, fmt.Errorf("%w: does not contain node ID", ErrInvalidURL)
	}
	pub, err := ParsePubkey(u.User.String())
	if err != nil {
		return nil, fmt.Errorf("%w: invalid public key (%w)", ErrInvalidURL, err)
	}
	tcp, err := strconv.ParseUint(u.Port(), 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid port", ErrInvalidURL)
	}
	udp := tcp
	if d := u.Query().Get("discport"); d != "" {
		if udp, err = strconv.ParseUint(d, 10, 16); err != nil {
			return nil, fmt.Errorf("%w: invalid discport in query", ErrInvalidURL)
		}
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	switch {
	case err == nil && ip.Zone() != "":
		return nil, fmt.Errorf("%w: IPv6 zone not allowed", ErrInvalidURL)
	case err != nil && host == "":
		return nil, fmt.Errorf("%w: missing host", ErrInvalidURL)
	case err != nil && res == nil:
		return nil, fmt.Errorf("%w: %q", ErrHostname, host)
	case err != nil:
		if ip, err = resolve(ctx, res, host); err != nil {
			return nil, err
		}
	}
	return NewV4(pub, ip.Unmap(), uint16(tcp), uint16(udp)), nil
}

// incompleteURL matches enode://<hex> and bare <hex> (scheme in any case),
// returning the hex part.
func incompleteURL(s string) (string, bool) {
	if len(s) >= 8 && strings.EqualFold(s[:8], "enode://") {
		s = s[8:]
	}
	if s == "" {
		return "", false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return s, true
}

func resolve(ctx context.Context, res Resolver, host string) (netip.Addr, error) {
	addrs, err := res.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("enode: resolve %q: %w", host, err)
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("enode: resolve %q: no addresses", host)
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	return addrs[0], nil
}

// URLv4 returns the node's enode URL in go-ethereum's format: the host is
// the 128-hex-character public key for an incomplete node; otherwise the key
// is the user part, the host is ip:tcp ([ip]:tcp for IPv6), and discport is
// added when the UDP port differs from the TCP port.
func (n *Node) URLv4() string {
	nodeid := PubkeyHex(n.pub)
	u := url.URL{Scheme: "enode"}
	if n.ip.IsValid() {
		u.User = url.User(nodeid)
		u.Host = netip.AddrPortFrom(n.ip, n.tcp).String()
		if n.udp != n.tcp {
			u.RawQuery = "discport=" + strconv.Itoa(int(n.udp))
		}
	} else {
		u.Host = nodeid
	}
	return u.String()
}
