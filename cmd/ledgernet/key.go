package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/spf13/cobra"
)

func init() { register(newKeyCmd) }

func newKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Create and inspect node keys (secp256k1, geth nodekey format)",
		Long: `Create and inspect node keys.

A node key file holds a secp256k1 private key as 64 hex characters, the
format of go-ethereum's nodekey file. A node keeps it at DATADIR/nodekey and
creates it on first start. The node ID is keccak256 of the public key.`,
	}
	cmd.AddCommand(newKeyGenerateCmd(), newKeyShowCmd(), newKeyIDCmd())
	return cmd
}

// keyUsageError is an invalid-invocation error (exit code 2).
func keyUsageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func keyNoArgs(cmd *cobra.Command, args []string) error {
	if len(args) != 0 {
		return keyUsageError("%s takes no arguments (usage: %s)", cmd.Name(), cmd.UseLine())
	}
	return nil
}

func newKeyGenerateCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "generate [--out FILE]",
		Short: "Write a new node key file (0600) and print its node ID and public key",
		Args:  keyNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := enode.GenerateKey(nil)
			if err != nil {
				return err
			}
			if err := enode.SaveNodeKey(out, key); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("%s already exists; not overwriting a node key", out)
				}
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s (0600)\n", out)
			fmt.Fprintf(w, "node ID: %s\n", enode.PubkeyToID(key.PubKey()))
			fmt.Fprintf(w, "pubkey:  %s\n", enode.PubkeyHex(key.PubKey()))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", enode.NodeKeyFile, "file to write (never overwritten)")
	return cmd
}

// nodeKeyFlag registers the --nodekey flag.
func nodeKeyFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "nodekey", "", "node key file (required)")
}

func newKeyShowCmd() *cobra.Command {
	var path, addr string
	cmd := &cobra.Command{
		Use:   "show --nodekey FILE [--addr IP:PORT]",
		Short: "Print the public key, node ID and enode URL of a node key",
		Args:  keyNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return keyUsageError("--nodekey is required")
			}
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return keyUsageError("--addr %q: want IP:PORT, e.g. 127.0.0.1:30777", addr)
			}
			key, err := enode.LoadNodeKey(path)
			if err != nil {
				return err
			}
			pub := key.PubKey()
			n := enode.NewV4(pub, ap.Addr(), ap.Port(), ap.Port())
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "pubkey:  %s\n", enode.PubkeyHex(pub))
			fmt.Fprintf(w, "node ID: %s\n", n.ID())
			fmt.Fprintf(w, "enode:   %s\n", n.URLv4())
			return nil
		},
	}
	nodeKeyFlag(cmd, &path)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:30777", "IP:PORT for the enode URL (TCP and UDP)")
	return cmd
}

func newKeyIDCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "id --nodekey FILE",
		Short: "Print the node ID of a node key",
		Args:  keyNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				return keyUsageError("--nodekey is required")
			}
			key, err := enode.LoadNodeKey(path)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), enode.PubkeyToID(key.PubKey()))
			return nil
		},
	}
	nodeKeyFlag(cmd, &path)
	return cmd
}
