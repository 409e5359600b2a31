package nat

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Every test points discovery at a fake on loopback: nothing here may
// send to the SSDP multicast group or the real default gateway.
func upnpAt1(f *fakeIGD) func(context.Context) ([]*url.URL, error) {
	return func(context.Context) ([]*url.URL, error) { return []*url.URL{f.location()}, nil }
}

func noUPnP(context.Context) ([]*url.URL, error) { return nil, errors.New("no UPnP here") }

func TestParse(t *testing.T) {
	tests := []struct {
		spec, want string
		err        bool
	}{
		{"", "", false},
		{"none", "", false},
		{"any", "any", false},
		{"upnp", "upnp", false},
		{"UPnP", "upnp", false},
		{"pmp", "natpmp", false},
		{"extip:203.0.113.1", "extip:203.0.113.1", false},
		{"extip:2001:db8::1", "extip:2001:db8::1", false},
		{"extip:nope", "", true},
		{"extip:", "", true},
		{"bogus", "", true},
	}
	for _, tc := range tests {
		n, err := Parse(tc.spec, Config{DiscoverUPnP: noUPnP, PMPGateway: netip.MustParseAddrPort("127.0.0.1:1")})
		if tc.err {
			if !errors.Is(err, ErrBadSpec) {
				t.Errorf("%q: err %v, want ErrBadSpec", tc.spec, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		got := ""
		if n != nil {
			got = n.String()
		}
		if got != tc.want {
			t.Errorf("%q: %q, want %q", tc.spec, got, tc.want)
		}
	}
}

func TestExtIP(t *testing.T) {
	n := ExtIP(netip.MustParseAddr("198.51.100.2"))
	ctx := context.Background()
	if ip, err := n.ExternalIP(ctx); err != nil || ip.String() != "198.51.100.2" {
		t.Errorf("%v %v", ip, err)
	}
	if p, err := n.AddMapping(ctx, "TCP", 1, 2, "x", time.Minute); err != nil || p != 1 {
		t.Errorf("%v %v", p, err)
	}
	if _, err := n.AddMapping(ctx, "sctp", 1, 2, "x", time.Minute); !errors.Is(err, ErrBadProto) {
		t.Errorf("sctp: %v", err)
	}
}

func TestUPnP(t *testing.T) {
	for _, service := range []string{"WANIPConnection:1", "WANIPConnection:2", "WANPPPConnection:1"} {
		t.Run(service, func(t *testing.T) {
			f := newFakeIGD(t, service)
			n, err := Parse("upnp", Config{DiscoverUPnP: upnpAt1(f)})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			ip, err := n.ExternalIP(ctx)
			if err != nil || ip.String() != "203.0.113.9" {
				t.Fatalf("external IP %v %v", ip, err)
			}
			if !strings.Contains(n.String(), service) {
				t.Errorf("String %q", n.String())
			}
			port, err := n.AddMapping(ctx, "tcp", 30303, 30304, "ledgernet", 20*time.Minute)
			if err != nil || port != 30303 {
				t.Fatalf("add: %v %v", port, err)
			}
			m, ok := f.mapping("TCP:30303")
			if !ok || m["NewInternalPort"] != "30304" || m["NewInternalClient"] != "127.0.0.1" ||
				m["NewLeaseDuration"] != "1200" || m["NewEnabled"] != "1" || m["NewPortMappingDescription"] != "ledgernet" {
				t.Errorf("mapping %v", m)
			}
			// Adding again (a renewal) works although the entry exists.
			if _, err := n.AddMapping(ctx, "tcp", 30303, 30304, "ledgernet", 20*time.Minute); err != nil {
				t.Errorf("renew: %v", err)
			}
			if err := n.DeleteMapping(ctx, "tcp", 30303, 30304); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.mapping("TCP:30303"); ok {
				t.Error("mapping left after delete")
			}
			if err := n.DeleteMapping(ctx, "udp", 1, 1); upnpCode(errors.Unwrap(err)) != 714 {
				t.Errorf("deleting an unknown mapping: %v", err)
			}
		})
	}
}

func TestUPnPOnlyPermanentLeases(t *testing.T) {
	f := newFakeIGD(t, "WANIPConnection:1")
	f.onlyPermanent = true
	n := UPnP(Config{DiscoverUPnP: upnpAt1(f)})
	if _, err := n.AddMapping(context.Background(), "udp", 30303, 30303, "disc", time.Hour); err != nil {
		t.Fatal(err)
	}
	if m, _ := f.mapping("UDP:30303"); m["NewLeaseDuration"] != "0" {
		t.Errorf("lease %q, want 0", m["NewLeaseDuration"])
	}
}

func TestUPnPForeignControlURL(t *testing.T) {
	f := newFakeIGD(t, "WANIPConnection:1")
	f.controlURL = "http://127.0.0.2:9/ctl" // another host: refused before any request
	n := UPnP(Config{DiscoverUPnP: upnpAt1(f)})
	if _, err := n.ExternalIP(context.Background()); err == nil || !strings.Contains(err.Error(), "control URL") {
		t.Errorf("got %v", err)
	}
}

func TestUPnPNoGateway(t *testing.T) {
	ctx := context.Background()
	n := UPnP(Config{DiscoverUPnP: func(context.Context) ([]*url.URL, error) { return nil, nil }})
	if _, err := n.ExternalIP(ctx); !errors.Is(err, ErrNoGateway) {
		t.Errorf("no devices: %v", err)
	}
	f := newFakeIGD(t, "WANCommonInterfaceConfig:1") // no WAN connection service
	n = UPnP(Config{DiscoverUPnP: upnpAt1(f)})
	if _, err := n.ExternalIP(ctx); !errors.Is(err, ErrNoGateway) || !strings.Contains(err.Error(), "no WAN connection") {
		t.Errorf("no service: %v", err)
	}
}

func TestPMP(t *testing.T) {
	f := newFakePMP(t)
	n, err := Parse("pmp", Config{PMPGateway: f.addr()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ip, err := n.ExternalIP(ctx); err != nil || ip.String() != "203.0.113.10" {
		t.Fatalf("external IP %v %v", ip, err)
	}
	if !strings.Contains(n.String(), f.addr().String()) {
		t.Errorf("String %q", n.String())
	}
	f.set(func(f *fakePMP) { f.grant = 40001 })
	port, err := n.AddMapping(ctx, "tcp", 30303, 30304, "ledgernet", 20*time.Minute)
	if err != nil || port != 40001 {
		t.Fatalf("add: %v %v", port, err)
	}
	f.set(func(f *fakePMP) {
		if f.mappings["tcp:30304"] != 1200 {
			t.Errorf("mappings %v", f.mappings)
		}
		last := f.requests[len(f.requests)-1]
		want := []byte{0, 2, 0, 0, 0x76, 0x60, 0x76, 0x5f, 0, 0, 0x04, 0xb0} // TCP, internal 30304, external 30303, 1200s
		if string(last) != string(want) {
			t.Errorf("map request % x, want % x", last, want)
		}
	})
	if err := n.DeleteMapping(ctx, "tcp", 40001, 30304); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakePMP) {
		if len(f.mappings) != 0 {
			t.Errorf("mappings after delete %v", f.mappings)
		}
	})
	if _, err := n.AddMapping(ctx, "udp", 1, 1, "", 0); err == nil {
		t.Error("zero lifetime accepted")
	}
}

func TestPMPRetransmits(t *testing.T) {
	f := newFakePMP(t)
	f.set(func(f *fakePMP) { f.drop = 2 })
	n := &pmp{gw: f.addr()}
	start := time.Now()
	if _, err := n.ExternalIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Waits of 250ms and 500ms before the third try.
	if d := time.Since(start); d < 700*time.Millisecond {
		t.Errorf("answered after %v: no backoff?", d)
	}
	f.set(func(f *fakePMP) {
		if len(f.requests) != 3 {
			t.Errorf("%d requests, want 3", len(f.requests))
		}
	})
}

func TestPMPErrors(t *testing.T) {
	f := newFakePMP(t)
	f.set(func(f *fakePMP) { f.result = 2 })
	n := &pmp{gw: f.addr()}
	_, err := n.AddMapping(context.Background(), "udp", 1, 1, "", time.Minute)
	var re PMPResultError
	if !errors.As(err, &re) || re != 2 || !strings.Contains(err.Error(), "refused") {
		t.Errorf("got %v", err)
	}
	// A gateway that never answers: the context ends the call.
	f.set(func(f *fakePMP) { f.drop = 1 << 30 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := n.ExternalIP(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent gateway: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// Nothing listening: the port unreachable error ends the call at once.
	dead := &pmp{gw: netip.MustParseAddrPort("127.0.0.1:1")}
	if _, err := dead.ExternalIP(context.Background()); err == nil {
		t.Error("no server, no error")
	}
}

func TestCheckReply(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		ok   bool
		err  bool
	}{
		{"short", []byte{0, 128}, false, false},
		{"wrong version", []byte{1, 128, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, false, false},
		{"wrong opcode", []byte{0, 129, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, false, false},
		{"truncated", []byte{0, 128, 0, 0, 0, 0, 0, 0, 1, 2}, false, false},
		{"refused", []byte{0, 128, 0, 2}, true, true},
		{"good", []byte{0, 128, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 99}, true, false},
	}
	for _, tc := range tests {
		resp, ok, err := checkReply(tc.b, 0, extAddrRespLen)
		if ok != tc.ok || (err != nil) != tc.err || (ok && !tc.err && len(resp) != extAddrRespLen) {
			t.Errorf("%s: %x %v %v", tc.name, resp, ok, err)
		}
	}
}

func TestAny(t *testing.T) {
	ctx := context.Background()
	// UPnP missing: NAT-PMP wins.
	f := newFakePMP(t)
	n := Any(Config{DiscoverUPnP: noUPnP, PMPGateway: f.addr()})
	if ip, err := n.ExternalIP(ctx); err != nil || ip.String() != "203.0.113.10" {
		t.Fatalf("%v %v", ip, err)
	}
	if !strings.HasPrefix(n.String(), "natpmp") {
		t.Errorf("String %q", n.String())
	}
	// NAT-PMP missing: UPnP wins.
	g := newFakeIGD(t, "WANIPConnection:1")
	n = Any(Config{DiscoverUPnP: upnpAt1(g), PMPGateway: netip.MustParseAddrPort("127.0.0.1:1")})
	if ip, err := n.ExternalIP(ctx); err != nil || ip.String() != "203.0.113.9" {
		t.Fatalf("%v %v", ip, err)
	}
	// Neither.
	n = Any(Config{DiscoverUPnP: noUPnP, PMPGateway: netip.MustParseAddrPort("127.0.0.1:1"), Timeout: time.Second})
	if _, err := n.ExternalIP(ctx); !errors.Is(err, ErrNoGateway) {
		t.Errorf("neither: %v", err)
	}
}

// TestMapperPMP runs a Mapper against the fake NAT-PMP server.
func TestMapperPMP(t *testing.T) {
	f := newFakePMP(t)
	n, _ := Parse("pmp", Config{PMPGateway: f.addr()})
	got := make(chan netip.AddrPort, 1)
	mp := StartMapper(n, Mapping{Proto: "udp", Port: 30303, Name: "discovery"}, MapperConfig{
		OnExternal: func(_ Mapping, a netip.AddrPort) { got <- a },
	})
	select {
	case a := <-got:
		if a.String() != "203.0.113.10:30303" {
			t.Errorf("external %v", a)
		}
	case <-time.After(time.Minute):
		t.Fatal("no external address")
	}
	mp.Stop()
	f.set(func(f *fakePMP) {
		if len(f.mappings) != 0 {
			t.Errorf("mapping left after Stop: %v", f.mappings)
		}
	})
}

func TestParseRoutes(t *testing.T) {
	const routes = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	0000A8C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
eth1	00000000	0100A8C0	0001	0	0	0	00000000	0	0	0
eth0	00000000	FE01A8C0	0003	0	0	100	00000000	0	0	0
`
	ip, err := parseRoutes(strings.NewReader(routes))
	if err != nil || ip.String() != "192.168.1.254" {
		t.Errorf("%v %v", ip, err)
	}
	if _, err := parseRoutes(strings.NewReader("Iface\tDestination\n")); err == nil {
		t.Error("no default route, no error")
	}
}
