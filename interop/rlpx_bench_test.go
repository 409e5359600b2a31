package interop

// Side-by-side benchmarks of ledgernet's p2p/rlpx and go-ethereum's
// p2p/rlpx (v1.17.5) in the same run: handshakes per second over net.Pipe
// (one op is an initiator and a responder in one process) and framed
// throughput for 1 KiB and 64 KiB messages, snappy off, one way.
//
//	go test -run '^$' -bench RLPx -benchtime 2s -count 5 .

import (
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"net"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"
	"github.com/ledgernet/ledgernet/internal/cputime"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

// rlpxImpl hides the two packages behind one shape.
type rlpxImpl struct {
	name string
	// pair runs both handshakes over net.Pipe and returns the two ends.
	pair func(b *testing.B) (w, r rlpxConn)
}

type rlpxConn interface {
	write(code uint64, data []byte) error
	read() error
	close()
}

type lnConn struct{ c *rlpx.Conn }

func (c lnConn) write(code uint64, data []byte) error { _, err := c.c.WriteMsg(code, data); return err }
func (c lnConn) read() error                          { _, _, _, err := c.c.ReadMsg(); return err }
func (c lnConn) close()                               { c.c.Close() }

type gethConn struct{ c *gethrlpx.Conn }

func (c gethConn) write(code uint64, data []byte) error { _, err := c.c.Write(code, data); return err }
func (c gethConn) read() error                          { _, _, _, err := c.c.Read(); return err }
func (c gethConn) close()                               { c.c.Close() }

func lnHandshake(b *testing.B, keyI, keyR *secp256k1.PrivateKey) (lnConn, lnConn) {
	fdI, fdR := net.Pipe()
	ci, cr := rlpx.NewConn(fdI, keyR.PubKey()), rlpx.NewConn(fdR, nil)
	errc := make(chan error, 1)
	go func() { _, err := cr.Handshake(keyR); errc <- err }()
	_, err := ci.Handshake(keyI)
	if rerr := <-errc; err != nil || rerr != nil {
		b.Fatalf("ledgernet handshake: %v / %v", err, rerr)
	}
	return lnConn{ci}, lnConn{cr}
}

func gethHandshake(b *testing.B, keyI, keyR *ecdsa.PrivateKey) (gethConn, gethConn) {
	fdI, fdR := net.Pipe()
	ci, cr := gethrlpx.NewConn(fdI, &keyR.PublicKey), gethrlpx.NewConn(fdR, nil)
	errc := make(chan error, 1)
	go func() { _, err := cr.Handshake(keyR); errc <- err }()
	_, err := ci.Handshake(keyI)
	if rerr := <-errc; err != nil || rerr != nil {
		b.Fatalf("geth handshake: %v / %v", err, rerr)
	}
	return gethConn{ci}, gethConn{cr}
}

func lnKeys(b *testing.B) (*secp256k1.PrivateKey, *secp256k1.PrivateKey) {
	ki, err1 := secp256k1.GeneratePrivateKey()
	kr, err2 := secp256k1.GeneratePrivateKey()
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	return ki, kr
}

func gethKeys(b *testing.B) (*ecdsa.PrivateKey, *ecdsa.PrivateKey) {
	ki, err1 := gethcrypto.GenerateKey()
	kr, err2 := gethcrypto.GenerateKey()
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	return ki, kr
}

var rlpxImpls = []rlpxImpl{
	{"ledgernet", func(b *testing.B) (rlpxConn, rlpxConn) {
		ki, kr := lnKeys(b)
		w, r := lnHandshake(b, ki, kr)
		return w, r
	}},
	{"geth", func(b *testing.B) (rlpxConn, rlpxConn) {
		ki, kr := gethKeys(b)
		w, r := gethHandshake(b, ki, kr)
		return w, r
	}},
}

// BenchmarkRLPxHandshake: a whole EIP-8 handshake, both sides, per op.
func BenchmarkRLPxHandshake(b *testing.B) {
	for _, impl := range rlpxImpls {
		b.Run("pipe/"+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cputime.Now()
			for b.Loop() {
				w, r := impl.pair(b)
				w.close()
				r.close()
			}
			cputime.Report(b, start)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
		})
	}
}

// BenchmarkRLPxFrames streams b.N messages one way over net.Pipe.
func BenchmarkRLPxFrames(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		data := make([]byte, size)
		rand.Read(data)
		for _, impl := range rlpxImpls {
			b.Run(fmt.Sprintf("%dKiB/%s", size>>10, impl.name), func(b *testing.B) {
				w, r := impl.pair(b)
				defer w.close()
				defer r.close()
				b.SetBytes(int64(size))
				b.ReportAllocs()
				errc := make(chan error, 1)
				b.ResetTimer()
				start := cputime.Now()
				go func() {
					for range b.N {
						if err := w.write(0x10, data); err != nil {
							errc <- err
							return
						}
					}
					errc <- nil
				}()
				for range b.N {
					if err := r.read(); err != nil {
						b.Fatal(err)
					}
				}
				if err := <-errc; err != nil {
					b.Fatal(err)
				}
				cputime.Report(b, start)
			})
		}
	}
}
