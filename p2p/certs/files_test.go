package certs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestCreateAndLoad(t *testing.T) {
	n := newTestNet(t)
	tests := []struct {
		name      string
		issuerDir string
		chainLen  int
	}{
		{"direct", n.caDir, 1},
		{"via agency", n.agencyDir, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created := n.node(t, tt.name, tt.issuerDir, Options{})
			dir := filepath.Join(n.dir, tt.name)
			loaded, err := LoadNode(dir)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.ID != created.ID {
				t.Errorf("loaded ID %x, created %x", loaded.ID, created.ID)
			}
			if len(loaded.Certificate.Certificate) != tt.chainLen {
				t.Errorf("node.crt holds %d certificates, want %d", len(loaded.Certificate.Certificate), tt.chainLen)
			}
			if len(loaded.Roots) != 1 || !loaded.Roots[0].Equal(n.ca.Cert) {
				t.Errorf("ca.crt is not the root")
			}
			if loaded.CRLFile != filepath.Join(dir, CRLFile) {
				t.Errorf("CRLFile = %s", loaded.CRLFile)
			}
			fi, err := os.Stat(filepath.Join(dir, NodeKeyFile))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("node.key mode %v, want 0600", fi.Mode().Perm())
			}
			// Never overwrite a node's key.
			if _, err := CreateNode(tt.issuerDir, dir, Options{}); !errors.Is(err, fs.ErrExist) {
				t.Errorf("second CreateNode err = %v, want fs.ErrExist", err)
			}
		})
	}

	for _, f := range []string{CAKeyFile, AgencyKeyFile} {
		dir := n.caDir
		if f == AgencyKeyFile {
			dir = n.agencyDir
		}
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v", f, err, fi.Mode().Perm())
		}
	}
	chain, err := ReadCertificates(filepath.Join(n.agencyDir, ChainFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || !chain[0].Equal(n.agency.Cert) || !chain[1].Equal(n.ca.Cert) {
		t.Errorf("chain.crt is not agency + ca")
	}
}

func TestLoadAuthority(t *testing.T) {
	n := newTestNet(t)
	ca, err := LoadAuthority(n.caDir)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.isRoot() || !ca.Cert.Equal(n.ca.Cert) {
		t.Errorf("CA dir did not load the root")
	}
	ag, err := LoadAuthority(n.agencyDir)
	if err != nil {
		t.Fatal(err)
	}
	if ag.isRoot() || !ag.Cert.Equal(n.agency.Cert) || !ag.Root.Equal(n.ca.Cert) {
		t.Errorf("agency dir did not load the agency")
	}

	// A key that does not match the certificate is refused.
	other := t.TempDir()
	if _, err := CreateCA(other, Options{}); err != nil {
		t.Fatal(err)
	}
	mixed := t.TempDir()
	copyFile(t, filepath.Join(n.caDir, CACertFile), filepath.Join(mixed, CACertFile))
	copyFile(t, filepath.Join(other, CAKeyFile), filepath.Join(mixed, CAKeyFile))
	if _, err := LoadAuthority(mixed); err == nil {
		t.Error("LoadAuthority accepted a key of another CA")
	}
	if _, err := LoadAuthority(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty dir err = %v, want fs.ErrNotExist", err)
	}
	// A node created in the CA's own directory shares the identical ca.crt.
	if _, err := CreateNode(n.caDir, n.caDir, Options{}); err != nil {
		t.Errorf("node in the CA dir: %v", err)
	}
	// But a different ca.crt is not replaced.
	if _, err := CreateNode(other, n.agencyDir, Options{}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("node of another CA over agency dir err = %v, want fs.ErrExist", err)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		read func() error
	}{
		{"no cert block", func() error { _, err := ReadCertificates(write("a", []byte("hello"))); return err }},
		{"bad cert", func() error {
			_, err := ReadCertificates(write("b", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")))
			return err
		}},
		{"no crl block", func() error { _, err := ReadCRLs(write("c", []byte("junk"))); return err }},
		{"empty crl file", func() error { _, err := ReadCRLs(write("d", nil)); return err }},
		{"too large", func() error {
			_, err := ReadCertificates(write("e", bytes.Repeat([]byte{'x'}, maxFileSize+1)))
			return err
		}},
		{"missing", func() error { _, err := ReadCertificates(filepath.Join(dir, "none")); return err }},
		{"no key block", func() error { _, err := readKey(write("f", []byte("x"))); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.read(); err == nil {
				t.Error("no error")
			}
		})
	}
}
