// Package v4wire encodes and decodes the packets of the Node Discovery
// Protocol v4 (discv4), byte for byte as go-ethereum's v4wire does.
//
// A packet on the wire is
//
//	hash(32) ‖ signature(65) ‖ packet-type(1) ‖ packet-data
//
// where packet-data is an RLP list, signature is the secp256k1 signature
// r‖s‖v (v the recovery id, 0 or 1) of keccak256(packet-type ‖ packet-data),
// and hash is keccak256(signature ‖ packet-type ‖ packet-data). The signature
// identifies the sender: Decode recovers its public key, whose keccak256 hash
// is the node ID. The six packet types are Ping, Pong, Findnode, Neighbors
// (EIP-778's "neighbours"), ENRRequest and ENRResponse (EIP-868), one per
// file.
//
// Decoding follows EIP-8 forward compatibility as go-ethereum reads it:
// list elements after the known ones are kept in Rest and otherwise ignored,
// bytes after the packet-data list are ignored, and the Ping version is not
// checked. Since EIP-868 the element after the expiration in Ping and Pong is
// the sender's record sequence number (ENRSeq); like go-ethereum, a packet
// whose element there is not an integer is rejected, although EIP-8's own
// test vectors put lists there (they predate EIP-868).
//
// Input is bounded before it is read: a packet over MaxPacketSize (1280
// bytes) is rejected before hashing, and the hash is checked before the
// (expensive, ~115 µs) public key recovery.
//
// Expirations are absolute Unix times; Expired reads them as signed
// integers, so a value above 2^63 (what a careless or hostile sender gets by
// negating a timestamp) lies in the past rather than in the far future.
//
// The package is a pure codec: no I/O, no clock of its own, no global state.
package v4wire
