package certs

import (
	"bytes"
	"crypto/x509"
	"testing"
)

// FuzzVerify feeds arbitrary certificate chains (concatenated DER, as a peer
// controls them) to a Verifier: it must refuse or accept, never panic, and
// accept only chains that lead to the root.
func FuzzVerify(f *testing.F) {
	n := newTestNet(f)
	self := n.node(f, "self", n.caDir, Options{})
	direct := n.node(f, "direct", n.caDir, Options{})
	viaAgency := n.node(f, "via-agency", n.agencyDir, Options{KeyType: Ed25519})
	f.Add(bytes.Join(direct.Certificate.Certificate, nil))
	f.Add(bytes.Join(viaAgency.Certificate.Certificate, nil))
	f.Add(n.ca.Cert.Raw)
	f.Add([]byte{})
	v := n.verifier(f, self)
	f.Fuzz(func(t *testing.T, data []byte) {
		chain, err := x509.ParseCertificates(data)
		if err != nil {
			return
		}
		id, err := v.Verify(chain, nil)
		if err != nil {
			if Reason(err) == "other" {
				t.Fatalf("untyped refusal: %v", err)
			}
			return
		}
		if _, err := chain[0].Verify(x509.VerifyOptions{
			Roots: poolOf(n.ca.Cert), Intermediates: poolOf(chain[1:]...),
			CurrentTime: n.clock.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		}); err != nil {
			t.Fatalf("accepted a chain x509 refuses: %v", err)
		}
		if want, _ := NodeID(chain[0].PublicKey); want != id {
			t.Fatalf("ID %x, want %x", id, want)
		}
	})
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
