// Package originsig signs what a node originates (a status record, a topic
// message) so that every node it reaches, directly or through relays, can
// check that the node named as origin made it.
//
// A signature is self-certifying: it names its scheme in its first byte and
// lets the verifier recover or read the signer's public key, whose node ID
// (enode.ID, the keccak-256 of the raw public key) must equal the claimed
// origin. No key directory is needed, so relays verify records and messages
// of nodes they have never met.
//
// Schemes:
//
//	0x01 secp256k1  1 + 65 bytes: r ‖ s ‖ recovery id, over the digest
//	                (the devp2p node key of the open network)
//	0x02 P-256      1 + 64 + 64 bytes: X ‖ Y of the key, then r ‖ s
//	                (a permissioned node's certificate key)
//	0x03 Ed25519    1 + 32 + 64 bytes: the key, then the signature of the
//	                digest (the permissioned profile's other key type)
//
// The IDs are computed as package enode (secp256k1) and package certs
// (P-256, Ed25519) compute them, so the origin of a signed message is the
// same ID the transports report for that node.
//
// Callers hash what they sign themselves, with a domain prefix of their own
// (so that a status record can never be replayed as a topic message), and
// pass the 32-byte digest.
package originsig
