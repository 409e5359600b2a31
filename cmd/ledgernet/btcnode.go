package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/node/btcnode"
	"github.com/spf13/cobra"
)

// The hidden `btcnode` command runs a Bitcoin-profile node (package
// node/btcnode) for interop tests and manual checks against btcd or
// Bitcoin Core. The node command will take it over.

func init() { register(newBtcnodeCmd) }

func newBtcnodeCmd() *cobra.Command {
	var (
		profile, datadir, listen, logLevel string
		connect, addpeer, whitelist        []string
		maxPeers, maxOutbound              int
		noDNSSeed                          bool
		status                             time.Duration
	)
	cmd := &cobra.Command{
		Use:    "btcnode --profile NAME --datadir DIR [--listen IP:PORT] [--connect IP:PORT ...] [--addpeer IP:PORT ...]",
		Short:  "Run a Bitcoin-protocol node until interrupted",
		Hidden: true,
		Long: `Run a node of a Bitcoin profile (mainnet, testnet3, testnet4, signet,
regtest, devnet) until interrupted: it syncs the chain from its peers,
serves it, and relays. Logs go to stderr; every --status interval one JSON
line with the chain's state goes to stdout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			p, err := chain.ParamsByName(profile)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--profile: %w", err)}
			}
			if datadir == "" {
				return &exitError{code: 2, err: fmt.Errorf("--datadir is required")}
			}
			var wl []netip.Prefix
			for _, s := range whitelist {
				pfx, err := netip.ParsePrefix(s)
				if err != nil {
					a, err2 := netip.ParseAddr(s)
					if err2 != nil {
						return &exitError{code: 2, err: fmt.Errorf("--whitelist %q: %w", s, err)}
					}
					pfx = netip.PrefixFrom(a, a.BitLen())
				}
				wl = append(wl, pfx)
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--log-level: %w", err)}
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			n, err := btcnode.New(btcnode.Config{
				Params: p, DataDir: datadir, Listen: listen, Connect: connect, AddPeers: addpeer,
				MaxPeers: maxPeers, MaxOutbound: maxOutbound, Whitelist: wl, NoDNSSeed: noDNSSeed, Logger: log,
			})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := n.Start(); err != nil {
				return err
			}
			defer n.Stop()
			enc := json.NewEncoder(cmd.OutOrStdout())
			t := time.NewTicker(status)
			defer t.Stop()
			enc.Encode(n.ChainInfo())
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
					enc.Encode(n.ChainInfo())
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&profile, "profile", "regtest", "network profile: "+fmt.Sprint(chain.NetworkNames()))
	f.StringVar(&datadir, "datadir", "", "data directory (chain.db, peers.json, bans.json)")
	f.StringVar(&listen, "listen", "", "address to accept peers on (none if empty)")
	f.StringSliceVar(&connect, "connect", nil, "connect only to these peers")
	f.StringSliceVar(&addpeer, "addpeer", nil, "persistent peers, besides discovered ones")
	f.StringSliceVar(&whitelist, "whitelist", nil, "networks (CIDR or IP) never banned")
	f.IntVar(&maxPeers, "maxpeers", btcnode.DefaultMaxPeers, "maximum peers")
	f.IntVar(&maxOutbound, "maxoutbound", btcnode.DefaultMaxOutbound, "outbound peers to keep")
	f.BoolVar(&noDNSSeed, "nodnsseed", false, "do not query DNS seeds")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.DurationVar(&status, "status", 5*time.Second, "interval of the JSON status lines on stdout")
	return cmd
}
