package node

import (
	"net/netip"

	"github.com/ledgernet/ledgernet/nat"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

// startNAT maps the devnet node's TCP and UDP ports on the NAT gateway
// (Config.NAT any, upnp or pmp) and puts the external address the gateway
// reports into the node's record. extip needs no mapping: recordIP
// already announces it.
func (n *Node) startNAT(tcpPort, udpPort uint16) error {
	iface, err := nat.Parse(n.cfg.NAT, nat.Config{})
	if err != nil || iface == nil {
		return err
	}
	switch n.cfg.NAT {
	case "any", "upnp", "pmp":
	default:
		return nil // extip
	}
	log := n.logger("nat")
	onExt := func(m nat.Mapping, ext netip.AddrPort) {
		log.Info("Port mapped", "proto", m.Proto, "port", m.Port, "external", ext, "via", iface)
		n.local.SetIP(ext.Addr())
		if m.Proto == "tcp" {
			n.local.Set(enr.TCP(ext.Port()))
		} else {
			n.local.Set(enr.UDP(ext.Port()))
		}
	}
	n.mappers = append(n.mappers, nat.StartMapper(iface, nat.Mapping{Proto: "tcp", Port: tcpPort, Name: "ledgernet"},
		nat.MapperConfig{OnExternal: onExt, Logger: log}))
	if udpPort != 0 {
		n.mappers = append(n.mappers, nat.StartMapper(iface, nat.Mapping{Proto: "udp", Port: udpPort, Name: "ledgernet discovery"},
			nat.MapperConfig{OnExternal: onExt, Logger: log}))
	}
	return nil
}
