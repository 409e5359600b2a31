package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/config"
	"github.com/spf13/cobra"
)

// The API client commands: thin wrappers over api.Client.
func init() {
	register(newPeersCmd)
	register(newStatusCmd)
	register(newChainCmd)
	register(newSendCmd)
	register(newPublishCmd)
	register(newBroadcastCmd)
	register(newSubscribeCmd)
	register(newAdminCmd)
}

// apiFlags are the flags every client command takes.
type apiFlags struct {
	addr    string
	datadir string
	json    bool
}

func (f *apiFlags) register(cmd *cobra.Command, withJSON bool) {
	datadir := ""
	if c, err := config.Defaults(config.ProfileDevnet); err == nil {
		datadir = c.DataDir
	}
	cmd.Flags().StringVar(&f.addr, "api", api.DefaultAddr, "the node's API address (host:port or URL)")
	cmd.Flags().StringVar(&f.datadir, "datadir", datadir, "the node's data directory, holding "+api.TokenFile+" (for calls that change something)")
	if withJSON {
		cmd.Flags().BoolVar(&f.json, "json", false, "print JSON instead of a table")
	}
}

// client returns an API client; withToken reads DATADIR/api.token.
func (f *apiFlags) client(withToken bool) (*api.Client, error) {
	tok := ""
	if withToken {
		var err error
		tok, err = api.ReadToken(filepath.Join(f.datadir, api.TokenFile))
		if err != nil {
			return nil, fmt.Errorf("%w (the node creates it on first start; give its --datadir)", err)
		}
	}
	return api.NewClient(f.addr, tok, nil), nil
}

// clientArgs checks the count of positional arguments (usage error: exit 2).
func clientArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{code: 2, err: fmt.Errorf("%s takes %d argument(s), got %d (usage: %s)", cmd.Name(), n, len(args), cmd.UseLine())}
		}
		return nil
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func newPeersCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "peers [--api ADDR] [--json]",
		Short: "List the node's connected peers",
		Args:  clientArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _ := f.client(false)
			peers, err := c.Peers(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if f.json {
				return printJSON(w, peers)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ADDR\tID\tDIR\tTRANSPORT\tHEIGHT\tPING\tVERSION\tUSER AGENT\tCAPS")
			for _, p := range peers {
				dir := "out"
				if p.Inbound {
					dir = "in"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1fms\t%d\t%s\t%s\n", p.Addr, shortID(p.ID), dir, p.Transport,
					p.Height, p.PingMS, p.Version, p.UserAgent, strings.Join(p.Caps, ","))
			}
			fmt.Fprintf(tw, "%d peers\n", len(peers))
			return tw.Flush()
		},
	}
	f.register(cmd, true)
	return cmd
}

func newStatusCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "status [--api ADDR] [--json]",
		Short: "List the status records the node knows (tip, topics, services of each node)",
		Args:  clientArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _ := f.client(false)
			recs, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if f.json {
				return printJSON(w, recs)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NODE\tSEQ\tHEIGHT\tTIP\tSERVICES\tTOPICS\tVERSION\tUPDATED")
			for _, r := range recs {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%#x\t%s\t%s\t%s\n", shortID(r.NodeID), r.Seq, r.Height, shortID(r.Tip),
					r.Services, strings.Join(r.Topics, ","), r.Version, r.Updated.Local().Format(time.DateTime))
			}
			fmt.Fprintf(tw, "%d nodes\n", len(recs))
			return tw.Flush()
		},
	}
	f.register(cmd, true)
	return cmd
}

func newChainCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "chain [--api ADDR] [--json]",
		Short: "Show the node's chain: height, tip, best header, sync progress, mempool",
		Args:  clientArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _ := f.client(false)
			ch, err := c.Chain(cmd.Context())
			if err != nil {
				return err
			}
			mp, err := c.Mempool(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if f.json {
				return printJSON(w, struct {
					api.ChainInfo
					Mempool api.MempoolInfo `json:"mempool"`
				}{ch, mp})
			}
			sync := "in sync"
			if ch.Syncing {
				sync = fmt.Sprintf("syncing, %.1f%%", 100*ch.Progress)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "height:\t%d\n", ch.Height)
			fmt.Fprintf(tw, "tip:\t%s\n", ch.Tip)
			fmt.Fprintf(tw, "headers:\t%d\n", ch.Headers)
			fmt.Fprintf(tw, "sync:\t%s\n", sync)
			fmt.Fprintf(tw, "mempool:\t%d transactions, %d bytes\n", mp.Count, mp.Bytes)
			return tw.Flush()
		},
	}
	f.register(cmd, true)
	return cmd
}

func newSendCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "send NODEID MESSAGE [--api ADDR] [--datadir DIR]",
		Short: "Send a message to one node by node ID",
		Args:  clientArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(true)
			if err != nil {
				return err
			}
			if err := c.Send(cmd.Context(), args[0], []byte(args[1])); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sent %d bytes to %s\n", len(args[1]), shortID(args[0]))
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

func newPublishCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "publish TOPIC MESSAGE [--api ADDR] [--datadir DIR]",
		Short: "Publish a message to a topic's subscribers",
		Args:  clientArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(true)
			if err != nil {
				return err
			}
			if err := c.Publish(cmd.Context(), args[0], []byte(args[1])); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %d bytes to %s\n", len(args[1]), args[0])
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

func newBroadcastCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "broadcast MESSAGE [--api ADDR] [--datadir DIR]",
		Short: "Broadcast a message to every node",
		Args:  clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(true)
			if err != nil {
				return err
			}
			if err := c.Broadcast(cmd.Context(), []byte(args[0])); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "broadcast %d bytes\n", len(args[0]))
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

func newSubscribeCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "subscribe TOPIC [--api ADDR] [--json]",
		Short: "Print the messages published to a topic until interrupted",
		Long: `Print the messages published to a topic until interrupted (Ctrl-C) or the
node ends the stream: one line per message, with the time received, the
origin node and the payload (as text, or base64: when not UTF-8). --json
prints each message as one line of JSON.`,
		Args: clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, _ := f.client(false)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			w := cmd.OutOrStdout()
			enc := json.NewEncoder(w)
			err := c.Subscribe(ctx, args[0], func() {
				fmt.Fprintf(cmd.ErrOrStderr(), "subscribed to %s\n", args[0])
			}, func(m api.Message) error {
				if f.json {
					return enc.Encode(m)
				}
				text := m.Text
				if text == "" || !utf8.Valid(m.Payload) {
					text = "base64:" + base64.StdEncoding.EncodeToString(m.Payload)
				}
				_, err := fmt.Fprintf(w, "%s %s %s: %s\n", m.Received.Local().Format("15:04:05.000"), shortID(m.Origin), m.Topic, text)
				return err
			})
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil // interrupted: the normal end
			}
			return err
		},
	}
	f.register(cmd, true)
	return cmd
}

func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Administer a running node over its API"}
	var add, remove apiFlags
	addCmd := &cobra.Command{
		Use:   "addpeer ADDR|ENODE [--api ADDR] [--datadir DIR]",
		Short: "Dial a peer (host:port or enode URL) and keep it as a static peer",
		Args:  clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := add.client(true)
			if err != nil {
				return err
			}
			if err := c.AddPeer(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "adding peer %s\n", args[0])
			return nil
		},
	}
	add.register(addCmd, false)
	removeCmd := &cobra.Command{
		Use:   "removepeer NODEID|ADDR [--api ADDR] [--datadir DIR]",
		Short: "Disconnect a peer and forget it as a static peer",
		Args:  clientArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := remove.client(true)
			if err != nil {
				return err
			}
			if err := c.RemovePeer(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed peer %s\n", args[0])
			return nil
		},
	}
	remove.register(removeCmd, false)
	cmd.AddCommand(addCmd, removeCmd)
	return cmd
}
