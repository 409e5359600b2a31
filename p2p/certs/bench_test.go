package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ledgernet/ledgernet/internal/cputime"
)

// benchNet returns two nodes (a dials b) issued by the root CA or by an
// agency, with a CRL of a few revoked nodes in a's directory, and their
// certificates carrying 127.0.0.1 so standard host-name verification works
// with the same certificates.
func benchNet(b *testing.B, issuer string) (a, bb *Node, n *testNet) {
	n = newTestNet(b)
	dir := n.caDir
	if issuer == "agency" {
		dir = n.agencyDir
	}
	opts := Options{Hosts: []string{"127.0.0.1"}}
	a = n.node(b, "a", dir, opts)
	bb = n.node(b, "b", dir, opts)
	for _, name := range []string{"r1", "r2", "r3"} {
		n.node(b, name, dir, opts)
		if err := Revoke(dir, filepath.Join(n.dir, name, NodeCertFile)); err != nil {
			b.Fatal(err)
		}
	}
	copyFile(b, filepath.Join(dir, CRLFile), a.CRLFile)
	copyFile(b, filepath.Join(dir, CRLFile), bb.CRLFile)
	return a, bb, n
}

// BenchmarkHandshake measures full mutual TLS 1.3 handshakes over TCP
// loopback, connect and both sides included (default curves, so the
// X25519MLKEM768 hybrid; no resumption): with this package's Verifier
// (chain, usages, CRL, expected node ID) against plain crypto/tls mutual TLS
// (RequireAndVerifyClientCert with a ClientCAs pool, RootCAs and host name on
// the client), with the same certificates.
func BenchmarkHandshake(b *testing.B) {
	for _, issuer := range []string{"direct", "agency"} {
		b.Run(issuer+"/verifier", func(b *testing.B) {
			a, bb, n := benchNet(b, issuer)
			va, vb := n.verifier(b, a), n.verifier(b, bb)
			benchHandshake(b, ClientConfig(a.Certificate, va, &bb.ID), ServerConfig(bb.Certificate, vb))
		})
		b.Run(issuer+"/std", func(b *testing.B) {
			a, bb, _ := benchNet(b, issuer)
			pool := x509.NewCertPool()
			pool.AddCert(a.Roots[0])
			client := &tls.Config{
				Certificates: []tls.Certificate{a.Certificate},
				RootCAs:      pool,
				ServerName:   "127.0.0.1",
				MinVersion:   tls.VersionTLS13,
			}
			server := &tls.Config{
				Certificates:           []tls.Certificate{bb.Certificate},
				ClientAuth:             tls.RequireAndVerifyClientCert,
				ClientCAs:              pool,
				MinVersion:             tls.VersionTLS13,
				SessionTicketsDisabled: true,
			}
			benchHandshake(b, client, server)
		})
	}
}

func benchHandshake(b *testing.B, clientCfg, serverCfg *tls.Config) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s := tls.Server(c, serverCfg)
			err = s.Handshake()
			s.Close()
			done <- err
		}
	}()
	defer func() {
		ln.Close()
		wg.Wait()
	}()
	addr := ln.Addr().String()
	cpu0 := cputime.Now()
	for b.Loop() {
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c := tls.Client(raw, clientCfg)
		if err := c.Handshake(); err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
	if cpu := cputime.Now() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkVerify measures Verifier.Verify alone on a node's chain, the part
// of the handshake this package adds.
func BenchmarkVerify(b *testing.B) {
	for _, issuer := range []string{"direct", "agency"} {
		b.Run(issuer, func(b *testing.B) {
			a, bb, n := benchNet(b, issuer)
			v := n.verifier(b, a)
			chain := leafChain(b, bb.Certificate)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(chain, &bb.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
