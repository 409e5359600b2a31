package node

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/node/btcnode"
)

// startBitcoin starts a node of a Bitcoin profile: the btcnode assembly
// (plain TCP, address manager, netsync, bans) over the data directory.
func (n *Node) startBitcoin() error {
	cfg := n.cfg
	white, err := prefixes(cfg.Whitelist)
	if err != nil {
		return fmt.Errorf("whitelist: %w", err)
	}
	restrict, err := prefixes(cfg.NetRestrict)
	if err != nil {
		return fmt.Errorf("netrestrict: %w", err)
	}
	bc := btcnode.Config{
		Params:      n.params,
		DataDir:     cfg.DataDir,
		Listen:      cfg.Listen,
		ExternalIP:  externalIP(cfg),
		Connect:     cfg.Connect,
		AddPeers:    cfg.AddPeer,
		MaxPeers:    cfg.MaxPeers,
		MaxOutbound: cfg.MaxOutbound,
		Whitelist:   white,
		NetRestrict: restrict,
		BanDuration: time.Duration(cfg.BanDuration),
		NoDNSSeed:   !cfg.DNSSeed,
		UserAgent:   version.UserAgent(),
		Store:       store.Config{NoSync: n.opts.NoSync},
		Sync:        n.opts.Sync,
		Peer:        n.btcPeerConfig(),
		Logger:      n.logger("btc"),
	}
	b, err := btcnode.New(bc)
	if err != nil {
		return err
	}
	if err := b.Start(); err != nil {
		return err
	}
	n.btc = b
	n.store, n.pool, n.sync = b.Chain(), b.Pool(), b.Sync()
	return nil
}

// externalIP is the IP of --nat extip:IP, if given.
func externalIP(cfg *config.Config) netip.Addr {
	if ext, ok := strings.CutPrefix(cfg.NAT, "extip:"); ok {
		if ip, err := netip.ParseAddr(ext); err == nil {
			return ip
		}
	}
	return netip.Addr{}
}
