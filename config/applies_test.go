package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestKeysByProfile is the table of every key a user can set × every
// profile: honoured (Validate accepts it and the node uses it), or refused
// with ErrNotApplicable naming the key and the profile. Never ignored.
func TestKeysByProfile(t *testing.T) {
	const (
		btc   = "bitcoin testnet3 testnet4 signet regtest"
		all   = btc + " devnet permissioned"
		dev   = "devnet"
		perm  = "permissioned"
		seeds = "bitcoin testnet3 testnet4 signet"
	)
	keys := []struct {
		key      string
		set      func(c *Config)
		honoured string // the profiles that take it
	}{
		{"datadir", func(c *Config) { c.DataDir = "/tmp/x" }, all},
		{"listen", func(c *Config) { c.Listen = "127.0.0.1:1" }, all},
		{"api", func(c *Config) { c.API = "127.0.0.1:2" }, all},
		{"max_peers", func(c *Config) { c.MaxPeers = 17 }, all},
		{"netrestrict", func(c *Config) { c.NetRestrict = []string{"10.0.0.0/8"} }, all},
		{"whitelist", func(c *Config) { c.Whitelist = []string{"10.0.0.0/8"} }, all},
		{"log_level", func(c *Config) { c.LogLevel = "debug" }, all},
		{"log_format", func(c *Config) { c.LogFormat = "json" }, all},
		{"discovery", func(c *Config) { c.DiscoveryAddr = "127.0.0.1:3" }, dev},
		{"bootnodes", func(c *Config) { c.Bootnodes = []string{"enode://x"} }, dev},
		{"connect", func(c *Config) { c.Connect = []string{"127.0.0.1:4"} }, btc + " devnet"},
		{"addpeer", func(c *Config) { c.AddPeer = []string{"127.0.0.1:4"} }, btc + " devnet"},
		{"peers", func(c *Config) { c.Peers = []Peer{{Address: "127.0.0.1:5"}} }, perm},
		{"certs", func(c *Config) { c.Certs = "/tmp/certs" }, perm},
		{"max_outbound", func(c *Config) { c.MaxOutbound = 3 }, btc + " devnet"},
		{"dns_seed", func(c *Config) { c.DNSSeed = true }, seeds},
		{"ban_duration", func(c *Config) { c.BanDuration = Duration(time.Hour) }, all},
		{"nat", func(c *Config) { c.NAT = "upnp" }, dev},
		{"nat", func(c *Config) { c.NAT = "extip:192.0.2.1" }, btc + " devnet"},
		{"mine", func(c *Config) { c.Mine = true }, "regtest devnet permissioned"},
		{"topics", func(c *Config) { c.Topics = []string{"news"} }, dev + " " + perm},
		{"status_interval", func(c *Config) { c.StatusInterval = Duration(time.Second) }, dev + " " + perm},
	}
	for _, k := range keys {
		for _, profile := range Profiles() {
			c, err := Defaults(profile)
			if err != nil {
				t.Fatal(err)
			}
			if profile == ProfilePermissioned {
				c.Certs = "/tmp/certs" // the profile needs them
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("%s defaults: %v", profile, err)
			}
			k.set(c)
			err = c.Validate()
			want := strings.Contains(" "+k.honoured+" ", " "+profile+" ")
			switch {
			case want && err != nil:
				t.Errorf("%s on %s: refused (%v), want honoured", k.key, profile, err)
			case !want && !errors.Is(err, ErrNotApplicable):
				t.Errorf("%s on %s: %v, want ErrNotApplicable", k.key, profile, err)
			case !want && (!strings.Contains(err.Error(), k.key) || !strings.Contains(err.Error(), "the "+profile+" profile")):
				t.Errorf("%s on %s: the error %q does not name the key and the profile", k.key, profile, err)
			}
		}
	}
}
