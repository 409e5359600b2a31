package devp2p

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

func newKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// netPair returns two connected sockets: TCP on 127.0.0.1, or net.Pipe.
func netPair(t testing.TB, tcp bool) (a, b net.Conn) {
	t.Helper()
	if !tcp {
		a, b = net.Pipe()
		return a, b
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := l.Accept()
		ch <- res{c, err}
	}()
	a, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return a, r.c
}

// rlpxPair runs the RLPx handshake on a socket pair: the initiator knows
// keyR.
func rlpxPair(t testing.TB, tcp bool, keyI, keyR *secp256k1.PrivateKey) (init, resp *rlpx.Conn) {
	t.Helper()
	fdI, fdR := netPair(t, tcp)
	init, resp = rlpx.NewConn(fdI, keyR.PubKey()), rlpx.NewConn(fdR, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := resp.Handshake(keyR)
		errc <- err
	}()
	_, err := init.Handshake(keyI)
	if rerr := <-errc; rerr != nil || err != nil {
		fdI.Close()
		fdR.Close()
		t.Fatalf("rlpx handshake: %v / %v", err, rerr)
	}
	return init, resp
}

type setupResult struct {
	c     *Conn
	hello *Hello
	err   error
}

// setupPair runs Setup on both ends of a socket pair at once.
func setupPair(t testing.TB, tcp bool, keyI, keyR *secp256k1.PrivateKey, hI, hR Hello) (ri, rr setupResult) {
	t.Helper()
	fdI, fdR := netPair(t, tcp)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch := make(chan setupResult, 1)
	go func() {
		c, h, err := Setup(ctx, fdR, keyR, nil, hR, nil)
		ch <- setupResult{c, h, err}
	}()
	c, h, err := Setup(ctx, fdI, keyI, keyR.PubKey(), hI, nil)
	return setupResult{c, h, err}, <-ch
}

// readRaw reads one frame from a raw RLPx conn, with a guard deadline.
func readRaw(t testing.TB, rc *rlpx.Conn) (uint64, []byte, error) {
	t.Helper()
	rc.SetReadDeadline(time.Now().Add(10 * time.Second))
	code, data, _, err := rc.ReadMsg()
	return code, append([]byte(nil), data...), err
}
