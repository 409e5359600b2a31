package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultsEveryProfileValid(t *testing.T) {
	for _, p := range Profiles() {
		c, err := Defaults(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if p == ProfilePermissioned {
			c.Certs = "/certs"
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: defaults invalid: %v", p, err)
		}
		if _, err := ChainParams(p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if _, err := Defaults("nope"); !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("unknown profile: %v", err)
	}
}

func TestProfileTransports(t *testing.T) {
	want := map[string]string{ProfileBitcoin: TransportPlain, ProfileRegtest: TransportPlain, ProfileDevnet: TransportRLPx, ProfilePermissioned: TransportTLS}
	for p, tr := range want {
		c, _ := Defaults(p)
		if c.Transport != tr {
			t.Errorf("%s: transport %s, want %s", p, c.Transport, tr)
		}
	}
	c, _ := Defaults(ProfileBitcoin)
	if c.MaxOutbound != 8 || c.MaxPeers != 125 || c.Listen != "0.0.0.0:8333" {
		t.Errorf("bitcoin defaults: %+v", c)
	}
}

func TestFileOverridesProfile(t *testing.T) {
	doc := `
profile = "regtest"
listen = "127.0.0.1:18555"
max_peers = 20
ban_duration = "1h"
connect = ["127.0.0.1:18444"]

[[peers]]
address = "127.0.0.1:30801"
id = "abcd"
`
	prof, err := ProfileOf([]byte(doc))
	if err != nil || prof != "regtest" {
		t.Fatalf("ProfileOf = %q, %v", prof, err)
	}
	c, _ := Defaults(prof)
	if err := Load(c, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:18555" || c.MaxPeers != 20 || time.Duration(c.BanDuration) != time.Hour ||
		len(c.Connect) != 1 || len(c.Peers) != 1 || c.Peers[0].ID != "abcd" {
		t.Fatalf("file not applied: %+v", c)
	}
	if c.MaxOutbound != 8 || c.Transport != TransportPlain {
		t.Fatalf("profile defaults lost: %+v", c)
	}
	out, err := c.TOML()
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := Defaults("devnet")
	if err := Load(c2, out); err != nil {
		t.Fatalf("printed config does not load back: %v\n%s", err, out)
	}
	if c2.Listen != c.Listen || c2.Transport != c.Transport || c2.Profile != "regtest" {
		t.Fatalf("round trip differs:\n%s", out)
	}
}

func TestBadConfigs(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want error
	}{
		{"unknown key", `lisen = "x"`, ErrInvalid},
		{"bad nat", `nat = "magic"`, ErrInvalid},
		{"bad extip", `nat = "extip:999.1.1.1"`, ErrInvalid},
		{"bad cidr", `netrestrict = ["10.0.0.0/99"]`, ErrInvalid},
		{"bad listen", `listen = "nohostport"`, ErrInvalid},
		{"bad transport", `transport = "carrier-pigeon"`, ErrInvalid},
		{"zero peers", `max_peers = 0`, ErrInvalid},
		{"outbound over max", "max_peers = 5\nmax_outbound = 6", ErrInvalid},
		{"tls without certs", `transport = "tls"`, ErrInvalid},
		{"bad log format", `log_format = "xml"`, ErrInvalid},
		{"bad peer", "[[peers]]\naddress = \"nope\"", ErrInvalid},
		{"unknown profile", `profile = "moon"`, ErrUnknownProfile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := Defaults(ProfileDevnet)
			err := Load(c, []byte(tc.doc))
			if err == nil {
				err = c.Validate()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadFileSyntaxError(t *testing.T) {
	_, err := ProfileOf([]byte("profile = "))
	if err == nil || !strings.Contains(err.Error(), "") {
		t.Fatal("syntax error not reported")
	}
}
