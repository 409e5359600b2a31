// Package p2ptest holds the conformance suite every p2p.Conn implementation
// (plain envelope, RLPx, TLS) must pass, so that protocols can rely on the
// same behaviour whatever transport carries them.
//
// A transport's own tests call TestConn with a function that makes a
// connected pair; the suite makes a fresh pair for each subtest and closes it
// afterwards.
package p2ptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
)

// Codes is how many message codes the suite uses: 0 to Codes-1. A transport
// under test must accept all of them.
const Codes = 3

// guard bounds every step that should finish at once; a transport that hangs
// fails the test instead of stalling the run.
const guard = 10 * time.Second

// TestConn runs the conformance suite. newPair returns two connected ends;
// maxSize is the largest payload the transport accepts (the suite checks that
// maxSize is delivered and maxSize+1 refused with p2p.ErrMsgTooLarge, and uses
// sizes up to 1 MiB only when maxSize allows them).
func TestConn(t *testing.T, newPair func(t *testing.T) (a, b p2p.Conn), maxSize int) {
	pair := func(t *testing.T) (p2p.Conn, p2p.Conn) {
		a, b := newPair(t)
		t.Cleanup(func() {
			a.Close(p2p.DiscQuitting)
			b.Close(p2p.DiscQuitting)
		})
		return a, b
	}
	t.Run("InOrder", func(t *testing.T) { testInOrder(t, pair) })
	t.Run("Sizes", func(t *testing.T) { testSizes(t, pair, maxSize) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, pair) })
	t.Run("CloseUnblocksRead", func(t *testing.T) { testCloseUnblocksRead(t, pair) })
	t.Run("CloseEndsPeer", func(t *testing.T) { testCloseEndsPeer(t, pair) })
	t.Run("TooLarge", func(t *testing.T) { testTooLarge(t, pair, maxSize) })
	t.Run("ReadDeadline", func(t *testing.T) { testReadDeadline(t, pair) })
	t.Run("WriteDeadline", func(t *testing.T) { testWriteDeadline(t, pair, maxSize) })
}

type pairFunc func(t *testing.T) (p2p.Conn, p2p.Conn)

// payload returns a deterministic payload of size n for message i, so that a
// reordered, truncated or mixed-up message is detected.
func payload(i, n int) []byte {
	p := make([]byte, n)
	for j := range p {
		p[j] = byte(i*131 + j*7)
	}
	if n >= 4 {
		binary.BigEndian.PutUint32(p, uint32(i))
	}
	return p
}

// run starts f in a goroutine and returns a function that waits for it (up to
// guard) and returns its error.
func run(f func() error) func(t *testing.T) error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return func(t *testing.T) error {
		t.Helper()
		select {
		case err := <-ch:
			return err
		case <-time.After(guard):
			t.Fatalf("operation did not finish within %v", guard)
			return nil
		}
	}
}

func send(c p2p.Conn, msgs []p2p.Msg) error {
	for i, m := range msgs {
		if err := c.WriteMsg(m); err != nil {
			return fmt.Errorf("write %d (code %d, %d bytes): %w", i, m.Code, len(m.Payload), err)
		}
	}
	return nil
}

func expect(c p2p.Conn, msgs []p2p.Msg) error {
	for i, want := range msgs {
		got, err := c.ReadMsg()
		if err != nil {
			return fmt.Errorf("read %d: %w", i, err)
		}
		if got.Code != want.Code {
			return fmt.Errorf("read %d: code %d, want %d", i, got.Code, want.Code)
		}
		if !bytes.Equal(got.Payload, want.Payload) {
			return fmt.Errorf("read %d (code %d): payload of %d bytes differs from the %d sent", i, got.Code, len(got.Payload), len(want.Payload))
		}
		if got.ReceivedAt.IsZero() {
			return fmt.Errorf("read %d: ReceivedAt not set", i)
		}
	}
	return nil
}

// exchange sends msgs from w to r while r reads them, both at once (net.Pipe
// has no buffer, so a write waits for its read).
func exchange(t *testing.T, w, r p2p.Conn, msgs []p2p.Msg) {
	t.Helper()
	wait := run(func() error { return send(w, msgs) })
	if err := expect(r, msgs); err != nil {
		t.Fatal(err)
	}
	if err := wait(t); err != nil {
		t.Fatal(err)
	}
}

func testInOrder(t *testing.T, pair pairFunc) {
	a, b := pair(t)
	var msgs []p2p.Msg
	for i := range 100 {
		msgs = append(msgs, p2p.Msg{Code: uint64(i % Codes), Payload: payload(i, i%40)})
	}
	exchange(t, a, b, msgs)
	exchange(t, b, a, msgs)
}

func testSizes(t *testing.T, pair pairFunc, maxSize int) {
	a, b := pair(t)
	var msgs []p2p.Msg
	for i, n := range []int{0, 1, 1 << 10, 1 << 20, maxSize} {
		if n <= maxSize {
			msgs = append(msgs, p2p.Msg{Code: uint64(i % Codes), Payload: payload(i, n)})
		}
	}
	exchange(t, a, b, msgs)
	exchange(t, b, a, msgs)
}

func testConcurrent(t *testing.T, pair pairFunc) {
	a, b := pair(t)
	const n = 300
	mk := func(side int) []p2p.Msg {
		msgs := make([]p2p.Msg, n)
		for i := range msgs {
			msgs[i] = p2p.Msg{Code: uint64((i + side) % Codes), Payload: payload(i+side*n, 1+(i*37)%3000)}
		}
		return msgs
	}
	ab, ba := mk(0), mk(1)
	// One reader and one writer on each end, all four at once.
	var waits []func(*testing.T) error
	waits = append(waits,
		run(func() error { return send(a, ab) }),
		run(func() error { return send(b, ba) }),
		run(func() error { return expect(b, ab) }),
		run(func() error { return expect(a, ba) }),
	)
	for _, w := range waits {
		if err := w(t); err != nil {
			t.Error(err)
		}
	}
}

func testCloseUnblocksRead(t *testing.T, pair pairFunc) {
	a, _ := pair(t)
	started := make(chan struct{})
	wait := run(func() error {
		close(started)
		_, err := a.ReadMsg()
		return err
	})
	<-started
	if err := a.Close(p2p.DiscRequested); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := wait(t); err == nil {
		t.Fatal("ReadMsg returned a message after Close")
	}
	if _, err := a.ReadMsg(); err == nil {
		t.Error("ReadMsg after Close succeeded")
	}
	if err := a.WriteMsg(p2p.Msg{Code: 0}); err == nil {
		t.Error("WriteMsg after Close succeeded")
	}
	// A second Close must not panic or block.
	a.Close(p2p.DiscRequested)
}

func testCloseEndsPeer(t *testing.T, pair pairFunc) {
	a, b := pair(t)
	exchange(t, a, b, []p2p.Msg{{Code: 1, Payload: []byte("hello")}})
	wait := run(func() error {
		_, err := b.ReadMsg()
		return err
	})
	a.Close(p2p.DiscQuitting)
	if err := wait(t); err == nil {
		t.Fatal("peer's ReadMsg returned a message after the other end closed")
	}
}

func testTooLarge(t *testing.T, pair pairFunc, maxSize int) {
	a, b := pair(t)
	wait := run(func() error {
		return a.WriteMsg(p2p.Msg{Code: 0, Payload: make([]byte, maxSize+1)})
	})
	if err := wait(t); !errors.Is(err, p2p.ErrMsgTooLarge) {
		t.Fatalf("WriteMsg of %d bytes: got %v, want p2p.ErrMsgTooLarge", maxSize+1, err)
	}
	// Nothing of the refused message reached the wire: the next one arrives
	// intact.
	exchange(t, a, b, []p2p.Msg{{Code: 2, Payload: []byte("after")}})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func testReadDeadline(t *testing.T, pair pairFunc) {
	a, b := pair(t)
	// A deadline in the past fails at once.
	a.SetReadDeadline(time.Now().Add(-time.Second))
	if err := run(func() error { _, err := a.ReadMsg(); return err })(t); !isTimeout(err) {
		t.Fatalf("ReadMsg past the deadline: got %v, want a timeout", err)
	}
	// A deadline ahead fires while ReadMsg waits.
	a.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if err := run(func() error { _, err := a.ReadMsg(); return err })(t); !isTimeout(err) {
		t.Fatalf("ReadMsg waiting past the deadline: got %v, want a timeout", err)
	}
	// A timeout before any byte arrived leaves the connection usable.
	a.SetReadDeadline(time.Time{})
	exchange(t, b, a, []p2p.Msg{{Code: 1, Payload: []byte("still here")}})
}

func testWriteDeadline(t *testing.T, pair pairFunc, maxSize int) {
	a, _ := pair(t)
	a.SetWriteDeadline(time.Now().Add(-time.Second))
	if err := run(func() error { return a.WriteMsg(p2p.Msg{Code: 0, Payload: []byte("late")}) })(t); !isTimeout(err) {
		t.Fatalf("WriteMsg past the deadline: got %v, want a timeout", err)
	}
	// A write blocked because the peer does not read is cut by the deadline.
	_, c := pair(t)
	c.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	big := make([]byte, min(maxSize, 64<<10))
	err := run(func() error {
		// Socket buffers absorb some writes; 1 GiB is far more than any.
		for range (1 << 30) / (len(big) + 1) {
			if err := c.WriteMsg(p2p.Msg{Code: 1, Payload: big}); err != nil {
				return err
			}
		}
		return nil
	})(t)
	if !isTimeout(err) {
		t.Fatalf("blocked WriteMsg: got %v, want a timeout", err)
	}
}
