package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func init() { register(newBanCmd) }

// newBanCmd is `ledgernet ban add|remove|list|clear`: the operator's bans
// of a running node, over its API. Misbehaving peers are only disconnected
// and discouraged; bans are the operator's.
func newBanCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ban",
		Short: "The operator's bans of a running node: by address, network or node ID",
	}
	var addF, rmF, listF, clearF apiFlags
	var dur time.Duration
	var reason string
	add := &cobra.Command{
		Use:   "add ADDR|CIDR|NODEID [--for DURATION] [--reason TEXT]",
		Short: "Ban an address, a network or (devnet, permissioned) a node ID, and drop the peers it matches",
		Args:  clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dur < 0 {
				return &exitError{code: 2, err: fmt.Errorf("--for %v: want a positive duration", dur)}
			}
			c, err := addF.client(true)
			if err != nil {
				return err
			}
			if err := c.Ban(cmd.Context(), args[0], dur, reason); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "banned %s\n", args[0])
			return nil
		},
	}
	add.Flags().DurationVar(&dur, "for", 0, "how long (default: the node's ban_duration, 24h)")
	add.Flags().StringVar(&reason, "reason", "", "why, kept with the ban")
	addF.register(add, false)
	rm := &cobra.Command{
		Use:   "remove ADDR|CIDR|NODEID",
		Short: "Lift a ban",
		Args:  clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := rmF.client(true)
			if err != nil {
				return err
			}
			if err := c.Unban(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unbanned %s\n", args[0])
			return nil
		},
	}
	rmF.register(rm, false)
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the bans in force",
		Args:  clientArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := listF.client(false)
			if err != nil {
				return err
			}
			bans, err := c.Bans(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if listF.json {
				return printJSON(w, bans)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TARGET\tUNTIL\tREASON")
			for _, b := range bans {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", b.Target, b.Until.UTC().Format(time.RFC3339), b.Reason)
			}
			return tw.Flush()
		},
	}
	listF.register(list, true)
	clr := &cobra.Command{
		Use:   "clear",
		Short: "Lift every ban",
		Args:  clientArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := clearF.client(true)
			if err != nil {
				return err
			}
			if err := c.ClearBans(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "cleared every ban")
			return nil
		},
	}
	clearF.register(clr, false)
	cmd.AddCommand(add, rm, list, clr)
	return cmd
}
