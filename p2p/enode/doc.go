// Package enode holds a node's identity on the devp2p network: node IDs,
// node key files, enode:// URLs and Nodes built from ENR records (package
// p2p/enr), byte-compatible with go-ethereum's p2p/enode.
//
// A node is identified by an ID, the keccak256 hash of its 64-byte
// uncompressed secp256k1 public key (X‖Y). ID is the one node ID type of
// ledgernet: permissioned mode derives IDs from certificate keys into the same
// type. LogDist and DistCmp give the XOR metric that Kademlia discovery uses.
//
// A node's private key lives in a "nodekey" file in its data directory: 64
// hex characters, written with permissions 0600 (LoadOrCreateNodeKey creates
// it on first start).
//
// Other nodes are described by a Node: ID, public key, IP address, TCP and UDP
// ports, and the record they came from. Nodes come from signed ENR records
// (New, Parse with "enr:...") or from enode URLs (ParseV4, Parse with
// "enode://...", NewV4):
//
//	enode://<128 hex chars of X‖Y>@<ip>:<tcp port>?discport=<udp port>
//
// discport is present only when the UDP port differs from the TCP port, an
// IPv6 address is written in brackets, and enode://<hex> alone is an
// incomplete node (identity without address). Unlike go-ethereum, which keeps
// a DNS name and resolves it later, ParseV4 accepts only IP addresses, so
// parsing never touches the network; ParseV4WithResolver takes an injected
// resolver for configurations that name hosts.
//
// A node's own record is kept by a LocalNode, which re-signs it with a higher
// sequence number whenever an entry changes.
package enode
