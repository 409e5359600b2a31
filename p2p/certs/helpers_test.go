package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// fakeClock is a settable clock for validity periods and CRL reloads.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testNet is a network with a root CA and one agency, written to disk.
type testNet struct {
	dir       string
	caDir     string
	agencyDir string
	ca        *Authority
	agency    *Authority
	clock     *fakeClock
}

func newTestNet(t testing.TB) *testNet {
	t.Helper()
	n := &testNet{dir: t.TempDir(), clock: newFakeClock()}
	n.caDir = filepath.Join(n.dir, "ca")
	n.agencyDir = filepath.Join(n.dir, "agency")
	var err error
	if n.ca, err = CreateCA(n.caDir, Options{Now: n.clock.Now}); err != nil {
		t.Fatal(err)
	}
	if n.agency, err = CreateAgency(n.caDir, n.agencyDir, Options{Name: "org1", Now: n.clock.Now}); err != nil {
		t.Fatal(err)
	}
	return n
}

// node creates a node directory named name, issued by issuerDir.
func (n *testNet) node(t testing.TB, name, issuerDir string, opts Options) *Node {
	t.Helper()
	if opts.Now == nil {
		opts.Now = n.clock.Now
	}
	node, err := CreateNode(issuerDir, filepath.Join(n.dir, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return node
}

func (n *testNet) verifier(t testing.TB, node *Node) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierConfig{Roots: node.Roots, CRLFile: node.CRLFile, Now: n.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// copyFile copies src to dst through a rename, as an operator distributing
// crl.pem would.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// customLeaf signs a hand-made leaf template with a (tests of bad usages and
// keys); a nil a makes it self-signed. A nil key means a fresh P-256 key.
func customLeaf(t testing.TB, a *Authority, tmpl *x509.Certificate, key crypto.Signer) tls.Certificate {
	t.Helper()
	if key == nil {
		var err error
		if key, err = generateKey(P256); err != nil {
			t.Fatal(err)
		}
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber, _ = rand.Int(rand.Reader, big.NewInt(1<<62))
	}
	parent, signer := tmpl, key
	if a != nil {
		parent, signer = a.Cert, a.Key
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-24*time.Hour), time.Now().Add(24*time.Hour)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	chain := [][]byte{der}
	if a != nil && !a.isRoot() {
		chain = append(chain, a.Cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}
}

// nodeTemplate is what NewNode issues, for customLeaf to alter.
func nodeTemplate(name string) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
}

// permissive returns TLS 1.3 configurations presenting cert that accept any
// peer: the side of a test that is not under test.
func permissive(cert tls.Certificate) (client, server *tls.Config) {
	client = &tls.Config{
		Certificates:       []tls.Certificate{cert},
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true,
	}
	server = &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		ClientAuth:   tls.RequestClientCert,
	}
	return client, server
}

// side is what one end of a test connection saw.
type side struct {
	err error
	id  enode.ID // peer ID after a successful exchange
}

// connect runs a TLS handshake over TCP loopback between a client and a
// server configuration, then exchanges one byte each way. A side whose peer
// refused the handshake usually learns it only from the alert that the
// exchange reads, hence the exchange.
func connect(t testing.TB, clientCfg, serverCfg *tls.Config) (client, server side) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srvc := make(chan side, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			srvc <- side{err: err}
			return
		}
		srvc <- exchange(tls.Server(c, serverCfg))
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client = exchange(tls.Client(raw, clientCfg))
	server = <-srvc
	return client, server
}

func exchange(c *tls.Conn) side {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		return side{err: err}
	}
	if _, err := c.Write([]byte{1}); err != nil {
		return side{err: err}
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return side{err: err}
	}
	id, err := PeerID(c.ConnectionState())
	return side{err: err, id: id}
}

func pemEncode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
