package certs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenSSLReadsFiles checks that the files are standard PEM: openssl
// parses every certificate, key and CRL, verifies the chains, and applies
// the CRL. CI installs openssl (apt-get install -y openssl).
func TestOpenSSLReadsFiles(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl is not installed; CI must install it (apt-get install -y openssl)")
		}
		t.Skip("openssl is not installed; CI runs this with apt-get install -y openssl")
	}
	n := newTestNet(t)
	n.node(t, "direct", n.caDir, Options{})
	n.node(t, "via-agency", n.agencyDir, Options{KeyType: Ed25519})
	n.node(t, "revoked", n.caDir, Options{})
	if err := Revoke(n.caDir, filepath.Join(n.dir, "revoked", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	p := func(parts ...string) string { return filepath.Join(append([]string{n.dir}, parts...)...) }

	tests := []struct {
		name    string
		args    []string
		want    []string // substrings of the output
		wantErr bool
	}{
		{"ca.crt", []string{"x509", "-text", "-noout", "-in", p("ca", CACertFile)},
			[]string{"CA:TRUE, pathlen:1", "Certificate Sign, CRL Sign", "prime256v1", "CN = ledgernet CA"}, false},
		{"agency.crt", []string{"x509", "-text", "-noout", "-in", p("agency", AgencyCertFile)},
			[]string{"CA:TRUE, pathlen:0", "CN = org1"}, false},
		{"node.crt", []string{"x509", "-text", "-noout", "-in", p("direct", NodeCertFile)},
			[]string{"CA:FALSE", "Digital Signature", "TLS Web Server Authentication, TLS Web Client Authentication"}, false},
		{"ed25519 node.crt", []string{"x509", "-text", "-noout", "-in", p("via-agency", NodeCertFile)},
			[]string{"ED25519", "Issuer: CN = org1"}, false},
		{"ca.key", []string{"pkey", "-noout", "-in", p("ca", CAKeyFile)}, nil, false},
		{"ed25519 node.key", []string{"pkey", "-noout", "-text", "-in", p("via-agency", NodeKeyFile)}, []string{"ED25519 Private-Key"}, false},
		{"crl.pem", []string{"crl", "-text", "-noout", "-in", p("ca", CRLFile)},
			[]string{"X509v3 CRL Number", "Revoked Certificates"}, false},
		{"crl signature", []string{"crl", "-noout", "-in", p("ca", CRLFile), "-CAfile", p("ca", CACertFile)},
			[]string{"verify OK"}, false},
		{"verify direct node", []string{"verify", "-CAfile", p("direct", CACertFile), p("direct", NodeCertFile)},
			[]string{": OK"}, false},
		{"node as TLS server", []string{"verify", "-purpose", "sslserver", "-CAfile", p("direct", CACertFile), p("direct", NodeCertFile)},
			[]string{": OK"}, false},
		{"node as TLS client", []string{"verify", "-purpose", "sslclient", "-CAfile", p("direct", CACertFile), p("direct", NodeCertFile)},
			[]string{": OK"}, false},
		{"verify node via agency", []string{"verify", "-CAfile", p("via-agency", CACertFile),
			"-untrusted", p("via-agency", NodeCertFile), p("via-agency", NodeCertFile)}, []string{": OK"}, false},
		{"verify with chain.crt", []string{"verify", "-CAfile", p("agency", ChainFile), p("via-agency", NodeCertFile)},
			[]string{": OK"}, false},
		{"revoked node", []string{"verify", "-crl_check", "-CRLfile", p("ca", CRLFile), "-CAfile", p("ca", CACertFile),
			p("revoked", NodeCertFile)}, []string{"certificate revoked"}, true},
		{"not revoked node", []string{"verify", "-crl_check", "-CRLfile", p("ca", CRLFile), "-CAfile", p("ca", CACertFile),
			p("direct", NodeCertFile)}, []string{": OK"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(bin, tt.args...).CombinedOutput()
			if (err != nil) != tt.wantErr {
				t.Fatalf("openssl %s: err %v, want error %v\n%s", strings.Join(tt.args, " "), err, tt.wantErr, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
