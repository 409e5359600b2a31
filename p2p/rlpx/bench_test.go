package rlpx

import (
	"crypto/rand"
	"net"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/internal/cputime"
)

// Benchmarks mirror the go-ethereum anchors in docs/benchmarks.md:
// a handshake op is a whole initiator+responder pair in one process; message
// benchmarks stream b.N messages one way, snappy off.

func benchHandshake(b *testing.B, tcp bool) {
	keyI, _ := secp256k1.GeneratePrivateKey()
	keyR, _ := secp256k1.GeneratePrivateKey()
	pubR := keyR.PubKey()
	var l net.Listener
	if tcp {
		var err error
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			b.Fatal(err)
		}
		defer l.Close()
	}
	errc := make(chan error, 1)
	start := cputime.Now()
	for b.Loop() {
		var fdI, fdR net.Conn
		if tcp {
			go func() {
				c, err := l.Accept()
				if err != nil {
					errc <- err
					return
				}
				_, err = NewConn(c, nil).Handshake(keyR)
				c.Close()
				errc <- err
			}()
			var err error
			if fdI, err = net.Dial("tcp", l.Addr().String()); err != nil {
				b.Fatal(err)
			}
		} else {
			fdI, fdR = net.Pipe()
			go func() {
				_, err := NewConn(fdR, nil).Handshake(keyR)
				errc <- err
			}()
		}
		if _, err := NewConn(fdI, pubR).Handshake(keyI); err != nil {
			b.Fatal(err)
		}
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		fdI.Close()
		if fdR != nil {
			fdR.Close()
		}
	}
	cputime.Report(b, start)
}

// BenchmarkHandshakePipe: geth anchor 2109 handshakes/s (474 µs/op).
func BenchmarkHandshakePipe(b *testing.B) { benchHandshake(b, false) }

// BenchmarkHandshakeTCP includes connect/accept/close: geth anchor 1623/s.
func BenchmarkHandshakeTCP(b *testing.B) { benchHandshake(b, true) }

func benchMessages(b *testing.B, tcp bool, size int) {
	w, r := connPair(b, tcp, nil, nil)
	data := make([]byte, size)
	rand.Read(data)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Now()
	errc := make(chan error, 1)
	go func() {
		for range b.N {
			if _, err := w.WriteMsg(0x10, data); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for range b.N {
		if _, _, _, err := r.ReadMsg(); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	cputime.Report(b, start)
}

// geth anchors (MB/s): pipe 93.2 (1 KiB), 229 (64 KiB); TCP 143.5, 342.
func BenchmarkMsgPipe1KB(b *testing.B)  { benchMessages(b, false, 1<<10) }
func BenchmarkMsgPipe64KB(b *testing.B) { benchMessages(b, false, 64<<10) }
func BenchmarkMsgTCP1KB(b *testing.B)   { benchMessages(b, true, 1<<10) }
func BenchmarkMsgTCP64KB(b *testing.B)  { benchMessages(b, true, 64<<10) }

// BenchmarkReadAuth is the recipient decrypting and checking one auth packet
// (geth's BenchmarkHandshakeRead: 31.9 k/s).
func BenchmarkReadAuth(b *testing.B) {
	keyR, _ := secp256k1.GeneratePrivateKey()
	keyI, _ := secp256k1.GeneratePrivateKey()
	h := &handshakeState{initiator: true, remote: keyR.PubKey()}
	auth, err := h.makeAuth(rand.Reader, keyI)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := readAuth(keyR, auth); err != nil {
			b.Fatal(err)
		}
	}
}
