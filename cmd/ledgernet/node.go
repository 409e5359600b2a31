package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/node"
	"github.com/spf13/cobra"
)

func init() { register(newNodeCmd) }

func newNodeCmd() *cobra.Command {
	var (
		f         nodeFlags
		blockTime time.Duration
	)
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Run a node until interrupted",
		Long: `Run a node of the chosen profile (default devnet) until SIGINT or SIGTERM,
then stop it gracefully. The configuration is the profile's defaults, then
the --config TOML file, then the flags given. Logs go to stderr: text on a
terminal, JSON otherwise (--log-format), levels per component from the
file's [log_levels].`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.resolve(cmd)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			stderr := cmd.ErrOrStderr()
			log, err := node.NewLogger(stderr, node.LogConfig{
				Format: cfg.LogFormat, TTY: isTerminal(stderr),
				Level: cfg.LogLevel, Levels: cfg.LogLevels,
			})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			params, err := config.ChainParams(cfg.Profile)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			opts := node.Options{Logger: log}
			if cmd.Flags().Changed("block-time") && blockTime < 0 {
				return &exitError{code: 2, err: fmt.Errorf("--block-time %v: want 0 (as fast as the proof of work allows) or a positive duration", blockTime)}
			}
			if blockTime < 0 && params.Name == "devnet" {
				blockTime = params.TargetSpacing
			}
			if blockTime > 0 {
				// Mature coins early on a fresh chain, then keep the pace.
				opts.Pacing = node.Pacing{MinInterval: blockTime, Jitter: blockTime / 10, From: params.CoinbaseMaturity + 1}
			}
			n, err := node.New(cfg, opts)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := n.Start(ctx); err != nil {
				return err
			}
			// SIGHUP re-reads the configuration (file, then flags) and
			// applies its peer list: the permissioned profile's static
			// peers can change without a restart.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			for ctx.Err() == nil {
				select {
				case <-ctx.Done():
				case <-hup:
					c2, err := f.resolve(cmd)
					if err == nil {
						err = n.ReloadPeers(c2.Peers)
					}
					if err != nil {
						log.Error("Reload failed", "err", err)
					} else {
						log.Info("Peer list reloaded", "peers", len(c2.Peers))
					}
				}
			}
			stop() // a second signal kills the process
			log.Info("Signal received, stopping")
			return n.Stop()
		},
	}
	addNodeFlags(cmd.Flags(), &f)
	cmd.Flags().DurationVar(&blockTime, "block-time", -1, "with --mine: least time between blocks (default: the devnet's 5 s target, unpaced on the Bitcoin profiles; 0: as fast as the proof of work allows)")
	return cmd
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
