package nat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Errors.
var (
	// ErrNoGateway means no gateway answered.
	ErrNoGateway = errors.New("nat: no gateway found")
	// ErrBadSpec means a --nat setting Parse does not know.
	ErrBadSpec = errors.New("nat: bad setting")
	// ErrBadProto means a protocol other than tcp and udp.
	ErrBadProto = errors.New("nat: protocol must be tcp or udp")
)

// Interface is a way to map ports on a NAT gateway and learn the external
// address. Implementations are safe for concurrent use.
type Interface interface {
	// ExternalIP returns the gateway's external address.
	ExternalIP(ctx context.Context) (netip.Addr, error)
	// AddMapping maps extport on the external side to intport on this host
	// for proto ("tcp" or "udp") for lifetime, and returns the external port
	// the gateway granted (NAT-PMP may grant another).
	AddMapping(ctx context.Context, proto string, extport, intport uint16, name string, lifetime time.Duration) (uint16, error)
	// DeleteMapping removes a mapping made by AddMapping.
	DeleteMapping(ctx context.Context, proto string, extport, intport uint16) error
	// String names the mechanism, for logs.
	String() string
}

// Config configures the Interfaces Parse returns. The zero value searches
// the local network.
type Config struct {
	// DiscoverUPnP returns the device description URLs of the UPnP gateways
	// to try. Nil means an SSDP search on the local network.
	DiscoverUPnP func(ctx context.Context) ([]*url.URL, error)
	// PMPGateway is the NAT-PMP server. The zero value means the default
	// gateway, port 5351.
	PMPGateway netip.AddrPort
	// Timeout bounds finding a gateway. Zero means 5s.
	Timeout time.Duration
}

const defaultTimeout = 5 * time.Second

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultTimeout
}

// Parse turns a --nat setting into an Interface: "none" (or "") is nil,
// "any" tries UPnP and NAT-PMP, "upnp" and "pmp" one of them, "extip:IP" a
// fixed address. No packet is sent until the Interface is used.
func Parse(spec string, cfg Config) (Interface, error) {
	mech, arg, _ := strings.Cut(spec, ":")
	switch strings.ToLower(mech) {
	case "", "none", "off":
		return nil, nil
	case "any", "auto", "on":
		return Any(cfg), nil
	case "upnp":
		return UPnP(cfg), nil
	case "pmp", "natpmp", "nat-pmp":
		return PMP(cfg), nil
	case "extip", "ip":
		ip, err := netip.ParseAddr(arg)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrBadSpec, spec, err)
		}
		return ExtIP(ip), nil
	}
	return nil, fmt.Errorf("%w %q (want any, none, upnp, pmp or extip:IP)", ErrBadSpec, spec)
}

// ExtIP is a fixed external address with no gateway to ask: the user
// forwarded the ports by hand. AddMapping grants the port asked for.
type ExtIP netip.Addr

// ExternalIP implements Interface.
func (e ExtIP) ExternalIP(context.Context) (netip.Addr, error) { return netip.Addr(e), nil }

// AddMapping implements Interface; it maps nothing.
func (e ExtIP) AddMapping(_ context.Context, proto string, extport, _ uint16, _ string, _ time.Duration) (uint16, error) {
	if _, err := normProto(proto); err != nil {
		return 0, err
	}
	return extport, nil
}

// DeleteMapping implements Interface; it does nothing.
func (ExtIP) DeleteMapping(context.Context, string, uint16, uint16) error { return nil }

func (e ExtIP) String() string { return "extip:" + netip.Addr(e).String() }

// normProto returns "tcp" or "udp".
func normProto(p string) (string, error) {
	switch strings.ToLower(p) {
	case "tcp":
		return "tcp", nil
	case "udp":
		return "udp", nil
	}
	return "", fmt.Errorf("%w: %q", ErrBadProto, p)
}

// lazy finds its Interface on first use, and again after a failure.
type lazy struct {
	name     string
	timeout  time.Duration
	discover func(ctx context.Context) (Interface, error)

	sem   chan struct{} // one discovery at a time; holding it guards found
	found Interface
}

func newLazy(name string, timeout time.Duration, discover func(context.Context) (Interface, error)) *lazy {
	return &lazy{name: name, timeout: timeout, discover: discover, sem: make(chan struct{}, 1)}
}

func (l *lazy) get(ctx context.Context) (Interface, error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-l.sem }()
	if l.found != nil {
		return l.found, nil
	}
	dctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	n, err := l.discover(dctx)
	if err != nil {
		return nil, err
	}
	l.found = n
	return n, nil
}

func (l *lazy) ExternalIP(ctx context.Context) (netip.Addr, error) {
	n, err := l.get(ctx)
	if err != nil {
		return netip.Addr{}, err
	}
	return n.ExternalIP(ctx)
}

func (l *lazy) AddMapping(ctx context.Context, proto string, extport, intport uint16, name string, lifetime time.Duration) (uint16, error) {
	n, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	return n.AddMapping(ctx, proto, extport, intport, name, lifetime)
}

func (l *lazy) DeleteMapping(ctx context.Context, proto string, extport, intport uint16) error {
	n, err := l.get(ctx)
	if err != nil {
		return err
	}
	return n.DeleteMapping(ctx, proto, extport, intport)
}

func (l *lazy) String() string {
	select {
	case l.sem <- struct{}{}:
		defer func() { <-l.sem }()
		if l.found != nil {
			return l.found.String()
		}
	default: // discovery under way
	}
	return l.name
}

// UPnP returns an Interface that finds a UPnP gateway on first use.
func UPnP(cfg Config) Interface {
	return newLazy("upnp", cfg.timeout(), func(ctx context.Context) (Interface, error) {
		return discoverUPnP(ctx, cfg.DiscoverUPnP)
	})
}

// PMP returns an Interface that talks NAT-PMP to cfg.PMPGateway, or to the
// default gateway, checking on first use that it answers.
func PMP(cfg Config) Interface {
	return newLazy("natpmp", cfg.timeout(), func(ctx context.Context) (Interface, error) {
		return discoverPMP(ctx, cfg.PMPGateway)
	})
}

// Any returns an Interface that tries UPnP and NAT-PMP at once on first use
// and keeps whichever answers first.
func Any(cfg Config) Interface {
	return newLazy("any", cfg.timeout(), func(ctx context.Context) (Interface, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			n   Interface
			err error
		}
		// Both goroutines end before Any returns: the channel holds both
		// results, and we read both unless one succeeded, in which case
		// cancel stops the other and we still wait for it.
		results := make(chan result, 2)
		go func() { n, err := discoverUPnP(ctx, cfg.DiscoverUPnP); results <- result{n, err} }()
		go func() { n, err := discoverPMP(ctx, cfg.PMPGateway); results <- result{n, err} }()
		var errs []error
		var found Interface
		for range 2 {
			r := <-results
			if r.err == nil && found == nil {
				found = r.n
				cancel()
				continue
			}
			if r.err != nil {
				errs = append(errs, r.err)
			}
		}
		if found != nil {
			return found, nil
		}
		return nil, fmt.Errorf("%w: %w", ErrNoGateway, errors.Join(errs...))
	})
}
