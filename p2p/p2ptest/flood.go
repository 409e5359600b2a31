package p2ptest

import (
	"io"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// Flood opens n connections to addr that never send a byte, from the
// source addresses srcs in turn (loopback addresses a test may bind), and
// holds them until the test ends. It returns a counter of those the host
// has closed, and a wait that blocks until at least want are closed,
// failing the test after a minute.
func Flood(t testing.TB, addr string, srcs []netip.Addr, n int) (closed *atomic.Int64, wait func(want int64)) {
	t.Helper()
	closed = new(atomic.Int64)
	for i := range n {
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(srcs[i%len(srcs)], 0))}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		go func() {
			io.Copy(io.Discard, c) // returns when the host closes it (or the test does)
			closed.Add(1)
		}()
	}
	wait = func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); closed.Load() < want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the host closed %d of the %d connections it should have", closed.Load(), want)
			}
		}
	}
	return closed, wait
}
