package certs

import (
	"crypto/x509"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestIssueProfiles(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	ca, err := NewCA(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	agency, err := ca.NewAgency(Options{Name: "org1", KeyType: Ed25519, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := ca.NewNode(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	viaAgency, err := agency.NewNode(Options{Name: "n1", Now: clock.Now, Hosts: []string{"127.0.0.1", "node1.example"}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		cert       *x509.Certificate
		isCA       bool
		maxPathLen int
		usage      x509.KeyUsage
		ext        []x509.ExtKeyUsage
		keyType    KeyType
		cn         string
		notAfter   time.Time
	}{
		{"root", ca.Cert, true, 1, x509.KeyUsageCertSign | x509.KeyUsageCRLSign, nil, P256,
			"ledgernet CA", now.Add(DefaultCAValidity)},
		{"agency", agency.Cert, true, 0, x509.KeyUsageCertSign | x509.KeyUsageCRLSign, nil, Ed25519,
			"org1", now.Add(DefaultCAValidity)},
		{"node", direct.Leaf, false, -1, x509.KeyUsageDigitalSignature,
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, P256, "", now.Add(DefaultNodeValidity)},
		{"agency node", viaAgency.Leaf, false, -1, x509.KeyUsageDigitalSignature,
			[]x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, P256, "n1", now.Add(DefaultNodeValidity)},
	}
	serials := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cert
			if c.IsCA != tt.isCA || !c.BasicConstraintsValid {
				t.Errorf("IsCA = %v (valid %v), want %v", c.IsCA, c.BasicConstraintsValid, tt.isCA)
			}
			if tt.isCA && (c.MaxPathLen != tt.maxPathLen || (tt.maxPathLen == 0 && !c.MaxPathLenZero)) {
				t.Errorf("MaxPathLen = %d (zero %v), want %d", c.MaxPathLen, c.MaxPathLenZero, tt.maxPathLen)
			}
			if c.KeyUsage != tt.usage {
				t.Errorf("KeyUsage = %v, want %v", c.KeyUsage, tt.usage)
			}
			if !slices.Equal(c.ExtKeyUsage, tt.ext) {
				t.Errorf("ExtKeyUsage = %v, want %v", c.ExtKeyUsage, tt.ext)
			}
			if kt, _ := KeyTypeOf(c.PublicKey); kt != tt.keyType {
				t.Errorf("key type = %q, want %q", kt, tt.keyType)
			}
			if tt.cn != "" && c.Subject.CommonName != tt.cn {
				t.Errorf("CN = %q, want %q", c.Subject.CommonName, tt.cn)
			}
			if !c.NotBefore.Equal(now.Add(-backdate)) {
				t.Errorf("NotBefore = %v, want %v", c.NotBefore, now.Add(-backdate))
			}
			if !c.NotAfter.Equal(tt.notAfter) {
				t.Errorf("NotAfter = %v, want %v", c.NotAfter, tt.notAfter)
			}
			if c.SerialNumber.Sign() <= 0 || c.SerialNumber.BitLen() > 128 {
				t.Errorf("serial %x is not a positive 128-bit number", c.SerialNumber)
			}
			if serials[c.SerialNumber.String()] {
				t.Errorf("serial %x repeated", c.SerialNumber)
			}
			serials[c.SerialNumber.String()] = true
		})
	}

	if len(direct.Certificate) != 1 {
		t.Errorf("root-issued node chain has %d certificates, want 1", len(direct.Certificate))
	}
	if len(viaAgency.Certificate) != 2 || !slices.Equal(viaAgency.Certificate[1], agency.Cert.Raw) {
		t.Errorf("agency-issued node chain is not node + agency")
	}
	if len(viaAgency.Leaf.IPAddresses) != 1 || !slices.Equal(viaAgency.Leaf.DNSNames, []string{"node1.example"}) {
		t.Errorf("hosts: IPs %v, DNS %v", viaAgency.Leaf.IPAddresses, viaAgency.Leaf.DNSNames)
	}
}

func TestIssueErrors(t *testing.T) {
	ca, err := NewCA(Options{})
	if err != nil {
		t.Fatal(err)
	}
	agency, err := ca.NewAgency(Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name    string
		do      func() error
		wantErr error // nil: any error
	}{
		{"agency of agency", func() error { _, err := agency.NewAgency(Options{}); return err }, ErrNotRoot},
		{"bad key type", func() error { _, err := ca.NewNode(Options{KeyType: "rsa"}); return err }, ErrUnsupportedKey},
		{"NotAfter before NotBefore", func() error {
			_, err := ca.NewNode(Options{NotBefore: now, NotAfter: now.Add(-time.Hour)})
			return err
		}, nil},
		{"negative validity", func() error { _, err := NewCA(Options{Validity: -time.Hour}); return err }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestIssueExplicitBounds(t *testing.T) {
	ca, err := NewCA(Options{})
	if err != nil {
		t.Fatal(err)
	}
	nb := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := ca.NewNode(Options{NotBefore: nb, NotAfter: na})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Leaf.NotBefore.Equal(nb) || !c.Leaf.NotAfter.Equal(na) {
		t.Errorf("validity %v..%v, want %v..%v", c.Leaf.NotBefore, c.Leaf.NotAfter, nb, na)
	}
	// Validity is counted from the clock, and cut to the issuer's end.
	c, err = ca.NewNode(Options{Validity: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore); d != 48*time.Hour+backdate {
		t.Errorf("validity %v, want %v", d, 48*time.Hour+backdate)
	}
	c, err = ca.NewNode(Options{Validity: 10 * DefaultCAValidity})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Leaf.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("NotAfter %v not cut to the CA's %v", c.Leaf.NotAfter, ca.Cert.NotAfter)
	}
}
