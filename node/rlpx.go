package node

import (
	"fmt"
	"github.com/ledgernet/ledgernet/metrics"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/discover"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/status"
	"github.com/ledgernet/ledgernet/p2p/topic"
)

// bindRetries is how often a listener pair on an ephemeral port is tried:
// the TCP port the system picks may be taken for UDP.
const bindRetries = 10

// startRLPx starts the devnet network: the TCP listener and the discv4
// socket on the same port, the node record, discovery, and the p2p server
// with the protocols.
func (n *Node) startRLPx() error {
	cfg := n.cfg
	discOn := cfg.DiscoveryAddr != "off" && len(cfg.Connect) == 0
	tcp, udp, err := listenPair(cfg.Listen, cfg.DiscoveryAddr, discOn)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	tcpAddr := tcp.Addr().(*net.TCPAddr).AddrPort()

	boot, err := parseNodes("bootnode", cfg.Bootnodes)
	if err != nil {
		closeAll(tcp, udp)
		return err
	}
	static, err := parseNodes("addpeer", append(append([]string(nil), cfg.AddPeer...), cfg.Connect...))
	if err != nil {
		closeAll(tcp, udp)
		return err
	}
	restrict, err := prefixes(cfg.NetRestrict)
	if err != nil {
		closeAll(tcp, udp)
		return err
	}

	// The record: the discovery database remembers the last seq we
	// published; above it, and above what a run without the database could
	// have used (go-ethereum's Unix-milliseconds rule).
	if n.nodeDB, err = nodedb.Open(filepath.Join(cfg.DataDir, NodesFile), nodedb.Config{Log: n.logger("discover")}); err != nil {
		closeAll(tcp, udp)
		return fmt.Errorf("node: %w", err)
	}
	id := enode.PubkeyToID(n.key.PubKey())
	n.local = enode.NewLocalNode(n.key, max(n.nodeDB.LocalSeq(id), uint64(time.Now().UnixMilli())))
	ip := recordIP(cfg, tcpAddr.Addr())
	n.local.SetIP(ip)
	n.local.Set(enr.TCP(tcpAddr.Port()))
	n.local.Set(enr.Network(n.params.Name))

	sc := n.opts.Server
	if udp != nil {
		n.local.Set(enr.UDP(udp.LocalAddr().(*net.UDPAddr).AddrPort().Port()))
		dc := n.opts.Discovery
		dc.PrivateKey, dc.DB, dc.Bootnodes, dc.Network, dc.Log = n.key, n.nodeDB, boot, n.params.Name, n.logger("discover")
		if n.disc, err = discover.Listen(udp, n.local, dc); err != nil {
			tcp.Close()
			udp.Close()
			return fmt.Errorf("node: discovery: %w", err)
		}
		sc.Discovery = n.disc.RandomNodes()
		n.metrics.WatchDiscoveryTable(n.disc.TableLen)
	}
	sc.PrivateKey = n.key
	sc.Listener = tcp
	sc.MaxPeers = cfg.MaxPeers
	if cfg.MaxOutbound > 0 {
		sc.Scheduler.MaxOutbound = cfg.MaxOutbound
	}
	sc.NetRestrict = restrict
	sc.Scheduler.Banned, sc.Scheduler.BannedID = n.bans.Banned, n.bans.BannedID
	sc.Protocols = n.rlpxProtocols()
	sc.StaticNodes = static
	switch {
	case len(cfg.Connect) > 0:
	case udp == nil:
		// Without discovery the bootnodes are the only way into the
		// network: kept connected, redialled with backoff after a failed
		// dial, rather than tried once and forgotten.
		sc.StaticNodes = append(sc.StaticNodes, boot...)
	default:
		sc.BootstrapNodes = boot
	}
	sc.LocalNode = n.local
	sc.Logger = n.logger("p2p")
	sc.Observer = metrics.Observer(n.metrics)
	srv, err := server.New(sc)
	if err != nil {
		tcp.Close()
		if sc.Discovery != nil {
			sc.Discovery.Close()
		}
		return err
	}
	if err := srv.Start(); err != nil {
		tcp.Close()
		if sc.Discovery != nil {
			sc.Discovery.Close()
		}
		return err
	}
	n.srv = srv
	n.local.SetIP(ip) // Start set the listener's; ours may be the external one
	var udpPort uint16
	if udp != nil {
		udpPort = udp.LocalAddr().(*net.UDPAddr).AddrPort().Port()
	}
	if err := n.startNAT(tcpAddr.Port(), udpPort); err != nil {
		return fmt.Errorf("node: nat: %w", err)
	}
	n.log.Info("Devnet node listening", "enode", n.local.Node().URLv4(), "discovery", udp != nil)
	return nil
}

// rlpxProtocols are the capabilities of a devnet node.
func (n *Node) rlpxProtocols() []server.Protocol {
	chainP := server.Protocol{
		Name:     ChainProtocol,
		Version:  ChainProtocolVersion,
		Length:   uint64(len(btcpeer.Commands())),
		Commands: btcpeer.Commands(),
		Run: func(p *server.Peer, rw p2p.MsgReadWriter) error {
			return n.runChain(p, rw, "rlpx")
		},
	}
	// Commands name each protocol's codes in the server's metrics.
	statusP, topicP := n.status.Protocol(), n.topic.Protocol()
	statusP.Commands, topicP.Commands = status.Commands, topic.Commands
	return []server.Protocol{chainP, statusP, topicP}
}

// recordIP is the IP the node's record announces: the NAT's external IP
// if configured, else the listen address, else loopback (which only
// loopback peers accept from us; run with --nat extip:IP to be found from
// elsewhere).
func recordIP(cfg *config.Config, listen netip.Addr) netip.Addr {
	if ip := externalIP(cfg); ip.IsValid() {
		return ip
	}
	if ip := listen.Unmap(); ip.IsValid() && !ip.IsUnspecified() {
		return ip
	}
	return netip.AddrFrom4([4]byte{127, 0, 0, 1})
}

// listenPair binds the TCP listener and, when discovery is on, the UDP
// socket: on discAddr if it names one, else on the TCP address's port.
// With an ephemeral TCP port the pair is retried until both bind.
func listenPair(listen, discAddr string, disc bool) (net.Listener, *net.UDPConn, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, nil, fmt.Errorf("listen %q: %w", listen, err)
	}
	ephemeral := port == "0" || port == ""
	for try := 0; ; try++ {
		tcp, err := net.Listen("tcp", listen)
		if err != nil {
			return nil, nil, err
		}
		if !disc {
			return tcp, nil, nil
		}
		ua := discAddr
		if ua == "" {
			ua = net.JoinHostPort(host, strconv.Itoa(tcp.Addr().(*net.TCPAddr).Port))
		}
		uaddr, err := net.ResolveUDPAddr("udp", ua)
		if err != nil {
			tcp.Close()
			return nil, nil, fmt.Errorf("discovery %q: %w", ua, err)
		}
		udp, err := net.ListenUDP("udp", uaddr)
		if err == nil {
			return tcp, udp, nil
		}
		tcp.Close()
		if !ephemeral || discAddr != "" || try >= bindRetries {
			return nil, nil, fmt.Errorf("discovery: %w", err)
		}
	}
}

func closeAll(tcp net.Listener, udp *net.UDPConn) {
	tcp.Close()
	if udp != nil {
		udp.Close()
	}
}

// prefixes parses CIDRs.
func prefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%w: CIDR %q: %v", config.ErrInvalid, s, err)
		}
		out = append(out, p)
	}
	return out, nil
}
