package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ledgernet/ledgernet/devnet"
	"github.com/ledgernet/ledgernet/node"
	"github.com/spf13/cobra"
)

func init() { register(newDevnetCmd) }

func newDevnetCmd() *cobra.Command {
	var (
		cfg             devnet.Config
		logFile, logLvl string
	)
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Run a whole local network in one process",
		Long: `Run a local ledgernet network on 127.0.0.1 in one process, with no set-up:
nodes with their own keys, data directories and ports find each other from
one bootnode and connect over RLPx (or TLS with a CA made for the run),
miners make blocks, transactions and topic messages flow between the nodes.
A live view shows every node; node 0 serves the API and the dashboard.

At the end (--duration, or Ctrl-C) mining stops, the network settles and a
summary says whether every node reached the same tip. The exit code is 0
only if the network converged: all nodes on the same tip, at least one
block beyond genesis, every node had a peer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The library takes zero as "the default"; a value typed on the
			// command line is the user's, and one out of range is refused.
			fs := cmd.Flags()
			switch {
			case cfg.Nodes < 1:
				return &exitError{code: 2, err: fmt.Errorf("--nodes %d: want at least 1", cfg.Nodes)}
			case cfg.Miners < 0 || (fs.Changed("miners") && cfg.Miners == 0):
				return &exitError{code: 2, err: fmt.Errorf("--miners %d: want at least 1 (at most --nodes)", cfg.Miners)}
			case cfg.BlockTime <= 0:
				return &exitError{code: 2, err: fmt.Errorf("--block-time %v: want a positive duration", cfg.BlockTime)}
			case cfg.Settle <= 0:
				return &exitError{code: 2, err: fmt.Errorf("--settle %v: want a positive duration", cfg.Settle)}
			case cfg.Duration < 0:
				return &exitError{code: 2, err: fmt.Errorf("--duration %v: want 0 (until Ctrl-C) or a positive duration", cfg.Duration)}
			case fs.Changed("tx-rate") && cfg.TxRate == 0, fs.Changed("msg-rate") && cfg.MsgRate == 0:
				return &exitError{code: 2, err: errors.New("--tx-rate and --msg-rate: a rate of 0 would mean the default; give a negative rate for none")}
			}
			out := cmd.OutOrStdout()
			cfg.Out, cfg.TTY = out, isTerminal(out)
			if logFile != "" {
				f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer f.Close()
				log, err := node.NewLogger(f, node.LogConfig{Format: "json", Level: logLvl})
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				cfg.Logger = log
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := devnet.Run(ctx, cfg)
			if errors.Is(err, devnet.ErrConfig) {
				return &exitError{code: 2, err: err}
			}
			if err != nil {
				return err
			}
			if !s.Converged {
				return &exitError{code: 1, err: errors.New("the network did not converge")}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&cfg.Nodes, "nodes", devnet.DefaultNodes, "number of nodes")
	fs.IntVar(&cfg.Miners, "miners", devnet.DefaultMiners, "number of mining nodes")
	fs.Float64Var(&cfg.TxRate, "tx-rate", devnet.DefaultTxRate, "transactions per second (negative: none)")
	fs.Float64Var(&cfg.MsgRate, "msg-rate", devnet.DefaultMsgRate, "topic messages per second (negative: none)")
	fs.DurationVar(&cfg.Duration, "duration", 60e9, "how long to run before settling (0: until Ctrl-C)")
	fs.DurationVar(&cfg.BlockTime, "block-time", devnet.DefaultBlockTime, "time between blocks the miners aim at")
	fs.DurationVar(&cfg.Settle, "settle", devnet.DefaultSettle, "longest wait for the tips to agree at the end")
	fs.StringVar(&cfg.Transport, "transport", "rlpx", "rlpx (devnet profile, discv4) or tls (permissioned profile, CA and static peers)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "seed for keys and random choices (0: random, printed in the summary)")
	fs.StringVar(&cfg.DataDir, "datadir", "", "keep the nodes' data here (default: a temporary directory, removed)")
	fs.StringVar(&cfg.API, "api", devnet.DefaultAPI, `node 0's API and dashboard address ("off": none)`)
	fs.StringVar(&logFile, "log-file", "", "write every node's logs (JSON, with node=nX) to this file")
	fs.StringVar(&logLvl, "log-level", "info", "level of --log-file: debug, info, warn, error")
	return cmd
}
