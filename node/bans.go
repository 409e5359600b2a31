package node

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/metrics"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/addrmgr"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// BansFile keeps the operator's bans of a devnet or permissioned node (the
// Bitcoin profiles keep theirs in btcnode's bans.json, the same format).
const BansFile = "bans.json"

// openBans opens the operator's ban list of a devnet or permissioned node.
func (n *Node) openBans() error {
	white, err := prefixes(n.cfg.Whitelist)
	if err != nil {
		return fmt.Errorf("whitelist: %w", err)
	}
	n.bans, err = addrmgr.OpenBanList(addrmgr.BanConfig{Path: filepath.Join(n.cfg.DataDir, BansFile), Whitelist: white,
		Logger: n.logger("bans"), Observer: metrics.Observer(n.metrics)})
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

// banList is the operator's ban list of the node's profile.
func (n *Node) banList() *addrmgr.BanList {
	if n.btc != nil {
		return n.btc.Bans()
	}
	return n.bans
}

// banTarget is what a ban names: an address, a network, or a node ID.
type banTarget struct {
	prefix netip.Prefix
	id     enode.ID
	byID   bool
}

func (n *Node) parseBanTarget(s string) (banTarget, error) {
	s = strings.TrimSpace(s)
	if id, err := enode.ParseID(s); err == nil {
		if n.btc != nil {
			return banTarget{}, fmt.Errorf("%w: the %s profile has no node IDs: ban an address or a network", api.ErrInvalid, n.cfg.Profile)
		}
		return banTarget{id: id, byID: true}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return banTarget{prefix: p.Masked()}, nil
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		ip = ip.Unmap()
		return banTarget{prefix: netip.PrefixFrom(ip, ip.BitLen())}, nil
	}
	return banTarget{}, fmt.Errorf("%w: %q is not an IP address, a CIDR network or a node ID", api.ErrInvalid, s)
}

// Bans implements api.Backend: the operator's bans in force.
func (n *Node) Bans(context.Context) ([]api.BanInfo, error) {
	if err := n.ready(); err != nil {
		return nil, err
	}
	out := []api.BanInfo{}
	for _, b := range n.banList().List() {
		bi := api.BanInfo{Created: b.Created, Until: b.Until, Reason: b.Reason}
		switch {
		case b.ID != "":
			bi.Target = b.ID
		case b.Subnet.IsValid():
			bi.Target = b.Subnet.String()
		default:
			bi.Target = b.Addr.String()
		}
		out = append(out, bi)
	}
	return out, nil
}

// Ban implements api.Backend: bans target (an IP, a CIDR network, or on
// devnet and permissioned a node ID) for d (the config's ban_duration if
// zero) and disconnects the peers it matches at once.
func (n *Node) Ban(_ context.Context, target string, d time.Duration, reason string) error {
	if err := n.ready(); err != nil {
		return err
	}
	t, err := n.parseBanTarget(target)
	if err != nil {
		return err
	}
	if d <= 0 {
		d = time.Duration(n.cfg.BanDuration)
	}
	if reason == "" {
		reason = "operator"
	}
	l := n.banList()
	if t.byID {
		err = l.BanID(t.id, d, reason)
	} else {
		var ok bool
		ok, err = l.BanSubnet(t.prefix, d, reason)
		if err == nil && !ok {
			return fmt.Errorf("%w: %s is whitelisted", api.ErrInvalid, t.prefix)
		}
	}
	if err != nil {
		return err
	}
	n.disconnectBanned(t)
	return nil
}

// disconnectBanned drops the connected peers a new ban matches.
func (n *Node) disconnectBanned(t banTarget) {
	match := func(addr string, id enode.ID) bool {
		if t.byID {
			return id == t.id
		}
		ap, err := netip.ParseAddrPort(addr)
		return err == nil && t.prefix.Contains(ap.Addr().Unmap()) && !n.banList().Whitelisted(ap.Addr())
	}
	if n.btc != nil {
		for _, p := range n.btc.Peers() {
			if match(p.Addr().String(), enode.ID{}) {
				p.Disconnect(fmt.Errorf("%w: banned by the operator", p2p.DiscUselessPeer))
			}
		}
		return
	}
	for _, c := range n.chainPeers.list() {
		if match(c.tp.RemoteAddr().String(), c.id) {
			c.tp.Disconnect(p2p.DiscUselessPeer)
		}
	}
}

// Unban implements api.Backend: lifts the ban of exactly target.
func (n *Node) Unban(_ context.Context, target string) error {
	if err := n.ready(); err != nil {
		return err
	}
	t, err := n.parseBanTarget(target)
	if err != nil {
		return err
	}
	var ok bool
	if t.byID {
		ok, err = n.banList().UnbanID(t.id)
	} else {
		ok, err = n.banList().UnbanSubnet(t.prefix)
	}
	if err == nil && !ok {
		return fmt.Errorf("%w: no ban of %s", api.ErrNotFound, target)
	}
	return err
}

// ClearBans implements api.Backend: lifts every ban.
func (n *Node) ClearBans(context.Context) error {
	if err := n.ready(); err != nil {
		return err
	}
	return n.banList().Clear()
}
