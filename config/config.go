package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ledgernet/ledgernet/chain"
)

// Profiles a node can run. Each picks discovery, transport and chain
// parameters; every choice can still be overridden.
const (
	ProfileBitcoin      = "bitcoin"
	ProfileTestnet3     = "testnet3"
	ProfileTestnet4     = "testnet4"
	ProfileSignet       = "signet"
	ProfileRegtest      = "regtest"
	ProfileDevnet       = "devnet"
	ProfilePermissioned = "permissioned"
)

// Profiles lists every profile name.
func Profiles() []string {
	return []string{ProfileBitcoin, ProfileTestnet3, ProfileTestnet4, ProfileSignet, ProfileRegtest, ProfileDevnet, ProfilePermissioned}
}

// Transports a profile can use.
const (
	TransportPlain = "plain" // Bitcoin envelope over TCP
	TransportRLPx  = "rlpx"  // devp2p RLPx
	TransportTLS   = "tls"   // TLS 1.3 with the envelope inside
)

// Errors returned by Validate and Load.
var (
	ErrUnknownProfile = errors.New("config: unknown profile")
	ErrInvalid        = errors.New("config: invalid setting")
)

// Duration is a time.Duration that reads and writes TOML as "30s", "5m".
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Peer is a statically configured peer: an address and, optionally, the node
// ID it must prove (hex), as in the permissioned profile's [[peers]] list.
type Peer struct {
	Address string `toml:"address"`
	ID      string `toml:"id,omitempty"`
}

// Config is a node's whole configuration. The zero value is not usable: start
// from Defaults.
type Config struct {
	// Profile names the network: see Profiles.
	Profile string `toml:"profile"`
	// Transport is plain, rlpx or tls; the profile picks it.
	Transport string `toml:"transport"`
	// DataDir holds the node's key, store, address book and API token.
	DataDir string `toml:"datadir"`
	// Listen is the TCP address for peers; devnet also listens for discovery
	// on the same UDP port unless DiscoveryAddr says otherwise.
	Listen string `toml:"listen"`
	// DiscoveryAddr is the UDP address of discv4 (devnet); empty means the
	// Listen address, "off" turns discovery off.
	DiscoveryAddr string `toml:"discovery"`
	// API is the HTTP API address; it binds to loopback by default.
	API string `toml:"api"`
	// NAT is any, none, upnp, pmp or extip:IP.
	NAT string `toml:"nat"`

	// MaxPeers caps all peers; MaxOutbound caps the ones we dial
	// (0: a third of MaxPeers).
	MaxPeers    int `toml:"max_peers"`
	MaxOutbound int `toml:"max_outbound"`
	// Bootnodes are enode URLs discovery starts from (devnet).
	Bootnodes []string `toml:"bootnodes"`
	// Connect, when set, makes the node talk only to these addresses.
	Connect []string `toml:"connect"`
	// AddPeer lists addresses kept connected, redialled with backoff.
	AddPeer []string `toml:"addpeer"`
	// Peers is the static peer list of the permissioned profile.
	Peers []Peer `toml:"peers"`
	// NetRestrict limits peers to these CIDRs.
	NetRestrict []string `toml:"netrestrict"`
	// Whitelist lists CIDRs that are never banned.
	Whitelist []string `toml:"whitelist"`
	// BanDuration is how long an operator's ban lasts when it names no
	// duration (misbehaving peers are disconnected and discouraged, never
	// banned).
	BanDuration Duration `toml:"ban_duration"`
	// DNSSeed turns DNS seeding on for the Bitcoin profiles.
	DNSSeed bool `toml:"dns_seed"`

	// Certs is the permissioned profile's directory with ca.crt, node.crt,
	// node.key and an optional crl.pem.
	Certs string `toml:"certs"`

	// Mine turns the block miner on (devnet, regtest).
	Mine bool `toml:"mine"`
	// Topics are the topics this node subscribes to at start.
	Topics []string `toml:"topics"`
	// StatusInterval is how often the status sequence number is sent.
	StatusInterval Duration `toml:"status_interval"`

	// LogLevel is debug, info, warn or error; LogLevels overrides it per
	// component ("p2p" = "debug").
	LogLevel  string            `toml:"log_level"`
	LogLevels map[string]string `toml:"log_levels"`
	// LogFormat is text or json; empty picks text on a terminal, json otherwise.
	LogFormat string `toml:"log_format"`
}

// Defaults returns the defaults of a profile.
func Defaults(profile string) (*Config, error) {
	c := &Config{
		Profile:        profile,
		API:            "127.0.0.1:8645",
		NAT:            "none",
		MaxPeers:       50,
		BanDuration:    Duration(24 * time.Hour),
		StatusInterval: Duration(5 * time.Second),
		LogLevel:       "info",
	}
	home, _ := os.UserHomeDir()
	base := filepath.Join(home, ".ledgernet")
	switch profile {
	case ProfileBitcoin, ProfileTestnet3, ProfileTestnet4, ProfileSignet, ProfileRegtest:
		p, err := ChainParams(profile)
		if err != nil {
			return nil, err
		}
		c.Transport = TransportPlain
		c.Listen = net.JoinHostPort("0.0.0.0", strconv.Itoa(int(p.DefaultPort)))
		c.DiscoveryAddr = "off"
		c.MaxPeers = 125
		c.MaxOutbound = 8
		c.DNSSeed = profile != ProfileRegtest
	case ProfileDevnet:
		c.Transport = TransportRLPx
		c.Listen = net.JoinHostPort("0.0.0.0", strconv.Itoa(int(chain.DevNetPort)))
	case ProfilePermissioned:
		c.Transport = TransportTLS
		c.Listen = "0.0.0.0:30800"
		c.DiscoveryAddr = "off"
	default:
		return nil, fmt.Errorf("%w: %q (want one of %s)", ErrUnknownProfile, profile, strings.Join(Profiles(), ", "))
	}
	c.DataDir = filepath.Join(base, profile)
	return c, nil
}

// ChainParams returns the chain parameters of a profile. The permissioned
// profile runs the devnet chain rules under its own transport.
func ChainParams(profile string) (*chain.Params, error) {
	switch profile {
	case ProfilePermissioned:
		return chain.DevNetParams(), nil
	}
	p, err := chain.ParamsByName(profile)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProfile, profile)
	}
	return p, nil
}

// ProfileOf reads only the profile a TOML file names ("" when it names none),
// so the right defaults can be laid down before the file is applied.
func ProfileOf(data []byte) (string, error) {
	var p struct {
		Profile string `toml:"profile"`
	}
	if _, err := toml.Decode(string(data), &p); err != nil {
		return "", err
	}
	return p.Profile, nil
}

// Load reads a TOML file over c. Keys the file does not set keep c's values;
// unknown keys are an error, so a typo does not pass silently.
func Load(c *Config, data []byte) error {
	md, err := toml.Decode(string(data), c)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("%w: unknown keys %s", ErrInvalid, strings.Join(keys, ", "))
	}
	return nil
}

// LoadFile builds a configuration from profile defaults and a TOML file.
// profile, when not empty, wins over the file's own profile key.
func LoadFile(path, profile string) (*Config, error) {
	var data []byte
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if profile == "" {
			if profile, err = ProfileOf(data); err != nil {
				return nil, fmt.Errorf("config: %s: %w", path, err)
			}
		}
	}
	if profile == "" {
		profile = ProfileDevnet
	}
	c, err := Defaults(profile)
	if err != nil {
		return nil, err
	}
	if data != nil {
		if err := Load(c, data); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		c.Profile = profile
	}
	return c, nil
}

// Validate checks settings that can be checked without touching the network.
func (c *Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	if !slices.Contains(Profiles(), c.Profile) {
		return fmt.Errorf("%w: %q", ErrUnknownProfile, c.Profile)
	}
	if !slices.Contains([]string{TransportPlain, TransportRLPx, TransportTLS}, c.Transport) {
		return bad("transport %q (want plain, rlpx or tls)", c.Transport)
	}
	if c.DataDir == "" {
		return bad("datadir is empty")
	}
	for name, addr := range map[string]string{"listen": c.Listen, "api": c.API} {
		if addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return bad("%s %q: %v", name, addr, err)
		}
	}
	if c.MaxPeers < 1 {
		return bad("max_peers %d < 1", c.MaxPeers)
	}
	if c.MaxOutbound < 0 || c.MaxOutbound > c.MaxPeers {
		return bad("max_outbound %d not within 0..max_peers", c.MaxOutbound)
	}
	for _, list := range [][]string{c.NetRestrict, c.Whitelist} {
		for _, cidr := range list {
			if _, err := netip.ParsePrefix(cidr); err != nil {
				return bad("CIDR %q: %v", cidr, err)
			}
		}
	}
	switch {
	case c.NAT == "any", c.NAT == "none", c.NAT == "upnp", c.NAT == "pmp":
	case strings.HasPrefix(c.NAT, "extip:"):
		if _, err := netip.ParseAddr(strings.TrimPrefix(c.NAT, "extip:")); err != nil {
			return bad("nat %q: %v", c.NAT, err)
		}
	default:
		return bad("nat %q (want any, none, upnp, pmp or extip:IP)", c.NAT)
	}
	if c.Transport == TransportTLS && c.Certs == "" {
		return bad("the tls transport needs certs (a directory with ca.crt, node.crt, node.key)")
	}
	for _, p := range c.Peers {
		if _, _, err := net.SplitHostPort(p.Address); err != nil {
			return bad("peer %q: %v", p.Address, err)
		}
	}
	if !slices.Contains([]string{"", "text", "json"}, c.LogFormat) {
		return bad("log_format %q (want text or json)", c.LogFormat)
	}
	return c.checkProfileKeys()
}

// TOML returns the configuration as a TOML document, as `ledgernet config
// print` shows it.
func (c *Config) TOML() ([]byte, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
