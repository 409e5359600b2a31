// Package nat opens ports on the home router a node sits behind, and finds
// the node's external address, so that other nodes can dial it and so that
// its ENR carries an address they can reach.
//
// An Interface is one way of doing so: UPnP (an Internet Gateway Device,
// IGDv1 or IGDv2, through its WANIPConnection or WANPPPConnection service),
// NAT-PMP (RFC 6886) with the default gateway, or a fixed external IP
// (extip:IP) that maps nothing. Parse turns the --nat setting
// (any|none|upnp|pmp|extip:IP) into an Interface; "any" tries UPnP and
// NAT-PMP at once and keeps whichever answers first. Gateways are found
// lazily, on first use, and found again after a failure.
//
// A Mapper keeps one port mapped: it adds the mapping, renews it at two
// thirds of its lifetime, retries with backoff when the gateway fails, and
// reports the external address to a callback (the node puts it into its
// ENR). Stop deletes the mapping and waits for the mapper's goroutine.
//
// Everything a test needs to stay on loopback is injectable: UPnP discovery
// (Config.DiscoverUPnP returns device description URLs, instead of an SSDP
// search sent to the multicast group 239.255.255.250) and the NAT-PMP server
// address (Config.PMPGateway, instead of the default gateway on port 5351).
// The NAT-PMP client is this package's own, because github.com/jackpal/
// go-nat-pmp fixes the server port at 5351 and offers no way to replace its
// transport.
package nat
