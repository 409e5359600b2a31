package rlpx

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// netPair returns two connected net.Conns: net.Pipe, or TCP over 127.0.0.1.
func netPair(tb testing.TB, tcp bool) (net.Conn, net.Conn) {
	tb.Helper()
	if !tcp {
		return net.Pipe()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
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
	d, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		d.Close()
		tb.Fatal(r.err)
	}
	return d, r.c
}

// connPair runs a handshake between an initiator and a recipient and returns
// both ends. The connections are closed when the test ends.
func connPair(tb testing.TB, tcp bool, cfgInit, cfgResp *Config) (initiator, recipient *Conn) {
	tb.Helper()
	keyI, _ := secp256k1.GeneratePrivateKey()
	keyR, _ := secp256k1.GeneratePrivateKey()
	fdI, fdR := netPair(tb, tcp)
	initiator = NewConnWithConfig(fdI, keyR.PubKey(), cfgInit)
	recipient = NewConnWithConfig(fdR, nil, cfgResp)
	tb.Cleanup(func() { initiator.Close(); recipient.Close() })
	errc := make(chan error, 1)
	go func() {
		pub, err := recipient.Handshake(keyR)
		if err == nil && !pub.IsEqual(keyI.PubKey()) {
			err = errors.New("recipient learned the wrong initiator key")
		}
		errc <- err
	}()
	pub, err := initiator.Handshake(keyI)
	if err == nil && !pub.IsEqual(keyR.PubKey()) {
		err = errors.New("initiator returned the wrong recipient key")
	}
	if rerr := <-errc; rerr != nil {
		tb.Fatalf("recipient handshake: %v", rerr)
	}
	if err != nil {
		tb.Fatalf("initiator handshake: %v", err)
	}
	return initiator, recipient
}

// exchange sends msgs from w to r and checks they arrive intact.
func exchange(t *testing.T, w, r *Conn, sizes []int) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		for i, size := range sizes {
			data := bytes.Repeat([]byte{byte(i + 1)}, size)
			n, err := w.WriteMsg(uint64(i*37), data)
			if err != nil {
				errc <- err
				return
			}
			if !w.snappy.Load() && int(n) != size {
				errc <- fmt.Errorf("wire size %d, want %d", n, size)
				return
			}
		}
		errc <- nil
	}()
	for i, size := range sizes {
		code, data, wire, err := r.ReadMsg()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if code != uint64(i*37) || !bytes.Equal(data, bytes.Repeat([]byte{byte(i + 1)}, size)) {
			t.Fatalf("message %d: code %d, %d bytes", i, code, len(data))
		}
		if r.snappy.Load() && size > 1000 && wire >= size {
			t.Fatalf("message %d: snappy wire size %d for %d repetitive bytes", i, wire, size)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestConnMessages(t *testing.T) {
	sizes := []int{0, 1, 15, 16, 17, 1000, 1 << 10, 64 << 10, 300 << 10, 0}
	for _, tcp := range []bool{false, true} {
		for _, snappy := range []bool{false, true} {
			t.Run(fmt.Sprintf("tcp=%v/snappy=%v", tcp, snappy), func(t *testing.T) {
				a, b := connPair(t, tcp, nil, nil)
				a.SetSnappy(snappy)
				b.SetSnappy(snappy)
				exchange(t, a, b, sizes)
				exchange(t, b, a, sizes)
			})
		}
	}
}

// TestConnFullDuplex runs one reader and one writer per side at once, which
// is how the p2p layer drives a connection (run with -race).
func TestConnFullDuplex(t *testing.T) {
	a, b := connPair(t, true, nil, nil)
	const n = 200
	errc := make(chan error, 4)
	send := func(c *Conn) {
		for i := range n {
			if _, err := c.WriteMsg(uint64(i), make([]byte, i*10)); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}
	recv := func(c *Conn) {
		for i := range n {
			code, data, _, err := c.ReadMsg()
			if err == nil && (code != uint64(i) || len(data) != i*10) {
				err = fmt.Errorf("message %d: code %d, %d bytes", i, code, len(data))
			}
			if err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}
	go send(a)
	go send(b)
	go recv(a)
	go recv(b)
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestConnBeforeHandshake(t *testing.T) {
	fd1, fd2 := net.Pipe()
	defer fd1.Close()
	defer fd2.Close()
	c := NewConn(fd1, nil)
	if _, _, _, err := c.ReadMsg(); !errors.Is(err, ErrNoHandshake) {
		t.Errorf("ReadMsg: %v", err)
	}
	if _, err := c.WriteMsg(0, nil); !errors.Is(err, ErrNoHandshake) {
		t.Errorf("WriteMsg: %v", err)
	}
}

func TestWriteTooLarge(t *testing.T) {
	a, _ := connPair(t, false, nil, nil)
	if _, err := a.WriteMsg(1, make([]byte, MaxFrameSize+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("got %v, want ErrMessageTooLarge", err)
	}
	// Rejected before anything was encrypted: the connection still works.
	if a.wr.broken != nil {
		t.Fatal("writer broken by a rejected message")
	}
	// 2^24-1 bytes of payload plus the code byte do not fit a frame.
	if _, err := a.WriteMsg(1, make([]byte, MaxFrameSize)); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v, want ErrFrameTooLarge", err)
	}
}

// TestReadIdleTimeoutRecoverable: a read deadline that passes while no frame
// has started is not fatal (the p2p layer may use short polls).
func TestReadIdleTimeoutRecoverable(t *testing.T) {
	a, b := connPair(t, true, nil, nil)
	b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, _, _, err := b.ReadMsg(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	b.SetReadDeadline(time.Time{})
	exchange(t, a, b, []int{10})
}

// hostileAuth makes an auth packet from a fresh initiator to pub.
func hostileAuth(t *testing.T, pub *secp256k1.PublicKey) []byte {
	key, _ := secp256k1.GeneratePrivateKey()
	h := &handshakeState{initiator: true, remote: pub}
	auth, err := h.makeAuth(rand.Reader, key)
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

// TestHostileHandshake feeds a recipient (or an initiator) bad handshake
// input and checks each attempt ends with the expected error.
func TestHostileHandshake(t *testing.T) {
	f := loadEIP8(t)
	keyR, _ := secp256k1.GeneratePrivateKey()
	other, _ := secp256k1.GeneratePrivateKey()
	garbage := make([]byte, 300)
	rand.Read(garbage)
	binary.BigEndian.PutUint16(garbage, 298)
	oversized := []byte{0xff, 0xff}
	// Auth bodies that decrypt fine but carry a bad signature or key.
	badAuth := func(mutate func(m *authMsg)) []byte {
		key, _ := secp256k1.GeneratePrivateKey()
		h := &handshakeState{initiator: true, remote: keyR.PubKey()}
		packet, err := h.makeAuth(rand.Reader, key)
		if err != nil {
			t.Fatal(err)
		}
		m, err := readAuth(keyR, packet)
		if err != nil {
			t.Fatal(err)
		}
		mutate(m)
		return sealTo(t, rand.Reader, m.appendRLP(nil), keyR.PubKey())
	}
	zeroSig := badAuth(func(m *authMsg) { m.Signature = [sigLen]byte{} })
	badRecID := badAuth(func(m *authMsg) { m.Signature[64] = 9 })
	offCurve := badAuth(func(m *authMsg) { m.InitiatorPubkey[63] ^= 1 })
	tests := []struct {
		name     string
		initiate bool   // the conn under test initiates (peer plays recipient)
		send     []byte // what the hostile peer writes
		keepOpen bool   // the peer stalls instead of closing after send
		wantErrs []error
	}{
		{name: "garbage auth", send: garbage, wantErrs: []error{ErrBadAuth, ErrECIES}},
		{name: "truncated auth", send: hostileAuth(t, keyR.PubKey())[:200], wantErrs: []error{ErrBadAuth, io.ErrUnexpectedEOF}},
		{name: "auth for another key", send: hostileAuth(t, other.PubKey()), wantErrs: []error{ErrBadAuth, ErrECIES}},
		{name: "zero signature", send: zeroSig, keepOpen: true, wantErrs: []error{ErrBadAuth}},
		{name: "bad recovery id", send: badRecID, keepOpen: true, wantErrs: []error{ErrBadAuth}},
		{name: "initiator key off curve", send: offCurve, keepOpen: true, wantErrs: []error{ErrBadAuth}},
		{name: "oversized auth size prefix", send: oversized, keepOpen: true, wantErrs: []error{ErrBadAuth, ErrHandshakeTooLarge}},
		{name: "size prefix only", send: []byte{0x01}, wantErrs: []error{ErrBadAuth, io.ErrUnexpectedEOF}},
		{name: "empty", send: nil, wantErrs: []error{ErrBadAuth, io.EOF}},
		{name: "legacy auth", send: f.packet(t, f.Auth, "auth_legacy_v4").Ciphertext, wantErrs: []error{ErrBadAuth, io.ErrUnexpectedEOF}},
		{name: "stall mid auth", send: hostileAuth(t, keyR.PubKey())[:100], keepOpen: true, wantErrs: []error{ErrHandshakeTimeout, os.ErrDeadlineExceeded}},
		{name: "stall before auth", keepOpen: true, wantErrs: []error{ErrHandshakeTimeout, os.ErrDeadlineExceeded}},
		{name: "garbage ack", initiate: true, send: garbage, wantErrs: []error{ErrBadAck, ErrECIES}},
		{name: "oversized ack size prefix", initiate: true, send: oversized, keepOpen: true, wantErrs: []error{ErrBadAck, ErrHandshakeTooLarge}},
		{name: "legacy ack", initiate: true, send: f.packet(t, f.Ack, "ack_legacy_v4").Ciphertext, wantErrs: []error{ErrBadAck, io.ErrUnexpectedEOF}},
		{name: "stall instead of ack", initiate: true, keepOpen: true, wantErrs: []error{ErrHandshakeTimeout, os.ErrDeadlineExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd, peer := net.Pipe()
			defer fd.Close()
			defer peer.Close()
			var remote *secp256k1.PublicKey
			if tt.initiate {
				remote = other.PubKey()
			}
			// Only the stalling cases may hit the deadline; the others get a
			// long one so that a slow (race-enabled, busy) machine cannot turn
			// their error into a timeout.
			timeout := 10 * time.Second
			stall := errors.Is(tt.wantErrs[0], ErrHandshakeTimeout)
			if stall {
				timeout = 150 * time.Millisecond
			}
			c := NewConnWithConfig(fd, remote, &Config{HandshakeTimeout: timeout})
			// The peer drains what the conn under test writes, then sends.
			peerDone := make(chan struct{})
			go func() {
				defer close(peerDone)
				if tt.initiate {
					readPacket(peer)
				}
				peer.Write(tt.send)
				if !tt.keepOpen {
					peer.Close()
				}
			}()
			start := time.Now()
			_, err := c.Handshake(keyR)
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("got %v, want %v", err, want)
				}
			}
			if stall && time.Since(start) > 5*time.Second {
				t.Errorf("stalled handshake took %v to time out", time.Since(start))
			}
			c.Close()
			peer.Close()
			<-peerDone
		})
	}
}

// rawFrame encodes a frame with w's state (advancing it) and returns a copy
// of the bytes, for tests that tamper with frames before sending them.
func rawFrame(t *testing.T, w *Conn, code uint64, data []byte, snappy bool) []byte {
	w.wr.snappy = snappy
	if _, err := w.wr.encode(code, data); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(w.wr.buf)
}

// TestHostileFrames sends tampered or oversized frames over a handshaken
// connection and checks the reader's error.
func TestHostileFrames(t *testing.T) {
	snappyBomb := binary.AppendUvarint(nil, 1<<30) // claims 1 GiB decoded
	snappyBomb = append(snappyBomb, 0x00, 'x')
	snappyOverMax := binary.AppendUvarint(nil, 2000) // over a 1024-byte limit
	snappyOverMax = append(snappyOverMax, 0x00, 'x')
	snappyCorrupt := binary.AppendUvarint(nil, 100)
	snappyCorrupt = append(snappyCorrupt, 0xff, 0xff)
	tests := []struct {
		name    string
		maxSize int
		snappy  bool
		frame   func(t *testing.T, w *Conn) []byte
		wantErr error
	}{
		{
			name: "header MAC",
			frame: func(t *testing.T, w *Conn) []byte {
				b := rawFrame(t, w, 1, []byte("hello"), false)
				b[headerLen] ^= 0x01
				return b
			},
			wantErr: ErrBadMAC,
		},
		{
			name: "header ciphertext",
			frame: func(t *testing.T, w *Conn) []byte {
				b := rawFrame(t, w, 1, []byte("hello"), false)
				b[0] ^= 0x80 // would change the size
				return b
			},
			wantErr: ErrBadMAC,
		},
		{
			name: "body ciphertext",
			frame: func(t *testing.T, w *Conn) []byte {
				b := rawFrame(t, w, 1, []byte("hello"), false)
				b[headerLen+macLen] ^= 0x01
				return b
			},
			wantErr: ErrBadMAC,
		},
		{
			name: "frame MAC",
			frame: func(t *testing.T, w *Conn) []byte {
				b := rawFrame(t, w, 1, []byte("hello"), false)
				b[len(b)-1] ^= 0x01
				return b
			},
			wantErr: ErrBadMAC,
		},
		{
			name:    "frame over max",
			maxSize: 1024,
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, make([]byte, 2000), false)
			},
			wantErr: ErrFrameTooLarge,
		},
		{
			name:   "snappy bomb",
			snappy: true,
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, snappyBomb, false)
			},
			wantErr: ErrMessageTooLarge,
		},
		{
			name:    "snappy over max",
			maxSize: 1024,
			snappy:  true,
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, snappyOverMax, false)
			},
			wantErr: ErrMessageTooLarge,
		},
		{
			name:   "snappy corrupt",
			snappy: true,
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, snappyCorrupt, false)
			},
			wantErr: ErrBadFrame,
		},
		{
			name:   "snappy not a varint",
			snappy: true,
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, bytes.Repeat([]byte{0xff}, 11), false)
			},
			wantErr: ErrBadFrame,
		},
		{
			name: "truncated body",
			frame: func(t *testing.T, w *Conn) []byte {
				b := rawFrame(t, w, 1, make([]byte, 100), false)
				return b[:len(b)-20]
			},
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated header",
			frame: func(t *testing.T, w *Conn) []byte {
				return rawFrame(t, w, 1, nil, false)[:20]
			},
			wantErr: io.ErrUnexpectedEOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := connPair(t, false, nil, &Config{MaxMessageSize: tt.maxSize})
			b.SetSnappy(tt.snappy)
			frame := tt.frame(t, a)
			go func() {
				a.fd.Write(frame)
				a.fd.Close() // truncations end here
			}()
			_, _, _, err := b.ReadMsg()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			// The reader stays failed.
			if _, _, _, err := b.ReadMsg(); !errors.Is(err, ErrConnBroken) {
				t.Fatalf("second read: got %v, want ErrConnBroken", err)
			}
			b.Close()
		})
	}
}

// TestFrameContentErrors covers the message-code checks of the frame body.
func TestFrameContentErrors(t *testing.T) {
	tests := []struct {
		in      string
		code    uint64
		rest    string
		wantErr bool
	}{
		{in: "\x80abc", code: 0, rest: "abc"},
		{in: "\x01", code: 1},
		{in: "\x7f", code: 0x7f},
		{in: "\x81\x80", code: 0x80},
		{in: "\x88\xff\xff\xff\xff\xff\xff\xff\xffz", code: 1<<64 - 1, rest: "z"},
		{in: "\x00", wantErr: true},         // zero must be 0x80
		{in: "\x81\x05", wantErr: true},     // single byte wrapped as a string
		{in: "\x82\x00\x01", wantErr: true}, // leading zero
		{in: "\x82\x01", wantErr: true},     // truncated
		{in: "\x89\x01\x01\x01\x01\x01\x01\x01\x01\x01", wantErr: true},
		{in: "\xc0", wantErr: true},
	}
	for _, tt := range tests {
		code, rest, err := splitCode([]byte(tt.in))
		if tt.wantErr {
			if !errors.Is(err, ErrBadFrame) {
				t.Errorf("%x: got %v, want ErrBadFrame", tt.in, err)
			}
			continue
		}
		if err != nil || code != tt.code || string(rest) != tt.rest {
			t.Errorf("%x: got %d %q %v", tt.in, code, rest, err)
		}
		if enc := appendCode(nil, tt.code); !bytes.HasPrefix([]byte(tt.in), enc) {
			t.Errorf("appendCode(%d) = %x", tt.code, enc)
		}
	}
}

// TestNoAllocPerMessage checks that steady-state reads and writes reuse their
// buffers.
func TestNoAllocPerMessage(t *testing.T) {
	for _, snappy := range []bool{false, true} {
		a, b := connPair(t, true, nil, nil)
		a.SetSnappy(snappy)
		b.SetSnappy(snappy)
		data := make([]byte, 4096)
		rand.Read(data)
		// Warm the buffers.
		exchange(t, a, b, []int{8192})
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := a.WriteMsg(3, data); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := b.ReadMsg(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 0 {
			t.Errorf("snappy=%v: %v allocations per message", snappy, allocs)
		}
	}
}
