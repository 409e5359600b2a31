package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/certs"
)

// runCert runs the ledgernet command line with args and returns its output.
func runCert(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestCertCommands(t *testing.T) {
	dir := t.TempDir()
	ca, agency := filepath.Join(dir, "ca"), filepath.Join(dir, "agency")
	node1, node2 := filepath.Join(dir, "node1"), filepath.Join(dir, "node2")
	steps := []struct {
		name string
		args []string
		want []string
	}{
		{"ca", []string{"cert", "ca", "--out", ca, "--days", "365"}, []string{"ca.key", "CN=ledgernet CA", "path length 1"}},
		{"agency", []string{"cert", "agency", "--ca", ca, "--out", agency, "--name", "org1", "--key-type", "ed25519"},
			[]string{"chain.crt", "CN=org1", "ed25519", "path length 0"}},
		{"node via agency", []string{"cert", "node", "--ca", agency, "--out", node1, "--name", "n1", "--host", "127.0.0.1"},
			[]string{"node.key (0600)", "CN=n1", "issuer:     CN=org1", "node ID:"}},
		{"node direct", []string{"cert", "node", "--ca", ca, "--out", node2}, []string{"issuer:     CN=ledgernet CA", "node ID:"}},
		{"show chain", []string{"cert", "show", filepath.Join(node1, "node.crt")}, []string{"CN=n1", "CN=org1", "CA:         yes"}},
		{"revoke", []string{"cert", "revoke", "--ca", agency, filepath.Join(node1, "node.crt")}, []string{`revoked "n1"`, "crl.pem"}},
		{"show crl", []string{"cert", "show", filepath.Join(agency, "crl.pem")}, []string{"revocation list of: CN=org1", "number:     1", "revoked:    1"}},
	}
	for _, st := range steps {
		out, err := runCert(t, st.args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", st.name, err, out)
		}
		for _, w := range st.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", st.name, w, out)
			}
		}
	}

	// The printed node ID is the one the node loads.
	n, err := certs.LoadNode(node2)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runCert(t, "cert", "show", filepath.Join(node2, "node.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "node ID:    " + hex.EncodeToString(n.ID[:]); !strings.Contains(out, want) {
		t.Errorf("show output lacks %q:\n%s", want, out)
	}
	// The revoked serial is the node's.
	n1, err := certs.LoadNode(node1)
	if err != nil {
		t.Fatal(err)
	}
	out, _ = runCert(t, "cert", "show", filepath.Join(agency, "crl.pem"))
	if want := "serial " + n1.Certificate.Leaf.SerialNumber.Text(16); !strings.Contains(out, want) {
		t.Errorf("CRL output lacks %q:\n%s", want, out)
	}
}

func TestCertCommandErrors(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	if _, err := runCert(t, "cert", "ca", "--out", ca); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"ca without --out", []string{"cert", "ca"}, 2},
		{"bad key type", []string{"cert", "ca", "--out", filepath.Join(dir, "x"), "--key-type", "secp256k1"}, 2},
		{"negative days", []string{"cert", "node", "--ca", ca, "--out", filepath.Join(dir, "y"), "--days", "-1"}, 2},
		{"agency without name", []string{"cert", "agency", "--ca", ca, "--out", filepath.Join(dir, "z")}, 2},
		{"node without --ca", []string{"cert", "node", "--out", filepath.Join(dir, "w")}, 2},
		{"show without file", []string{"cert", "show"}, 2},
		{"revoke without --ca", []string{"cert", "revoke", filepath.Join(ca, "ca.crt")}, 2},
		{"ca over an existing CA", []string{"cert", "ca", "--out", ca}, 1},
		{"node from a missing CA", []string{"cert", "node", "--ca", filepath.Join(dir, "none"), "--out", filepath.Join(dir, "v")}, 1},
		{"show a key", []string{"cert", "show", filepath.Join(ca, "ca.key")}, 1},
		{"revoke the CA itself", []string{"cert", "revoke", "--ca", ca, filepath.Join(ca, "ca.crt")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCert(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			code := 1
			var ee *exitError
			if errors.As(err, &ee) {
				code = ee.code
			}
			if code != tt.code {
				t.Errorf("exit code %d, want %d (err %v)", code, tt.code, err)
			}
		})
	}
}
