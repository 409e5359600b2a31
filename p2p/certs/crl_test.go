package certs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRevoke(t *testing.T) {
	n := newTestNet(t)
	a := n.node(t, "a", n.caDir, Options{})
	b := n.node(t, "b", n.caDir, Options{})
	c := n.node(t, "c", n.agencyDir, Options{})
	crlPath := filepath.Join(n.caDir, CRLFile)
	steps := []struct {
		name       string
		caDir      string
		cert       string
		wantErr    error
		wantNumber int64
		wantCount  int
	}{
		{"first", n.caDir, filepath.Join(n.dir, "a", NodeCertFile), nil, 1, 1},
		{"again is a no-op", n.caDir, filepath.Join(n.dir, "a", NodeCertFile), nil, 1, 1},
		{"second", n.caDir, filepath.Join(n.dir, "b", NodeCertFile), nil, 2, 2},
		{"agency node by the root", n.caDir, filepath.Join(n.dir, "c", NodeCertFile), ErrNotIssuer, 2, 2},
		{"agency by the root", n.caDir, filepath.Join(n.agencyDir, AgencyCertFile), nil, 3, 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := Revoke(st.caDir, st.cert)
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("Revoke err = %v, want %v", err, st.wantErr)
			}
			lists, err := ReadCRLs(crlPath)
			if err != nil {
				t.Fatal(err)
			}
			if len(lists) != 1 {
				t.Fatalf("%d CRLs in the CA's crl.pem", len(lists))
			}
			l := lists[0]
			if err := l.CheckSignatureFrom(n.ca.Cert); err != nil {
				t.Errorf("CRL signature: %v", err)
			}
			if l.Number.Int64() != st.wantNumber || len(l.RevokedCertificateEntries) != st.wantCount {
				t.Errorf("CRL number %v with %d entries, want %d with %d",
					l.Number, len(l.RevokedCertificateEntries), st.wantNumber, st.wantCount)
			}
		})
	}
	lists, _ := ReadCRLs(crlPath)
	want := []*Node{a, b}
	for i, w := range want {
		if lists[0].RevokedCertificateEntries[i].SerialNumber.Cmp(w.Certificate.Leaf.SerialNumber) != 0 {
			t.Errorf("entry %d is not node %d's serial", i, i)
		}
	}

	// The agency revokes its own nodes in its own crl.pem.
	if err := Revoke(n.agencyDir, filepath.Join(n.dir, "c", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	agLists, err := ReadCRLs(filepath.Join(n.agencyDir, CRLFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := agLists[0].CheckSignatureFrom(n.agency.Cert); err != nil || agLists[0].RevokedCertificateEntries[0].SerialNumber.Cmp(c.Certificate.Leaf.SerialNumber) != 0 {
		t.Errorf("agency CRL: %v", err)
	}

	// A crl.pem that this CA did not sign is not silently replaced.
	if err := os.WriteFile(crlPath, mustRead(t, filepath.Join(n.agencyDir, CRLFile)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Revoke(n.caDir, filepath.Join(n.dir, "a", NodeCertFile)); err == nil {
		t.Error("Revoke replaced a foreign CRL")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
