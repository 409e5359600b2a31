package main

import (
	"fmt"

	"github.com/ledgernet/ledgernet/config"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// nodeFlags are the flags that shape a node's configuration. They override
// the TOML file (--config), which overrides the profile's defaults.
type nodeFlags struct {
	configFile string
	profile    string
	c          config.Config
	peers      []string
}

func addNodeFlags(fs *pflag.FlagSet, f *nodeFlags) {
	fs.StringVar(&f.configFile, "config", "", "TOML configuration file")
	fs.StringVar(&f.profile, "profile", "", "network profile: bitcoin, testnet3, testnet4, signet, regtest, devnet, permissioned (default devnet)")
	fs.StringVar(&f.c.DataDir, "datadir", "", "data directory")
	fs.StringVar(&f.c.Listen, "listen", "", "TCP address for peers")
	fs.StringVar(&f.c.DiscoveryAddr, "discovery", "", "UDP address for discovery (devnet; empty: the listen address, off: disabled)")
	fs.StringVar(&f.c.API, "api", "", "HTTP API address")
	fs.StringVar(&f.c.Transport, "transport", "", "transport: plain, rlpx, tls")
	fs.StringVar(&f.c.NAT, "nat", "", "NAT port mapping: any, none, upnp, pmp, extip:IP")
	fs.IntVar(&f.c.MaxPeers, "maxpeers", 0, "maximum number of peers")
	fs.IntVar(&f.c.MaxOutbound, "maxoutbound", 0, "maximum number of outbound peers")
	fs.StringSliceVar(&f.c.Bootnodes, "bootnodes", nil, "enode URLs to start discovery from")
	fs.StringSliceVar(&f.c.Connect, "connect", nil, "connect only to these addresses")
	fs.StringSliceVar(&f.c.AddPeer, "addpeer", nil, "addresses to keep connected")
	fs.StringArrayVar(&f.peers, "peer", nil, "static peer HOST:PORT (permissioned; repeat)")
	fs.StringSliceVar(&f.c.NetRestrict, "netrestrict", nil, "allow peers only from these CIDRs")
	fs.StringSliceVar(&f.c.Whitelist, "whitelist", nil, "CIDRs that are never banned")
	fs.StringVar(&f.c.Certs, "certs", "", "directory with ca.crt, node.crt, node.key (permissioned)")
	fs.BoolVar(&f.c.Mine, "mine", false, "mine blocks (devnet, regtest)")
	fs.StringSliceVar(&f.c.Topics, "topics", nil, "topics to subscribe to")
	fs.StringVar(&f.c.LogLevel, "log-level", "", "log level: debug, info, warn, error")
	fs.StringVar(&f.c.LogFormat, "log-format", "", "log format: text or json (default: text on a terminal)")
}

// resolve builds the effective configuration: profile defaults, then the
// file, then every flag the user set.
func (f *nodeFlags) resolve(cmd *cobra.Command) (*config.Config, error) {
	c, err := config.LoadFile(f.configFile, f.profile)
	if err != nil {
		return nil, err
	}
	fs := cmd.Flags()
	set := func(name string, apply func()) {
		if fs.Changed(name) {
			apply()
		}
	}
	set("datadir", func() { c.DataDir = f.c.DataDir })
	set("listen", func() { c.Listen = f.c.Listen })
	set("discovery", func() { c.DiscoveryAddr = f.c.DiscoveryAddr })
	set("api", func() { c.API = f.c.API })
	set("transport", func() { c.Transport = f.c.Transport })
	set("nat", func() { c.NAT = f.c.NAT })
	set("maxpeers", func() { c.MaxPeers = f.c.MaxPeers })
	set("maxoutbound", func() { c.MaxOutbound = f.c.MaxOutbound })
	set("bootnodes", func() { c.Bootnodes = f.c.Bootnodes })
	set("connect", func() { c.Connect = f.c.Connect })
	set("addpeer", func() { c.AddPeer = f.c.AddPeer })
	set("peer", func() {
		c.Peers = nil
		for _, p := range f.peers {
			c.Peers = append(c.Peers, config.Peer{Address: p})
		}
	})
	set("netrestrict", func() { c.NetRestrict = f.c.NetRestrict })
	set("whitelist", func() { c.Whitelist = f.c.Whitelist })
	set("certs", func() { c.Certs = f.c.Certs })
	set("mine", func() { c.Mine = f.c.Mine })
	set("topics", func() { c.Topics = f.c.Topics })
	set("log-level", func() { c.LogLevel = f.c.LogLevel })
	set("log-format", func() { c.LogFormat = f.c.LogFormat })
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func init() { register(newConfigCmd) }

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Show the node configuration"}
	var f nodeFlags
	printCmd := &cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration (profile defaults, then --config, then flags) as TOML",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.resolve(cmd)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			out, err := c.TOML()
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), string(out))
			return err
		},
	}
	addNodeFlags(printCmd.Flags(), &f)
	cmd.AddCommand(printCmd)
	return cmd
}
