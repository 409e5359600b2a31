package certs

import (
	"crypto/tls"
	"fmt"
	"slices"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// ServerConfig returns the TLS configuration of a node accepting connections:
// TLS 1.3 only, the node's certificate chain, and every client required to
// present a chain that v accepts. A refused handshake returns v's error from
// (*tls.Conn).Handshake, so errors.Is(err, ErrRevoked) and the like work on
// this side; a client offering only older TLS versions gets ErrOldTLSVersion.
func ServerConfig(cert tls.Certificate, v *Verifier) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
		// RequestClientCert rather than RequireAnyClientCert: an empty client
		// chain then reaches VerifyConnection and is refused with
		// ErrNoCertificate instead of an untyped crypto/tls error. crypto/tls
		// still checks the client's CertificateVerify signature.
		ClientAuth:             tls.RequestClientCert,
		VerifyConnection:       verifyConnection(v, nil),
		GetConfigForClient:     requireTLS13,
		SessionTicketsDisabled: true, // every connection is checked against the current CRL
		Time:                   v.now,
	}
}

// ClientConfig returns the TLS configuration of a node dialling another:
// TLS 1.3 only, the node's certificate chain, and the server's chain checked
// by v. When expected is not nil the server's node ID must equal it
// (ErrUnexpectedID otherwise); pass nil when the address is known but not
// the ID.
func ClientConfig(cert tls.Certificate, v *Verifier, expected *enode.ID) *tls.Config {
	if expected != nil {
		id := *expected // the caller may reuse its variable
		expected = &id
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
		// Host-name verification does not apply: peers are named by node ID.
		// The chain is verified in VerifyConnection instead, against the
		// network's CA and revocation list.
		InsecureSkipVerify: true,
		VerifyConnection:   verifyConnection(v, expected),
		Time:               v.now,
	}
}

func verifyConnection(v *Verifier, expected *enode.ID) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		_, err := v.Verify(cs.PeerCertificates, expected)
		return err
	}
}

// requireTLS13 refuses a ClientHello without TLS 1.3 with a typed error
// (crypto/tls's own refusal is an untyped string). The client receives an
// internal_error alert instead of protocol_version.
func requireTLS13(chi *tls.ClientHelloInfo) (*tls.Config, error) {
	if !slices.Contains(chi.SupportedVersions, tls.VersionTLS13) {
		names := make([]string, len(chi.SupportedVersions))
		for i, ver := range chi.SupportedVersions {
			names[i] = tls.VersionName(ver)
		}
		return nil, fmt.Errorf("certs: client offers %v: %w", names, ErrOldTLSVersion)
	}
	return nil, nil
}

// PeerID returns the node ID of the peer of a completed handshake, from its
// leaf certificate. With ServerConfig and ClientConfig the chain has already
// been verified.
func PeerID(cs tls.ConnectionState) (enode.ID, error) {
	if len(cs.PeerCertificates) == 0 {
		return enode.ID{}, fmt.Errorf("certs: peer sent %w", ErrNoCertificate)
	}
	return NodeID(cs.PeerCertificates[0].PublicKey)
}
