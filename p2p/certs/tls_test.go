package certs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// peerOf returns a node's TLS configurations with its own verifier.
type peerOf struct {
	node *Node
	v    *Verifier
}

func (p peerOf) client(expected *enode.ID) *tls.Config {
	return ClientConfig(p.node.Certificate, p.v, expected)
}
func (p peerOf) server() *tls.Config { return ServerConfig(p.node.Certificate, p.v) }

func (n *testNet) peer(t *testing.T, name, issuerDir string, opts Options) peerOf {
	t.Helper()
	node := n.node(t, name, issuerDir, opts)
	return peerOf{node, n.verifier(t, node)}
}

func TestTLSMutualSuccess(t *testing.T) {
	n := newTestNet(t)
	peers := map[string]peerOf{
		"direct":         n.peer(t, "direct", n.caDir, Options{}),
		"direct2":        n.peer(t, "direct2", n.caDir, Options{}),
		"agency":         n.peer(t, "agency", n.agencyDir, Options{}),
		"agency2":        n.peer(t, "agency2", n.agencyDir, Options{}),
		"agency-ed25519": n.peer(t, "agency-ed25519", n.agencyDir, Options{KeyType: Ed25519}),
	}
	pairs := [][2]string{
		{"direct", "direct2"},
		{"direct", "agency"},
		{"agency", "direct"},
		{"agency", "agency2"},
		{"agency-ed25519", "direct"},
		{"direct", "agency-ed25519"},
	}
	for _, p := range pairs {
		for _, withID := range []bool{false, true} {
			name := p[0] + "->" + p[1]
			if withID {
				name += "/expected-id"
			}
			t.Run(name, func(t *testing.T) {
				dialer, listener := peers[p[0]], peers[p[1]]
				var expected *enode.ID
				if withID {
					expected = &listener.node.ID
				}
				cli, srv := connect(t, dialer.client(expected), listener.server())
				if cli.err != nil || srv.err != nil {
					t.Fatalf("client err %v, server err %v", cli.err, srv.err)
				}
				if cli.id != listener.node.ID || srv.id != dialer.node.ID {
					t.Errorf("IDs seen: client %x server %x", cli.id, srv.id)
				}
			})
		}
	}
}

// TestTLSRefused connects a good node with a bad one both ways: the bad node
// dials (the good node, as server, refuses) and the good node dials the bad
// one (the good node, as client, refuses). The refusing side must see the
// typed error; the other side must fail too.
func TestTLSRefused(t *testing.T) {
	n := newTestNet(t)
	good := n.peer(t, "good", n.caDir, Options{})
	now := n.clock.Now()
	otherCA, err := NewCA(Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherNode, err := otherCA.NewNode(Options{})
	if err != nil {
		t.Fatal(err)
	}
	revoked := n.node(t, "revoked", n.caDir, Options{})
	if err := Revoke(n.caDir, filepath.Join(n.dir, "revoked", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	revokedAgency := n.node(t, "revoked-agency", n.agencyDir, Options{})
	if err := Revoke(n.agencyDir, filepath.Join(n.dir, "revoked-agency", NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	both := append(mustRead(t, filepath.Join(n.caDir, CRLFile)), mustRead(t, filepath.Join(n.agencyDir, CRLFile))...)
	if err := writeFileAtomic(good.node.CRLFile, both, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := good.v.Reload(); err != nil {
		t.Fatal(err)
	}
	expired, err := n.ca.NewNode(Options{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	future, err := n.agency.NewNode(Options{NotBefore: now.Add(time.Hour), NotAfter: now.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	serverOnly := nodeTemplate("server-only")
	serverOnly.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}

	tests := []struct {
		name string
		bad  tls.Certificate
		want error
	}{
		{"other CA", otherNode, ErrUnknownCA},
		{"self-signed", customLeaf(t, nil, nodeTemplate("self"), nil), ErrUnknownCA},
		{"revoked", revoked.Certificate, ErrRevoked},
		{"revoked by agency", revokedAgency.Certificate, ErrRevoked},
		{"expired", expired, ErrExpired},
		{"not yet valid", future, ErrExpired},
		{"server auth only", customLeaf(t, n.ca, serverOnly, nil), ErrBadKeyUsage},
	}
	for _, tt := range tests {
		badClient, badServer := permissive(tt.bad)
		t.Run(tt.name+"/bad dials", func(t *testing.T) {
			cli, srv := connect(t, badClient, good.server())
			if !errors.Is(srv.err, tt.want) {
				t.Errorf("server err = %v, want %v", srv.err, tt.want)
			}
			if cli.err == nil {
				t.Error("the refused client saw no error")
			}
			if Reason(srv.err) != tt.want.Error() {
				t.Errorf("Reason = %q", Reason(srv.err))
			}
		})
		t.Run(tt.name+"/bad is dialled", func(t *testing.T) {
			cli, srv := connect(t, good.client(nil), badServer)
			if !errors.Is(cli.err, tt.want) {
				t.Errorf("client err = %v, want %v", cli.err, tt.want)
			}
			if srv.err == nil {
				t.Error("the refused server saw no error")
			}
		})
	}

	t.Run("unexpected ID", func(t *testing.T) {
		other := n.peer(t, "other", n.caDir, Options{})
		cli, srv := connect(t, good.client(&other.node.ID), n.peer(t, "third", n.agencyDir, Options{}).server())
		if !errors.Is(cli.err, ErrUnexpectedID) {
			t.Errorf("client err = %v, want ErrUnexpectedID", cli.err)
		}
		if srv.err == nil {
			t.Error("server saw no error")
		}
	})
	t.Run("no client certificate", func(t *testing.T) {
		cfg := &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true}
		cli, srv := connect(t, cfg, good.server())
		if !errors.Is(srv.err, ErrNoCertificate) {
			t.Errorf("server err = %v, want ErrNoCertificate", srv.err)
		}
		if cli.err == nil {
			t.Error("client saw no error")
		}
	})
	for _, ver := range []uint16{tls.VersionTLS12, tls.VersionTLS11} {
		t.Run("client "+tls.VersionName(ver), func(t *testing.T) {
			cfg, _ := permissive(good.node.Certificate)
			cfg.MinVersion, cfg.MaxVersion = ver, ver
			cli, srv := connect(t, cfg, good.server())
			if !errors.Is(srv.err, ErrOldTLSVersion) {
				t.Errorf("server err = %v, want ErrOldTLSVersion", srv.err)
			}
			if cli.err == nil {
				t.Error("client saw no error")
			}
		})
	}
}

// TestTLSRevokeWithoutRestart revokes a node that has connected, and checks
// the next handshakes in both directions are refused once the verifier's
// reload interval has passed, with the same Verifier and configurations.
func TestTLSRevokeWithoutRestart(t *testing.T) {
	n := newTestNet(t)
	a := n.peer(t, "a", n.caDir, Options{})
	b := n.peer(t, "b", n.agencyDir, Options{})
	aServer, aClient := a.server(), a.client(&b.node.ID)
	bServer, bClient := b.server(), b.client(nil)

	for _, step := range []struct {
		name string
		act  func()
		want error
	}{
		{"before", func() {}, nil},
		{"revoked, file not yet copied", func() {
			if err := Revoke(n.agencyDir, filepath.Join(n.dir, "b", NodeCertFile)); err != nil {
				t.Fatal(err)
			}
			n.clock.Advance(DefaultReloadInterval)
		}, nil},
		{"copied, interval not passed", func() {
			copyFile(t, filepath.Join(n.agencyDir, CRLFile), a.node.CRLFile)
		}, nil},
		{"interval passed", func() { n.clock.Advance(DefaultReloadInterval) }, ErrRevoked},
	} {
		step.act()
		cli, srv := connect(t, bClient, aServer)
		if !errors.Is(srv.err, step.want) || (step.want == nil && cli.err != nil) {
			t.Errorf("%s, b dials a: client err %v, server err %v, want %v", step.name, cli.err, srv.err, step.want)
		}
		cli, srv = connect(t, aClient, bServer)
		if !errors.Is(cli.err, step.want) || (step.want == nil && srv.err != nil) {
			t.Errorf("%s, a dials b: client err %v, server err %v, want %v", step.name, cli.err, srv.err, step.want)
		}
	}
}

func TestPeerIDNoCertificate(t *testing.T) {
	if _, err := PeerID(tls.ConnectionState{}); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("err = %v", err)
	}
}
