package node

import (
	"fmt"
	"github.com/ledgernet/ledgernet/metrics"
	"strings"

	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
	"github.com/ledgernet/ledgernet/wire"
)

// startTLS starts the permissioned network: a tlsconn.Host with the
// certificates of Config.Certs, keeping Config.Peers connected.
//
// The Host, not p2p/server with the tls Transport: the server's static
// peers are devp2p nodes (enode.Node), while the permissioned list names
// addresses with optional certificate IDs; the Host keeps such a list
// connected and settles simultaneous dials between two listed nodes.
func (n *Node) startTLS() error {
	peers, err := peerList(n.cfg.Peers)
	if err != nil {
		return err
	}
	restrict, err := prefixes(n.cfg.NetRestrict)
	if err != nil {
		return fmt.Errorf("netrestrict: %w", err)
	}
	tc := n.opts.TLS
	tc.Services = wire.SFNodeNetwork
	if tc.UserAgent == "" {
		tc.UserAgent = version.UserAgent()
	}
	tc.BestHeight = func() int32 { return n.store.Tip().Height }
	host, err := tlsconn.NewHost(tlsconn.HostConfig{
		CertsDir:    n.cfg.Certs,
		ListenAddr:  n.cfg.Listen,
		Peers:       peers,
		Protocols:   n.tlsProtocols(),
		Logger:      n.logger("p2p"),
		Observer:    metrics.Observer(n.metrics),
		Transport:   tc,
		MaxPeers:    n.cfg.MaxPeers,
		NetRestrict: restrict,
		Banned:      n.bans.Banned,
		BannedID:    n.bans.BannedID,
	})
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.host = host
	return nil
}

// tlsProtocols are the protocols of a permissioned node.
func (n *Node) tlsProtocols() []tlsconn.Protocol {
	chainP := tlsconn.Protocol{
		Name:     ChainProtocol,
		Version:  ChainProtocolVersion,
		Commands: btcpeer.Commands(),
		Run: func(p *tlsconn.Peer, rw p2p.MsgReadWriter) error {
			return n.runChain(p, rw, "tls")
		},
	}
	return []tlsconn.Protocol{chainP, n.status.TLSProtocol(), n.topic.TLSProtocol()}
}

// peerList turns the configured peers into the Host's list: an address
// "[ID@]HOST:PORT", or an address with the ID beside it.
func peerList(ps []config.Peer) ([]peerlist.Peer, error) {
	var out []string
	for _, p := range ps {
		s := p.Address
		if p.ID != "" && !strings.Contains(s, "@") {
			id, err := enode.ParseID(p.ID)
			if err != nil {
				return nil, fmt.Errorf("%w: peer %q: id: %v", config.ErrInvalid, p.Address, err)
			}
			s = id.String() + "@" + s
		}
		out = append(out, s)
	}
	list, err := peerlist.ParseAll(out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", config.ErrInvalid, err)
	}
	return list, nil
}

// ReloadPeers replaces the permissioned profile's configured peer list at
// run time, as a re-read configuration file gives it: peers new to the list
// are dialled and kept connected, peers no longer on it are dropped. Peers
// added through the API stay.
func (n *Node) ReloadPeers(ps []config.Peer) error {
	if n.host == nil {
		return fmt.Errorf("%w: reloading the peer list is for the permissioned profile", config.ErrInvalid)
	}
	list, err := peerList(ps)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.host.UpdatePeers(append(list, n.extraPeers...)); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.cfg.Peers = ps
	return nil
}
