// Command ledgernet is the ledgernet node program: it runs nodes and local
// networks and offers tools for keys, records, certificates, headers and wire
// messages. It only parses flags and wires packages together; the logic lives
// in the packages.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/spf13/cobra"
)

// commands lists the constructors of the top-level subcommands. Each file of
// this package adds its own in an init function, so files stay independent.
var commands []func() *cobra.Command

func register(f func() *cobra.Command) { commands = append(commands, f) }

// exitError carries an exit code without printing cobra's usage text.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ledgernet",
		Short:         "The peer-to-peer network of a blockchain node",
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, f := range commands {
		root.AddCommand(f())
	}
	return root
}

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ledgernet:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
