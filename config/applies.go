package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotApplicable: a key is set on a profile where it has no effect. The
// node refuses to start rather than ignore it: a setting that silently does
// nothing (a netrestrict, say) fails open.
var ErrNotApplicable = errors.New("config: key does not apply to this profile")

var bitcoinProfiles = []string{ProfileBitcoin, ProfileTestnet3, ProfileTestnet4, ProfileSignet, ProfileRegtest}

// keyRule says where a key applies: the profiles, and whether c sets it
// (differs from the profile's default d).
type keyRule struct {
	key      string
	profiles []string // where any value applies
	set      func(c, d *Config) bool
	// allowed, when not nil, accepts some set values on other profiles
	// (nat extip on the Bitcoin profiles).
	allowed func(c *Config) bool
	where   string // said in the error: where the key does apply
}

func nonEmpty[T any](f func(c *Config) []T) func(c, d *Config) bool {
	return func(c, _ *Config) bool { return len(f(c)) > 0 }
}

// keyRules lists every key that does not apply everywhere. Keys not listed
// (profile, transport, datadir, listen, api, max_peers, netrestrict,
// whitelist, ban_duration, log_*) apply on every profile; transport is checked against
// the profile by the node, which runs each profile on one transport.
var keyRules = []keyRule{
	{key: "discovery", profiles: []string{ProfileDevnet},
		set:   func(c, d *Config) bool { return c.DiscoveryAddr != d.DiscoveryAddr && c.DiscoveryAddr != "off" },
		where: "devnet only: discv4"},
	{key: "bootnodes", profiles: []string{ProfileDevnet},
		set:   nonEmpty(func(c *Config) []string { return c.Bootnodes }),
		where: "devnet only: discv4 starts from them"},
	{key: "connect", profiles: append([]string{ProfileDevnet}, bitcoinProfiles...),
		set:   nonEmpty(func(c *Config) []string { return c.Connect }),
		where: "the Bitcoin profiles and devnet; permissioned peers are the [[peers]] list"},
	{key: "addpeer", profiles: append([]string{ProfileDevnet}, bitcoinProfiles...),
		set:   nonEmpty(func(c *Config) []string { return c.AddPeer }),
		where: "the Bitcoin profiles and devnet; permissioned peers are the [[peers]] list"},
	{key: "peers", profiles: []string{ProfilePermissioned},
		set:   nonEmpty(func(c *Config) []Peer { return c.Peers }),
		where: "permissioned only"},
	{key: "certs", profiles: []string{ProfilePermissioned},
		set:   func(c, d *Config) bool { return c.Certs != d.Certs },
		where: "permissioned only: devnet and Bitcoin nodes have no certificates"},
	{key: "max_outbound", profiles: append([]string{ProfileDevnet}, bitcoinProfiles...),
		set:   func(c, d *Config) bool { return c.MaxOutbound != d.MaxOutbound },
		where: "the Bitcoin profiles and devnet; a permissioned node dials exactly its [[peers]]"},
	{key: "dns_seed", profiles: []string{ProfileBitcoin, ProfileTestnet3, ProfileTestnet4, ProfileSignet},
		set:   func(c, d *Config) bool { return c.DNSSeed && !d.DNSSeed },
		where: "mainnet, testnet3, testnet4 and signet: the networks with DNS seeds"},
	{key: "nat", profiles: []string{ProfileDevnet},
		set: func(c, d *Config) bool { return c.NAT != d.NAT },
		allowed: func(c *Config) bool {
			return slices.Contains(bitcoinProfiles, c.Profile) && strings.HasPrefix(c.NAT, "extip:")
		},
		where: "devnet (any, upnp, pmp, extip:IP) and, as extip:IP only, the Bitcoin profiles"},
	{key: "mine", profiles: []string{ProfileDevnet, ProfilePermissioned, ProfileRegtest},
		set:   func(c, d *Config) bool { return c.Mine },
		where: "devnet, permissioned and regtest: the chains a CPU can mine"},
	{key: "topics", profiles: []string{ProfileDevnet, ProfilePermissioned},
		set:   nonEmpty(func(c *Config) []string { return c.Topics }),
		where: "devnet and permissioned: the networks with topic messaging"},
	{key: "status_interval", profiles: []string{ProfileDevnet, ProfilePermissioned},
		set:   func(c, d *Config) bool { return c.StatusInterval != d.StatusInterval },
		where: "devnet and permissioned: the networks with status sync"},
}

// checkProfileKeys refuses keys set on a profile where they do nothing.
func (c *Config) checkProfileKeys() error {
	d, err := Defaults(c.Profile)
	if err != nil {
		return err
	}
	for _, r := range keyRules {
		if slices.Contains(r.profiles, c.Profile) || !r.set(c, d) || (r.allowed != nil && r.allowed(c)) {
			continue
		}
		return fmt.Errorf("%w: %s is set, but the %s profile does not use it (it applies to %s)", ErrNotApplicable, r.key, c.Profile, r.where)
	}
	return nil
}
