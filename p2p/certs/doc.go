// Package certs issues and verifies the X.509 certificates that identify nodes
// of a permissioned ledgernet network (the FISCO BCOS model), and builds the
// TLS 1.3 configurations with which those nodes authenticate each other.
//
// # Hierarchy and files
//
// A network has one root CA, the "chain" CA held by the network's committee.
// The root may sign agency CAs (one per member organisation), and either the
// root or an agency signs node certificates: chain → agency → node, as FISCO
// BCOS does, or chain → node directly. The root allows one intermediate level
// (MaxPathLen 1); an agency may not issue further CAs (MaxPathLen 0).
//
// Every file is standard PEM that openssl reads: certificates are
// "CERTIFICATE" blocks, private keys are PKCS#8 "PRIVATE KEY" blocks, the
// revocation list is an "X509 CRL" block. Directories:
//
//	CA dir      ca.crt ca.key [crl.pem]
//	agency dir  agency.crt agency.key ca.crt chain.crt [crl.pem]
//	node dir    node.crt node.key ca.crt [crl.pem]
//
// chain.crt is agency.crt followed by ca.crt (leaf-to-root order, the order
// TLS uses), for tools such as "openssl verify -CAfile chain.crt". node.crt
// holds the node's certificate followed by the agency certificate when an
// agency issued it (never the root): the node presents this chain in the TLS
// handshake, so a peer that only has ca.crt can build the path through the
// agency. ca.crt may hold several root certificates; a peer chaining to any of
// them is accepted (FISCO's multi-CA).
//
// A node is configured with one directory (--certs DIR) holding ca.crt,
// node.crt, node.key and, optionally, crl.pem.
//
// # Keys
//
// Keys are ECDSA P-256 by default, Ed25519 as an option. Go's crypto/tls and
// crypto/x509 do not support secp256k1, which is why the permissioned mode does
// not reuse the devp2p secp256k1 node key: its identity is the certificate's
// key instead.
//
// # Node IDs
//
// A node's ID is an enode.ID, the type every layer uses: the 32-byte legacy
// Keccak-256 hash of its certificate's raw public key, computed like a
// devp2p ID: for P-256 the 64 bytes X‖Y of the
// uncompressed point (without the 0x04 prefix), for Ed25519 the 32-byte key.
// The SubjectPublicKeyInfo DER is not hashed, so the same P-256 key gives the
// same ID whatever encoding carried it. See NodeID.
//
// # Validity
//
// The root and agency CAs are valid for 20 years and node certificates for 10
// years by default (FISCO v2 used 100 years for everything); a certificate
// never outlives its issuer unless NotAfter is set explicitly. NotBefore is
// backdated by one hour to tolerate clock skew between nodes. Options can set
// NotBefore and NotAfter directly, for instance to make an expired
// certificate in a test.
//
// # Revocation
//
// Revoke adds a certificate's serial number to its issuer's crl.pem, a
// standard X.509 CRL signed by the issuer (the root CA for agencies and for
// nodes it signed directly, the agency for its nodes), with the CRL number
// incremented on each change. A node's crl.pem may hold several CRLs one after
// another (for instance the root's and each agency's, concatenated); each is
// applied to the certificates of its issuer after its signature has been
// checked against that issuer. The CRL's NextUpdate is informational and is
// not enforced: lists are distributed by hand, and a stale list must not stop
// a network. A Verifier rereads crl.pem when its modification time, size or
// inode changes, checking at most once per ReloadInterval (one second) in the
// verification path, so revocations apply to new connections without a
// restart and without a goroutine. A missing crl.pem means nothing is
// revoked; a malformed one is reported and the previous list kept.
//
// # TLS
//
// ServerConfig and ClientConfig give TLS 1.3-only configurations in which both
// sides present their certificate chain and verify the other's with a
// Verifier: the chain must lead to a root in ca.crt (through the agency the
// peer sent), be valid at the injected clock's time, have no revoked
// certificate, carry node key usages (digital signature, server and client
// auth, not a CA), and, when a known node is dialled, have the expected node
// ID. Each refusal wraps a sentinel error (ErrUnknownCA, ErrExpired,
// ErrRevoked, ...) that the verifying side gets back unchanged from
// Conn.Handshake, and Reason gives a short label for metrics. The remote side
// only receives a generic TLS alert (bad_certificate, or internal_error for an
// old TLS version) and cannot tell why. Session resumption is off, so every
// connection is verified against the current revocation list.
package certs
