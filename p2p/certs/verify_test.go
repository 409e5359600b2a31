package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

func leafChain(t testing.TB, c tls.Certificate) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for _, der := range c.Certificate {
		x, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

// TestVerifyTable runs every refusal reason through Verify directly; the TLS
// tests check the same reasons surface from a handshake.
func TestVerifyTable(t *testing.T) {
	n := newTestNet(t)
	self := n.node(t, "self", n.caDir, Options{})
	v := n.verifier(t, self)
	now := n.clock.Now()

	otherCA, err := NewCA(Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := n.node(t, "good", n.caDir, Options{})
	viaAgency := n.node(t, "via-agency", n.agencyDir, Options{})
	ed := n.node(t, "ed", n.agencyDir, Options{KeyType: Ed25519})
	mk := func(a *Authority, opts Options) tls.Certificate {
		c, err := a.NewNode(opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	serverOnly := nodeTemplate("server-only")
	serverOnly.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	noEKU := nodeTemplate("no-eku")
	noEKU.ExtKeyUsage = nil
	encipherOnly := nodeTemplate("encipher-only")
	encipherOnly.KeyUsage = x509.KeyUsageKeyAgreement
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	selfSigned := nodeTemplate("self-signed")
	caAsNode := tls.Certificate{Certificate: [][]byte{n.ca.Cert.Raw}}
	agencyAsNode := tls.Certificate{Certificate: [][]byte{n.agency.Cert.Raw, n.ca.Cert.Raw}}
	agencyLeafOnly := tls.Certificate{Certificate: viaAgency.Certificate.Certificate[:1]}
	long := tls.Certificate{Certificate: append(append([][]byte{}, viaAgency.Certificate.Certificate...),
		n.agency.Cert.Raw, n.agency.Cert.Raw, n.ca.Cert.Raw)}
	// A forged agency: same name as the real one, its own key.
	forged, err := otherCA.NewAgency(Options{Name: "org1"})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		cert     tls.Certificate
		expected *enode.ID
		want     error
	}{
		{"root-issued", good.Certificate, nil, nil},
		{"agency-issued", viaAgency.Certificate, nil, nil},
		{"ed25519", ed.Certificate, nil, nil},
		{"expected ID", good.Certificate, &good.ID, nil},
		{"no certificate", tls.Certificate{}, nil, ErrNoCertificate},
		{"other CA", mk(otherCA, Options{}), nil, ErrUnknownCA},
		{"forged agency", mk(forged, Options{}), nil, ErrUnknownCA},
		{"self-signed", customLeaf(t, nil, selfSigned, nil), nil, ErrUnknownCA},
		{"agency missing from chain", agencyLeafOnly, nil, ErrUnknownCA},
		{"expired", mk(n.ca, Options{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}), nil, ErrExpired},
		{"not yet valid", mk(n.ca, Options{NotBefore: now.Add(time.Hour), NotAfter: now.Add(48 * time.Hour)}), nil, ErrExpired},
		{"server auth only", customLeaf(t, n.ca, serverOnly, nil), nil, ErrBadKeyUsage},
		{"no extended usage", customLeaf(t, n.ca, noEKU, nil), nil, ErrBadKeyUsage},
		{"no digital signature", customLeaf(t, n.ca, encipherOnly, nil), nil, ErrBadKeyUsage},
		{"CA as node", caAsNode, nil, ErrBadKeyUsage},
		{"agency as node", agencyAsNode, nil, ErrBadKeyUsage},
		{"P-384 key", customLeaf(t, n.ca, nodeTemplate("p384"), p384), nil, ErrUnsupportedKey},
		{"chain too long", long, nil, ErrInvalidCertificate},
		{"unexpected ID", good.Certificate, &viaAgency.ID, ErrUnexpectedID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.Verify(leafChain(t, tt.cert), tt.expected)
			if !errors.Is(err, tt.want) || (tt.want != nil && err == nil) {
				t.Fatalf("Verify err = %v, want %v", err, tt.want)
			}
			if err == nil {
				want, _ := NodeID(leafChain(t, tt.cert)[0].PublicKey)
				if id != want {
					t.Errorf("ID %x, want %x", id, want)
				}
			}
		})
	}
}

func TestVerifierReload(t *testing.T) {
	n := newTestNet(t)
	self := n.node(t, "self", n.caDir, Options{})
	peer := n.node(t, "peer", n.caDir, Options{})
	agencyPeer := n.node(t, "agency-peer", n.agencyDir, Options{})
	v := n.verifier(t, self)
	chain := leafChain(t, peer.Certificate)
	agencyChain := leafChain(t, agencyPeer.Certificate)
	check := func(step string, chain []*x509.Certificate, want error) {
		t.Helper()
		if _, err := v.Verify(chain, nil); !errors.Is(err, want) || (want != nil && err == nil) {
			t.Fatalf("%s: Verify err = %v, want %v", step, err, want)
		}
	}

	check("before any CRL", chain, nil)
	if err := Revoke(n.caDir, filepath.Join(n.dir, "peer", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(n.caDir, CRLFile), self.CRLFile)
	check("within the reload interval", chain, nil)
	n.clock.Advance(DefaultReloadInterval)
	check("after the interval", chain, ErrRevoked)

	// Several CRLs in one file: the root's and the agency's.
	if err := Revoke(n.agencyDir, filepath.Join(n.dir, "agency-peer", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	both := append(mustRead(t, filepath.Join(n.caDir, CRLFile)), mustRead(t, filepath.Join(n.agencyDir, CRLFile))...)
	if err := writeFileAtomic(self.CRLFile, both, 0o644); err != nil {
		t.Fatal(err)
	}
	check("agency CRL not yet read", agencyChain, nil)
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	check("agency CRL read by Reload", agencyChain, ErrRevoked)
	check("root CRL still applies", chain, ErrRevoked)

	// A malformed file keeps the previous list.
	if err := writeFileAtomic(self.CRLFile, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := v.Reload(); err == nil {
		t.Error("Reload accepted a malformed CRL file")
	}
	n.clock.Advance(DefaultReloadInterval)
	check("malformed file", chain, ErrRevoked)

	// A removed file revokes nothing.
	if err := os.Remove(self.CRLFile); err != nil {
		t.Fatal(err)
	}
	n.clock.Advance(DefaultReloadInterval)
	check("removed file", chain, nil)

	// A malformed file at start is an error.
	if err := os.WriteFile(self.CRLFile, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewVerifier(VerifierConfig{Roots: self.Roots, CRLFile: self.CRLFile}); err == nil {
		t.Error("NewVerifier accepted a malformed CRL file")
	}
	if _, err := NewVerifier(VerifierConfig{}); err == nil {
		t.Error("NewVerifier accepted no roots")
	}
}

// TestVerifierForgedCRL checks that a CRL naming our CA but signed by another
// key revokes nothing.
func TestVerifierForgedCRL(t *testing.T) {
	n := newTestNet(t)
	self := n.node(t, "self", n.caDir, Options{})
	peer := n.node(t, "peer", n.caDir, Options{})
	impostor, err := NewCA(Options{}) // same default name as n.ca
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: peer.Certificate.Leaf.SerialNumber, RevocationTime: time.Now()}},
		Number:                    big.NewInt(1),
		ThisUpdate:                time.Now(),
		NextUpdate:                time.Now().Add(time.Hour),
	}, impostor.Cert, impostor.Key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if string(l.RawIssuer) != string(n.ca.Cert.RawSubject) {
		t.Fatal("test setup: the forged CRL does not name our CA")
	}
	if err := os.WriteFile(self.CRLFile, pemEncode(pemCRL, der), 0o644); err != nil {
		t.Fatal(err)
	}
	v := n.verifier(t, self)
	if _, err := v.Verify(leafChain(t, peer.Certificate), nil); err != nil {
		t.Errorf("forged CRL revoked a node: %v", err)
	}
}
