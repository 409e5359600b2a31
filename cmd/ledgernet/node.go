package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/ledgernet/ledgernet/node"
	"github.com/spf13/cobra"
)

func init() { register(newNodeCmd) }

func newNodeCmd() *cobra.Command {
	var f nodeFlags
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
			n, err := node.New(cfg, node.Options{Logger: log})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := n.Start(ctx); err != nil {
				return err
			}
			<-ctx.Done()
			stop() // a second signal kills the process
			log.Info("Signal received, stopping")
			return n.Stop()
		},
	}
	addNodeFlags(cmd.Flags(), &f)
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
