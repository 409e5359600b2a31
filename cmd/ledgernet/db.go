package main

import (
	"fmt"
	"path/filepath"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/config"
	"github.com/spf13/cobra"
)

func init() { register(newDBCmd) }

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Inspect a node's data files"}
	cmd.AddCommand(newDBCheckCmd())
	return cmd
}

func newDBCheckCmd() *cobra.Command {
	var profile, datadir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check [--profile P] [--datadir DIR] [--json]",
		Short: "Verify a stopped node's chain.db",
		Long: `Verify a node's chain.db without changing it (the node must be stopped):
the file itself (its meta pages and length, then bbolt's page consistency
check), then the chain's invariants: the headers link into one tree from
genesis, every main-chain block is stored and matches its header (hash and
merkle root), the tip is the stored chain with the most work, and on devnet
and permissioned the coin set is exactly what replaying the main chain gives.

Exit status 0 when sound, 1 with the problems listed otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			def, err := config.Defaults(profile)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if datadir == "" {
				datadir = def.DataDir
			}
			params, err := config.ChainParams(profile)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			r, err := store.Check(filepath.Join(datadir, store.FileName), params)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				if err := printJSON(w, r); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s: %d headers, tip %s at height %d, %d blocks checked", filepath.Join(datadir, store.FileName), r.Headers, r.Tip, r.Height, r.Blocks)
				if r.Coins > 0 {
					fmt.Fprintf(w, ", %d coins", r.Coins)
				}
				fmt.Fprintln(w)
				for _, p := range r.Problems {
					fmt.Fprintln(w, "problem:", p)
				}
			}
			if len(r.Problems) > 0 {
				return fmt.Errorf("%d problems found in %s", len(r.Problems), filepath.Join(datadir, store.FileName))
			}
			if !asJSON {
				fmt.Fprintln(w, "sound")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&profile, "profile", config.ProfileDevnet, "the node's profile (picks the chain rules and the default data directory)")
	cmd.Flags().StringVar(&datadir, "datadir", "", "the node's data directory (default ~/.ledgernet/<profile>)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
