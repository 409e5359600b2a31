package tlsconn

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/wire"
)

// The benchmarks compare this transport with plain crypto/tls on TCP
// loopback, same certificates and same verifier (certs.ServerConfig and
// ClientConfig), so that the difference is what the transport adds: the
// version/verack/caps exchange for handshakes, and framing, queueing and
// (optionally) checksums for throughput. Both ends run in the process;
// cpu-ns/op is the CPU time of both per operation.

type benchEnv struct {
	a, b   *certs.Node
	ta, tb *Transport
}

func newBenchEnv(b *testing.B, mod func(*Config)) *benchEnv {
	ca := newTestCA(b)
	na, _ := ca.node(b, certs.Options{})
	nb, _ := ca.node(b, certs.Options{})
	return &benchEnv{a: na, b: nb, ta: newTransport(b, na, mod), tb: newTransport(b, nb, mod)}
}

func reportCPU(b *testing.B, start time.Duration) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkHandshake measures complete connection setups, TCP connect and
// both ends included: "tlsconn" is Transport.Dial plus the accepting
// Handshake (TLS, version, verack, caps); "tls" is the same mutual TLS 1.3
// handshake alone.
func BenchmarkHandshake(b *testing.B) {
	b.Run("tlsconn", func(b *testing.B) {
		env := newBenchEnv(b, nil)
		benchAccept(b, func(raw net.Conn) error {
			c, err := env.tb.Setup(context.Background(), raw, true, nil)
			if err == nil {
				c.Close(nil)
			}
			return err
		}, func(addr string) error {
			c, err := env.ta.Dial(context.Background(), addr, &env.b.ID)
			if err == nil {
				c.Close(nil)
			}
			return err
		})
	})
	b.Run("tls", func(b *testing.B) {
		env := newBenchEnv(b, nil)
		sv, cv := env.tb.cfg.Verifier, env.ta.cfg.Verifier
		benchAccept(b, func(raw net.Conn) error {
			tc := tls.Server(raw, certs.ServerConfig(env.b.Certificate, sv))
			err := tc.Handshake()
			raw.Close()
			return err
		}, func(addr string) error {
			raw, err := net.Dial("tcp", addr)
			if err != nil {
				return err
			}
			tc := tls.Client(raw, certs.ClientConfig(env.a.Certificate, cv, &env.b.ID))
			err = tc.Handshake()
			if err == nil {
				// TLS 1.3: the server checks our certificate after our
				// Handshake returns; wait for its verdict as tlsconn does.
				_, err = tc.Read(make([]byte, 1))
				if err == io.EOF {
					err = nil
				}
			}
			raw.Close()
			return err
		})
	})
}

func benchAccept(b *testing.B, accept func(net.Conn) error, dial func(addr string) error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			if err := accept(raw); err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		}
	}()
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if err := dial(ln.Addr().String()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportCPU(b, cpu)
	ln.Close()
	wg.Wait()
	select {
	case err := <-errc:
		b.Fatal(err)
	default:
	}
}

// BenchmarkThroughput streams messages of one size from one end to the
// other: "tlsconn" through WriteMsg/ReadMsg (checksums left to TLS, the
// default), "tlsconn-checksums" with the envelope checksum computed and
// verified, and "tls" writing the same bytes (24-byte header and payload,
// one Write per message) to a crypto/tls connection and reading them with
// io.ReadFull into a reused buffer ("tls") or into a new buffer per message
// ("tls-alloc").
func BenchmarkThroughput(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 10} {
		name := "64KiB"
		if size == 1<<10 {
			name = "1KiB"
		}
		b.Run(name+"/tlsconn", func(b *testing.B) { benchConn(b, size, false, false) })
		b.Run(name+"/tlsconn-release", func(b *testing.B) { benchConn(b, size, false, true) })
		b.Run(name+"/tlsconn-checksums", func(b *testing.B) { benchConn(b, size, true, false) })
		b.Run(name+"/tls", func(b *testing.B) { benchTLS(b, size, false) })
		b.Run(name+"/tls-alloc", func(b *testing.B) { benchTLS(b, size, true) })
	}
}

// benchConn sends size-byte messages from one Conn to another. With
// release, the reader hands each payload back (p2p.Msg.Release), as a
// protocol that is done with it may.
func benchConn(b *testing.B, size int, checksums, release bool) {
	env := newBenchEnv(b, func(c *Config) { c.Checksums = checksums })
	ca, cb, erra, errb := handshakePair(b, env.ta, env.tb, nil)
	if erra != nil || errb != nil {
		b.Fatal(erra, errb)
	}
	defer ca.Close(nil)
	defer cb.Close(nil)
	msg := p2p.Msg{Code: 1, Payload: make([]byte, size)}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	done := make(chan error, 1)
	go func() {
		for range b.N {
			if err := ca.WriteMsg(msg); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range b.N {
		m, err := cb.ReadMsg()
		if err != nil {
			b.Fatal(err)
		}
		if release {
			m.Release()
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	reportCPU(b, cpu)
}

func benchTLS(b *testing.B, size int, alloc bool) {
	env := newBenchEnv(b, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	srv := make(chan *tls.Conn, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			srv <- nil
			return
		}
		tc := tls.Server(raw, certs.ServerConfig(env.b.Certificate, env.tb.cfg.Verifier))
		if tc.Handshake() != nil {
			srv <- nil
			return
		}
		srv <- tc
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	client := tls.Client(raw, certs.ClientConfig(env.a.Certificate, env.ta.cfg.Verifier, nil))
	if err := client.Handshake(); err != nil {
		b.Fatal(err)
	}
	server := <-srv
	if server == nil {
		b.Fatal("server handshake failed")
	}
	defer client.Close()
	defer server.Close()
	frame := appendFrame(nil, PermissionedNet, "c1", make([]byte, size), false)
	buf := make([]byte, len(frame))
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	done := make(chan error, 1)
	go func() {
		for range b.N {
			if _, err := client.Write(frame); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range b.N {
		if alloc {
			// A fresh payload per message, as any API that hands
			// messages to other goroutines needs (geth copies each).
			buf = make([]byte, len(frame))
		}
		if _, err := io.ReadFull(server, buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	reportCPU(b, cpu)
}

var _ = wire.MessageHeaderSize
