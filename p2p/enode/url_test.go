package enode

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enr"
)

func TestParseV4(t *testing.T) {
	key := exampleKey(t)
	pub := PubkeyHex(key.PubKey())
	upper := strings.ToUpper(pub)
	tests := []struct {
		name     string
		in       string
		ip       string // "" for incomplete
		tcp, udp uint16
		out      string // URLv4 output; "" means same as in
	}{
		{"ipv4", "enode://" + pub + "@127.0.0.1:30303", "127.0.0.1", 30303, 30303, ""},
		{"ipv4 discport", "enode://" + pub + "@10.3.58.6:30303?discport=30301", "10.3.58.6", 30303, 30301, ""},
		{"discport equal to port", "enode://" + pub + "@10.3.58.6:30303?discport=30303", "10.3.58.6", 30303, 30303,
			"enode://" + pub + "@10.3.58.6:30303"},
		{"ipv6", "enode://" + pub + "@[2001:db8:3c4d:15::abcd:ef12]:52150", "2001:db8:3c4d:15::abcd:ef12", 52150, 52150, ""},
		{"ipv6 unspecified", "enode://" + pub + "@[::]:52150", "::", 52150, 52150, ""},
		{"ipv6 discport", "enode://" + pub + "@[::1]:30303?discport=30304", "::1", 30303, 30304, ""},
		{"ipv6 long form", "enode://" + pub + "@[2001:0db8:0000::1]:1", "2001:db8::1", 1, 1,
			"enode://" + pub + "@[2001:db8::1]:1"},
		{"ipv4-mapped ipv6", "enode://" + pub + "@[::ffff:1.2.3.4]:30303", "1.2.3.4", 30303, 30303,
			"enode://" + pub + "@1.2.3.4:30303"},
		// net/url splits the port at the last colon, so go-ethereum accepts
		// this too.
		{"ipv6 without brackets", "enode://" + pub + "@::1:30303", "::1", 30303, 30303,
			"enode://" + pub + "@[::1]:30303"},
		{"port zero", "enode://" + pub + "@127.0.0.1:0", "127.0.0.1", 0, 0, ""},
		{"udp only", "enode://" + pub + "@127.0.0.1:0?discport=30301", "127.0.0.1", 0, 30301, ""},
		{"other query ignored", "enode://" + pub + "@127.0.0.1:30303?foo=bar", "127.0.0.1", 30303, 30303,
			"enode://" + pub + "@127.0.0.1:30303"},
		{"incomplete", "enode://" + pub, "", 0, 0, ""},
		{"incomplete without scheme", pub, "", 0, 0, "enode://" + pub},
		{"incomplete upper case", "ENODE://" + upper, "", 0, 0, "enode://" + pub},
		{"upper case key", "enode://" + upper + "@127.0.0.1:30303", "127.0.0.1", 30303, 30303,
			"enode://" + pub + "@127.0.0.1:30303"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseV4(tc.in)
			if err != nil {
				t.Fatalf("ParseV4: %v", err)
			}
			if n.ID() != PubkeyToID(key.PubKey()) {
				t.Errorf("ID = %s", n.ID())
			}
			if tc.ip == "" {
				if !n.Incomplete() {
					t.Errorf("complete node with IP %v", n.IP())
				}
			} else if n.IP() != netip.MustParseAddr(tc.ip) {
				t.Errorf("IP = %v, want %s", n.IP(), tc.ip)
			}
			if n.TCP() != tc.tcp || n.UDP() != tc.udp {
				t.Errorf("ports = %d/%d, want %d/%d", n.TCP(), n.UDP(), tc.tcp, tc.udp)
			}
			want := tc.out
			if want == "" {
				want = tc.in
			}
			if got := n.URLv4(); got != want {
				t.Errorf("URLv4 = %s\nwant    %s", got, want)
			}
			if n.String() != n.URLv4() {
				t.Errorf("String of a URL node = %s", n.String())
			}
			// Parse takes enode:// URLs too.
			if strings.HasPrefix(tc.in, "enode://") {
				if n2, err := Parse(tc.in); err != nil || n2.URLv4() != n.URLv4() {
					t.Errorf("Parse = %v", err)
				}
			}
		})
	}
}

func TestParseV4Errors(t *testing.T) {
	pub := PubkeyHex(exampleKey(t).PubKey())
	tests := []struct {
		name, in, want string
	}{
		{"short key", "enode://01010101@123.124.125.126:3", "wrong length, want 128 hex chars"},
		{"short incomplete", "enode://01010101", "invalid node ID"},
		{"short bare", "01010101", "invalid node ID"},
		{"key not on curve", "enode://" + strings.Repeat("0", 127) + "1@1.2.3.4:3", "invalid public key"},
		{"wrong scheme", "http://" + pub + "@1.2.3.4:3", `invalid URL scheme, want "enode"`},
		{"no scheme", pub + "@1.2.3.4:3", "invalid node URL"},
		{"no node id", "enode://1.2.3.4:30303", "does not contain node ID"},
		{"missing port", "enode://" + pub + "@127.0.0.1", "invalid port"},
		{"bad port", "enode://" + pub + "@127.0.0.1:foo", "invalid"},
		{"port too big", "enode://" + pub + "@127.0.0.1:65536", "invalid port"},
		{"bad discport", "enode://" + pub + "@127.0.0.1:3?discport=foo", "invalid discport in query"},
		{"discport too big", "enode://" + pub + "@127.0.0.1:3?discport=70000", "invalid discport in query"},
		{"missing host", "enode://" + pub + "@:30303", "missing host"},
		{"ipv6 zone", "enode://" + pub + "@[fe80::1%25eth0]:30303", "zone"},
		{"hostname", "enode://" + pub + "@localhost:30303", "DNS names"},
		{"empty", "", "invalid URL scheme"},
		{"too long", "enode://" + pub + "@1.2.3.4:3?x=" + strings.Repeat("a", 2000), "longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseV4(tc.in)
			if err == nil {
				t.Fatalf("accepted as %s", n.URLv4())
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to mention %q", err, tc.want)
			}
			if tc.name != "hostname" && !errors.Is(err, ErrInvalidURL) {
				t.Errorf("error %v is not ErrInvalidURL", err)
			}
		})
	}
	if _, err := ParseV4("enode://" + pub + "@localhost:30303"); !errors.Is(err, ErrHostname) {
		t.Errorf("hostname error = %v, want ErrHostname", err)
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestParseV4WithResolver(t *testing.T) {
	pub := PubkeyHex(exampleKey(t).PubKey())
	res := fakeResolver{
		"dual.example":  {netip.MustParseAddr("2001:db8::5"), netip.MustParseAddr("192.0.2.5")},
		"v6.example":    {netip.MustParseAddr("2001:db8::6")},
		"empty.example": {},
	}
	ctx := context.Background()
	n, err := ParseV4WithResolver(ctx, "enode://"+pub+"@dual.example:30303", res)
	if err != nil || n.IP().String() != "192.0.2.5" {
		t.Errorf("dual: %v %v", n, err)
	}
	n, err = ParseV4WithResolver(ctx, "enode://"+pub+"@v6.example:30303", res)
	if err != nil || n.IP().String() != "2001:db8::6" {
		t.Errorf("v6: %v %v", n, err)
	}
	for _, host := range []string{"empty.example", "missing.example"} {
		if _, err := ParseV4WithResolver(ctx, "enode://"+pub+"@"+host+":30303", res); err == nil {
			t.Errorf("%s resolved", host)
		}
	}
	// An IP address is never looked up.
	if _, err := ParseV4WithResolver(ctx, "enode://"+pub+"@127.0.0.1:30303", fakeResolver{}); err != nil {
		t.Error(err)
	}
}

func TestParseENRText(t *testing.T) {
	ex := loadExample(t)
	n, err := Parse(ex.Text)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID().String() != ex.NodeID || n.IP().String() != "127.0.0.1" || n.UDP() != 30303 || n.TCP() != 0 || n.Seq() != 1 {
		t.Errorf("node = %s %v tcp %d udp %d seq %d", n.ID(), n.IP(), n.TCP(), n.UDP(), n.Seq())
	}
	if n.String() != ex.Text {
		t.Errorf("String = %s", n.String())
	}
	pub := PubkeyHex(exampleKey(t).PubKey())
	if want := "enode://" + pub + "@127.0.0.1:0?discport=30303"; n.URLv4() != want {
		t.Errorf("URLv4 = %s, want %s", n.URLv4(), want)
	}
	bad := []struct{ in string }{
		{strings.TrimPrefix(ex.Text, "enr:")},
		{"enr:" + strings.ToLower(ex.Text[4:])},
		{pub},
		{""},
	}
	for _, tc := range bad {
		if _, err := Parse(tc.in); err == nil {
			t.Errorf("Parse(%q) accepted", tc.in)
		}
	}
	if _, err := Parse(pub); !errors.Is(err, enr.ErrMissingPrefix) {
		t.Errorf("bare hex: %v", err)
	}
}
