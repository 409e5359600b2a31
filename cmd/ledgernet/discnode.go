package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/spf13/cobra"
)

// The hidden `discv4 serve` command runs a bare discv4 node, for interop
// tests (go-ethereum's devp2p discv4 suite) and manual checks. The node
// command will run discovery itself.

func init() { register(newDiscv4Cmd) }

func newDiscv4Cmd() *cobra.Command {
	var (
		listen, keyPath, network, dbPath string
		bootnodes                        []string
		tcpPort                          uint16
		verbosity                        int
	)
	serve := &cobra.Command{
		Use:   "serve --listen IP:PORT [--nodekey FILE] [--network NAME] [--bootnodes URL,...] [--nodedb FILE]",
		Short: "Run a discv4 node until interrupted",
		Long: `Run a discv4 node until interrupted. It prints its enode URL and its
record (enr:...) on the first two lines of stdout, then one line
"table <n> <enode URL>" for each node that enters its table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			addr, err := netip.ParseAddrPort(listen)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--listen %q: %w", listen, err)}
			}
			var nodes []*enode.Node
			for _, s := range bootnodes {
				if s == "" {
					continue
				}
				n, err := enode.Parse(s)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("--bootnodes %q: %w", s, err)}
				}
				nodes = append(nodes, n)
			}
			key, err := enode.GenerateKey(nil)
			if keyPath != "" {
				key, _, err = enode.LoadOrCreateNodeKey(keyPath)
			}
			if err != nil {
				return err
			}
			conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
			if err != nil {
				return err
			}
			db, err := nodedb.Open(dbPath, nodedb.Config{})
			if err != nil {
				conn.Close()
				return err
			}
			defer db.Close()

			// The record's seq: above any we published before (the database
			// remembers it) and above what a previous run without a
			// database could have used (go-ethereum's Unix-milliseconds
			// rule).
			id := enode.PubkeyToID(key.PubKey())
			ln := enode.NewLocalNode(key, max(db.LocalSeq(id), uint64(time.Now().UnixMilli())))
			local := conn.LocalAddr().(*net.UDPAddr).AddrPort()
			ip := local.Addr().Unmap()
			if ip.IsUnspecified() {
				ip = netip.MustParseAddr("127.0.0.1")
			}
			if tcpPort == 0 {
				tcpPort = local.Port()
			}
			ln.SetIP(ip)
			ln.Set(enr.UDP(local.Port()))
			ln.Set(enr.TCP(tcpPort))
			if network != "" {
				ln.Set(enr.Network(network))
			}
			d, err := discover.Listen(conn, ln, discover.Config{
				PrivateKey: key,
				DB:         db,
				Bootnodes:  nodes,
				Network:    network,
				Log:        verbosityLogger(cmd.ErrOrStderr(), verbosity),
			})
			if err != nil {
				conn.Close()
				return err
			}
			defer d.Close()
			w := cmd.OutOrStdout()
			self := d.Self()
			fmt.Fprintln(w, self.URLv4())
			fmt.Fprintln(w, self.String())

			seen := map[enode.ID]bool{}
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-tick.C:
					nodes := d.TableNodes()
					for _, n := range nodes {
						if !seen[n.ID()] {
							seen[n.ID()] = true
							fmt.Fprintf(w, "table %d %s\n", len(nodes), n.URLv4())
						}
					}
				}
			}
		},
	}
	fs := serve.Flags()
	fs.StringVar(&listen, "listen", "127.0.0.1:30303", "UDP address to listen on")
	fs.StringVar(&keyPath, "nodekey", "", "node key file, created if missing (default: a new key each run)")
	fs.StringVar(&network, "network", "devnet", `network named in the record's "ledgernet" entry ("" for none)`)
	fs.StringSliceVar(&bootnodes, "bootnodes", nil, "enode URLs or records to start from, comma-separated")
	fs.StringVar(&dbPath, "nodedb", "", "node database file (default: in memory)")
	fs.Uint16Var(&tcpPort, "tcp", 0, "TCP port announced in the record (default: the UDP port)")
	fs.IntVarP(&verbosity, "verbosity", "v", 0, "logs on stderr: 0 none, 1 info, 2 debug, 3 every packet")

	cmd := &cobra.Command{Use: "discv4", Short: "Node Discovery v4 tools", Hidden: true}
	cmd.AddCommand(serve)
	return cmd
}

func verbosityLogger(w io.Writer, v int) *slog.Logger {
	if v <= 0 {
		return slog.New(slog.DiscardHandler)
	}
	level := map[int]slog.Level{1: slog.LevelInfo, 2: slog.LevelDebug}[v]
	if v >= 3 {
		level = slog.LevelDebug - 4
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
