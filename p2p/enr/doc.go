// Package enr implements Ethereum Node Records (EIP-778), byte-compatible with
// go-ethereum's p2p/enr and its "v4" identity scheme.
//
// A Record is a signed list of key/value pairs describing a node: its identity
// scheme ("id"), public key ("secp256k1"), IP addresses ("ip", "ip6"), ports
// ("tcp", "udp", "tcp6", "udp6") and anything else a protocol wants to
// advertise, such as ledgernet's own "ledgernet" entry (see Network). On the
// wire a record is the RLP list
//
//	[signature, seq, k1, v1, k2, v2, ...]
//
// with keys sorted and unique, at most SizeLimit (300) bytes in all. Its text
// form is "enr:" followed by the unpadded URL-safe base64 of that list.
//
// In the "v4" scheme the signature is the 64-byte r‖s secp256k1 signature
// (no recovery id, low s) of keccak256(rlp([seq, k1, v1, ...])), and the
// "secp256k1" entry holds the 33-byte compressed public key.
//
// Data flows in two directions. Decoding (Decode, Parse) bounds the input to
// SizeLimit before reading anything, checks the list structure, the key order
// and the signature, and keeps every value as raw RLP, so entries this package
// does not know about survive untouched. Building a record (Set, Sign) keeps
// pairs sorted; changing a signed record invalidates its signature and bumps
// seq, so that a newer record always carries a higher seq.
//
// The package is a pure codec: no I/O and no global state.
package enr
