package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/spf13/cobra"
)

// The hidden `p2p serve` command runs a bare p2p server (RLPx, Hello, one
// echo protocol) for interop tests and manual checks. The node command will
// replace it.

func init() { register(newP2PServeCmd) }

// echoProtocol answers each code-0 message with a code-1 message carrying
// the same payload.
var echoProtocol = server.Protocol{Name: "lnecho", Version: 1, Length: 2, Run: func(p *server.Peer, rw p2p.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		if msg.Code == 0 {
			if err := rw.WriteMsg(p2p.Msg{Code: 1, Payload: msg.Payload}); err != nil {
				return err
			}
		}
	}
}}

func newP2PServeCmd() *cobra.Command {
	var (
		listen, keyPath string
		static          []string
		maxPeers        int
		verbose         bool
	)
	serve := &cobra.Command{
		Use:   "serve --listen IP:PORT [--nodekey FILE] [--static ENODE]...",
		Short: "Run a p2p server until interrupted, printing its enode URL and peer events",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			key, err := enode.GenerateKey(nil)
			if keyPath != "" {
				key, _, err = enode.LoadOrCreateNodeKey(keyPath)
			}
			if err != nil {
				return err
			}
			var nodes []*enode.Node
			for _, s := range static {
				n, err := enode.Parse(s)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--static %q: %w", s, err)}
				}
				nodes = append(nodes, n)
			}
			logw := io.Discard
			if verbose {
				logw = cmd.ErrOrStderr()
			}
			srv, err := server.New(server.Config{
				PrivateKey:  key,
				ListenAddr:  listen,
				MaxPeers:    maxPeers,
				Protocols:   []server.Protocol{echoProtocol},
				StaticNodes: nodes,
				Logger:      slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			if err != nil {
				return err
			}
			sub := srv.Subscribe(64)
			if err := srv.Start(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintln(w, srv.Self().URLv4())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				printPeerEvents(w, sub)
			}()
			<-ctx.Done()
			srv.Stop() // closes sub
			wg.Wait()
			return nil
		},
	}
	serve.Flags().StringVar(&listen, "listen", "127.0.0.1:30303", "TCP address to listen on")
	serve.Flags().StringVar(&keyPath, "nodekey", "", "node key file, created if missing (default: a new key each run)")
	serve.Flags().StringArrayVar(&static, "static", nil, "enode URL or ENR of a peer to keep connected (repeatable)")
	serve.Flags().IntVar(&maxPeers, "maxpeers", 0, "maximum number of peers (0: 50)")
	serve.Flags().BoolVarP(&verbose, "verbose", "v", false, "debug logs on stderr")

	cmd := &cobra.Command{Use: "p2p", Short: "Peer-to-peer server tools", Hidden: true}
	cmd.AddCommand(serve)
	return cmd
}

func printPeerEvents(w io.Writer, sub *server.Subscription) {
	for ev := range sub.C {
		p := ev.Peer
		switch ev.Type {
		case server.PeerAdded:
			fmt.Fprintf(w, "peer added id=%s addr=%s inbound=%v name=%q caps=%v\n", p.ID.TerminalString(), p.RemoteAddr, p.Inbound, p.Name, p.Caps)
		case server.PeerDropped:
			fmt.Fprintf(w, "peer dropped id=%s reason=%q remote=%v\n", p.ID.TerminalString(), ev.Reason, ev.Remote)
		}
	}
}
