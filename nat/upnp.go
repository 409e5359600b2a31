package nat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/huin/goupnp"
	"github.com/huin/goupnp/dcps/internetgateway1"
	"github.com/huin/goupnp/dcps/internetgateway2"
	"github.com/huin/goupnp/soap"
)

// IGD device types searched by SSDP.
const (
	urnIGDv1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
	urnIGDv2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
)

// UPnP error code of a gateway that only takes permanent leases.
const upnpOnlyPermanentLeases = 725

// igdClient is what the generated WANIPConnection and WANPPPConnection
// clients of IGDv1 and IGDv2 have in common.
type igdClient interface {
	GetExternalIPAddressCtx(ctx context.Context) (string, error)
	AddPortMappingCtx(ctx context.Context, remoteHost string, extPort uint16, proto string, intPort uint16,
		intClient string, enabled bool, desc string, lease uint32) error
	DeletePortMappingCtx(ctx context.Context, remoteHost string, extPort uint16, proto string) error
}

// upnp is one WAN connection service of a gateway.
type upnp struct {
	c        igdClient
	service  string
	internal netip.Addr // our address as the gateway sees it
}

func (u *upnp) String() string { return "upnp(" + u.service + ")" }

// ExternalIP implements Interface.
func (u *upnp) ExternalIP(ctx context.Context) (netip.Addr, error) {
	s, err := u.c.GetExternalIPAddressCtx(ctx)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("upnp: %w", err)
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("upnp: gateway's external address %q: %w", s, err)
	}
	return ip.Unmap(), nil
}

// AddMapping implements Interface. A gateway that only takes permanent
// leases gets one; the Mapper still renews it.
func (u *upnp) AddMapping(ctx context.Context, proto string, extport, intport uint16, name string, lifetime time.Duration) (uint16, error) {
	p, err := normProto(proto)
	if err != nil {
		return 0, err
	}
	p = strings.ToUpper(p)
	lease := uint32(min(max(lifetime/time.Second, 0), 1<<32-1))
	// Delete first: some gateways refuse to overwrite a mapping, even one
	// of ours from a previous run.
	u.c.DeletePortMappingCtx(ctx, "", extport, p)
	err = u.c.AddPortMappingCtx(ctx, "", extport, p, intport, u.internal.String(), true, name, lease)
	if upnpCode(err) == upnpOnlyPermanentLeases && lease != 0 {
		err = u.c.AddPortMappingCtx(ctx, "", extport, p, intport, u.internal.String(), true, name, 0)
	}
	if err != nil {
		return 0, fmt.Errorf("upnp: %w", err)
	}
	return extport, nil
}

// DeleteMapping implements Interface.
func (u *upnp) DeleteMapping(ctx context.Context, proto string, extport, _ uint16) error {
	p, err := normProto(proto)
	if err != nil {
		return err
	}
	if err := u.c.DeletePortMappingCtx(ctx, "", extport, strings.ToUpper(p)); err != nil {
		return fmt.Errorf("upnp: %w", err)
	}
	return nil
}

// upnpCode returns the UPnP error code in a SOAP fault, or 0.
func upnpCode(err error) int {
	var fe *soap.SOAPFaultError
	if errors.As(err, &fe) {
		return fe.Detail.UPnPError.Errorcode
	}
	return 0
}

// discoverUPnP finds the gateways' description URLs (by SSDP unless
// discover is set) and returns the first one offering a WAN connection.
func discoverUPnP(ctx context.Context, discover func(context.Context) ([]*url.URL, error)) (Interface, error) {
	if discover == nil {
		discover = ssdpSearch
	}
	locs, err := discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("upnp: %w", err)
	}
	var errs []error
	for _, loc := range locs {
		u, err := upnpAt(ctx, loc)
		if err == nil {
			return u, nil
		}
		errs = append(errs, err)
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("upnp: %w", errors.Join(append([]error{ErrNoGateway}, errs...)...))
}

// ssdpSearch multicasts an SSDP search for IGDv1 and IGDv2 devices.
func ssdpSearch(ctx context.Context) ([]*url.URL, error) {
	var locs []*url.URL
	seen := map[string]bool{}
	var errs []error
	for _, urn := range []string{urnIGDv2, urnIGDv1} {
		devs, err := goupnp.DiscoverDevicesCtx(ctx, urn)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, d := range devs {
			if d.Location != nil && !seen[d.Location.String()] {
				seen[d.Location.String()] = true
				locs = append(locs, d.Location)
			}
		}
	}
	if len(locs) == 0 {
		return nil, errors.Join(append([]error{ErrNoGateway}, errs...)...)
	}
	return locs, nil
}

// upnpAt reads the device description at loc and picks its WAN connection
// service, preferring IGDv2's WANIPConnection2.
func upnpAt(ctx context.Context, loc *url.URL) (*upnp, error) {
	root, err := goupnp.DeviceByURLCtx(ctx, loc)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		name string
		find func() ([]igdClient, error)
	}
	wrap := func(n int, err error, get func(int) igdClient) ([]igdClient, error) {
		out := make([]igdClient, n)
		for i := range out {
			out[i] = get(i)
		}
		return out, err
	}
	cands := []candidate{
		{"WANIPConnection:2", func() ([]igdClient, error) {
			cs, err := internetgateway2.NewWANIPConnection2ClientsFromRootDevice(root, loc)
			return wrap(len(cs), err, func(i int) igdClient { return cs[i] })
		}},
		{"WANIPConnection:1", func() ([]igdClient, error) {
			cs, err := internetgateway1.NewWANIPConnection1ClientsFromRootDevice(root, loc)
			return wrap(len(cs), err, func(i int) igdClient { return cs[i] })
		}},
		{"WANPPPConnection:1", func() ([]igdClient, error) {
			cs, err := internetgateway1.NewWANPPPConnection1ClientsFromRootDevice(root, loc)
			return wrap(len(cs), err, func(i int) igdClient { return cs[i] })
		}},
	}
	for _, c := range cands {
		clients, err := c.find()
		if err != nil || len(clients) == 0 {
			continue
		}
		// A description fetched from a LAN host names the control URL: it
		// must be that same host, or a forged SSDP answer could make us send
		// requests anywhere.
		if err := sameHost(loc, clients[0]); err != nil {
			return nil, err
		}
		internal, err := localAddrTo(loc)
		if err != nil {
			return nil, err
		}
		return &upnp{c: clients[0], service: c.name + " at " + loc.Host, internal: internal}, nil
	}
	return nil, fmt.Errorf("upnp: %s offers no WAN connection service", loc)
}

func sameHost(loc *url.URL, c igdClient) error {
	sc, ok := c.(interface{ GetServiceClient() *goupnp.ServiceClient })
	if !ok {
		return nil
	}
	ep := sc.GetServiceClient().SOAPClient.EndpointURL
	if ep.Hostname() != loc.Hostname() {
		return fmt.Errorf("upnp: control URL host %q differs from the device's %q", ep.Hostname(), loc.Hostname())
	}
	return nil
}

// localAddrTo returns our address on the route to loc's host. Connecting a
// UDP socket sends nothing: it only asks the kernel for the route.
func localAddrTo(loc *url.URL) (netip.Addr, error) {
	port := loc.Port()
	if port == "" {
		port = "80"
	}
	conn, err := net.Dial("udp", net.JoinHostPort(loc.Hostname(), port))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("upnp: route to %s: %w", loc.Host, err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
