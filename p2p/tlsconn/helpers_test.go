package tlsconn

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// testProto is the protocol of most tests: three commands, so that the
// conformance suite's codes 0..2 exist.
var testProto = ProtocolSpec{Name: "test", Version: 1, Commands: []string{"c0", "c1", "c2"}}

// testCA is a certificate authority written in a temporary directory.
type testCA struct {
	dir string
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ca")
	if _, err := certs.CreateCA(dir, certs.Options{}); err != nil {
		t.Fatal(err)
	}
	return &testCA{dir: dir}
}

// node issues a node certificate into a fresh directory and returns it.
func (ca *testCA) node(t testing.TB, opts certs.Options) (*certs.Node, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "node")
	n, err := certs.CreateNode(ca.dir, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return n, dir
}

// revoke revokes the node certificate in nodeDir and copies the CA's CRL
// into each of dirs.
func (ca *testCA) revoke(t testing.TB, nodeDir string, dirs ...string) {
	t.Helper()
	if err := certs.Revoke(ca.dir, filepath.Join(nodeDir, certs.NodeCertFile)); err != nil {
		t.Fatal(err)
	}
	crl, err := os.ReadFile(filepath.Join(ca.dir, certs.CRLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, certs.CRLFile), crl, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// selfSignedNode writes a node directory whose certificate signs itself,
// with node key usages, and the real CA's ca.crt beside it.
func selfSignedNode(t testing.TB, ca *testCA) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "self-signed"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "selfsigned")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certs.NodeCertFile, "CERTIFICATE", der)
	write(certs.NodeKeyFile, "PRIVATE KEY", pk)
	caCert, err := os.ReadFile(filepath.Join(ca.dir, certs.CACertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, certs.CACertFile), caCert, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newTransport makes a transport for a node certificate.
func newTransport(t testing.TB, n *certs.Node, mod func(*Config)) *Transport {
	t.Helper()
	v, err := certs.NewVerifier(certs.VerifierConfig{Roots: n.Roots, CRLFile: n.CRLFile})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Certificate: n.Certificate, Verifier: v, Protocols: []ProtocolSpec{testProto}}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := NewTransport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// handshakePair connects a (dialling) and b (accepting) over TCP loopback
// and returns both ends' results.
func handshakePair(t testing.TB, a, b *Transport, expected *enode.ID) (ca, cb *Conn, erra, errb error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		raw, err := ln.Accept()
		if err != nil {
			errb = err
			return
		}
		cb, errb = b.Setup(context.Background(), raw, true, nil)
	}()
	ca, erra = a.Dial(context.Background(), ln.Addr().String(), expected)
	wg.Wait()
	return ca, cb, erra, errb
}

// connPair returns two connected Conns; the test closes them.
func connPair(t testing.TB, a, b *Transport) (*Conn, *Conn) {
	t.Helper()
	ca, cb, erra, errb := handshakePair(t, a, b, nil)
	if erra != nil || errb != nil {
		if ca != nil {
			ca.Close(nil)
		}
		if cb != nil {
			cb.Close(nil)
		}
		t.Fatalf("handshake: dialler %v, listener %v", erra, errb)
	}
	return ca, cb
}

// testLogger writes to the test log at debug level when -v is set.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// waitFor polls cond until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var _ = io.EOF
var _ = tls.VersionTLS13
var _ p2p.Conn = (*Conn)(nil)

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
