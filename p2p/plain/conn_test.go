package plain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testCommands = []string{"version", "ping", "block"}

const testMax = 2 << 20

func testConfig() Config {
	return Config{
		Net:            wire.RegTest,
		Commands:       testCommands,
		MaxMessageSize: testMax,
		MaxPayload: func(code uint64) uint32 {
			if code == 1 { // "ping" is small, as the real one is
				return 8
			}
			return testMax
		},
	}
}

func wrap(t *testing.T, c net.Conn, cfg Config) *Conn {
	t.Helper()
	pc, err := New(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

func pipePair(t *testing.T) (p2p.Conn, p2p.Conn) {
	cfg := testConfig()
	cfg.MaxPayload = nil
	a, b := net.Pipe()
	return wrap(t, a, cfg), wrap(t, b, cfg)
}

func tcpPair(t *testing.T) (p2p.Conn, p2p.Conn) {
	cfg := testConfig()
	cfg.MaxPayload = nil
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
	a, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		a.Close()
		t.Fatal(r.err)
	}
	return wrap(t, a, cfg), wrap(t, r.c, cfg)
}

func TestConformancePipe(t *testing.T) { p2ptest.TestConn(t, pipePair, testMax) }
func TestConformanceTCP(t *testing.T)  { p2ptest.TestConn(t, tcpPair, testMax) }

// envelope builds raw envelope bytes; fix lets a case break one field.
func envelope(net wire.BitcoinNet, cmd string, payload []byte, fix func(h []byte)) []byte {
	h := make([]byte, wire.MessageHeaderSize)
	binary.LittleEndian.PutUint32(h[0:4], uint32(net))
	copy(h[4:16], cmd)
	binary.LittleEndian.PutUint32(h[16:20], uint32(len(payload)))
	sum := wire.Checksum(payload)
	copy(h[20:24], sum[:])
	if fix != nil {
		fix(h)
	}
	return append(h, payload...)
}

// readRaw feeds raw bytes to a Conn's reader and returns what ReadMsg gives,
// twice: the second result shows whether the error stuck.
func readRaw(t *testing.T, raw []byte) (p2p.Msg, error, p2p.Msg, error) {
	t.Helper()
	a, b := net.Pipe()
	defer b.Close()
	c := wrap(t, a, testConfig())
	defer c.Close(nil)
	go func() {
		b.Write(raw)
		b.Close()
	}()
	m1, err1 := c.ReadMsg()
	m2, err2 := c.ReadMsg()
	return m1, err1, m2, err2
}

func TestReadChecks(t *testing.T) {
	good := envelope(wire.RegTest, "block", []byte("next"), nil)
	tests := []struct {
		name   string
		raw    []byte
		want   []error // all must match the first error
		sticky bool    // the good message after it is not delivered
		last   bool    // the stream ends after raw (truncations)
	}{
		{
			name:   "bad magic",
			raw:    envelope(wire.MainNet, "block", []byte("x"), nil),
			want:   []error{wire.ErrWrongNetwork},
			sticky: true,
		},
		{
			name: "bad checksum",
			raw: envelope(wire.RegTest, "block", []byte("x"), func(h []byte) {
				h[20] ^= 1
			}),
			want: []error{wire.ErrBadChecksum},
		},
		{
			name: "bad padding in command",
			raw: envelope(wire.RegTest, "block", []byte("x"), func(h []byte) {
				h[4+7] = 'x' // "block\x00\x00x..."
			}),
			want: []error{wire.ErrBadCommand},
		},
		{
			name: "unprintable command",
			raw:  envelope(wire.RegTest, "blo\x01k", []byte("x"), nil),
			want: []error{wire.ErrBadCommand},
		},
		{
			name: "over the protocol maximum",
			raw: envelope(wire.RegTest, "block", nil, func(h []byte) {
				binary.LittleEndian.PutUint32(h[16:20], wire.MaxProtocolMessageLength+1)
			}),
			want:   []error{p2p.ErrMsgTooLarge, wire.ErrMessageTooLong},
			sticky: true,
		},
		{
			name: "over the configured maximum",
			raw: envelope(wire.RegTest, "block", nil, func(h []byte) {
				binary.LittleEndian.PutUint32(h[16:20], testMax+1)
			}),
			want:   []error{p2p.ErrMsgTooLarge, wire.ErrMessageTooLong},
			sticky: true,
		},
		{
			name:   "over the command's maximum",
			raw:    envelope(wire.RegTest, "ping", make([]byte, 9), nil),
			want:   []error{p2p.ErrMsgTooLarge, wire.ErrPayloadTooLong},
			sticky: true,
		},
		{
			name: "unknown command with bad checksum",
			raw: envelope(wire.RegTest, "sendtxrcncl", []byte("abc"), func(h []byte) {
				h[23] ^= 0x80
			}),
			want: []error{wire.ErrBadChecksum},
		},
		{
			name:   "truncated payload",
			raw:    envelope(wire.RegTest, "block", []byte("0123456789"), nil)[:wire.MessageHeaderSize+4],
			want:   []error{io.ErrUnexpectedEOF},
			sticky: true,
			last:   true,
		},
		{
			name:   "truncated header",
			raw:    good[:10],
			want:   []error{io.ErrUnexpectedEOF},
			sticky: true,
			last:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := append([]byte(nil), tt.raw...)
			if !tt.last {
				raw = append(raw, good...)
			}
			_, err1, m2, err2 := readRaw(t, raw)
			for _, w := range tt.want {
				if !errors.Is(err1, w) {
					t.Errorf("first read: got %v, want %v", err1, w)
				}
			}
			if tt.sticky {
				if err2 == nil || err2.Error() != err1.Error() {
					t.Errorf("second read: got %v, want the first error again", err2)
				}
			} else if err2 != nil || string(m2.Payload) != "next" {
				t.Errorf("second read: got %q, %v; want the next message", m2.Payload, err2)
			}
		})
	}
}

func TestUnknownSkipped(t *testing.T) {
	var raw []byte
	raw = append(raw, envelope(wire.RegTest, "sendtxrcncl", make([]byte, 12), nil)...)
	raw = append(raw, envelope(wire.RegTest, "", nil, nil)...)
	raw = append(raw, envelope(wire.RegTest, "whatever", bytes.Repeat([]byte{7}, 40000), nil)...)
	raw = append(raw, envelope(wire.RegTest, "ping", []byte("12345678"), nil)...)
	a, b := net.Pipe()
	defer b.Close()
	cfg := testConfig()
	obs := &dropCounter{}
	cfg.Observer = obs
	c := wrap(t, a, cfg)
	defer c.Close(nil)
	go func() {
		b.Write(raw)
		b.Close()
	}()
	m, err := c.ReadMsg()
	if err != nil {
		t.Fatal(err)
	}
	if m.Code != 1 || string(m.Payload) != "12345678" {
		t.Fatalf("got code %d payload %q, want the ping", m.Code, m.Payload)
	}
	st := c.Stats()
	if want := (Stats{UnknownMessages: 3, UnknownBytes: 3*wire.MessageHeaderSize + 12 + 40000}); st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	if got := obs.dropped["unknown command"]; got != 3 || len(obs.dropped) != 1 {
		t.Errorf("observer: dropped %v, want 3 unknown commands", obs.dropped)
	}
	if _, err := c.ReadMsg(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last message: got %v, want io.EOF", err)
	}
}

func TestWriteBytes(t *testing.T) {
	// What WriteMsg puts on the wire is exactly wire's envelope.
	a, b := net.Pipe()
	defer b.Close()
	c := wrap(t, a, testConfig())
	defer c.Close(nil)
	done := make(chan error, 1)
	go func() { done <- c.WriteMsg(p2p.Msg{Code: 1, Payload: []byte("12345678")}) }()
	got := make([]byte, wire.MessageHeaderSize+8)
	if _, err := io.ReadFull(b, got); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if want := envelope(wire.RegTest, "ping", []byte("12345678"), nil); !bytes.Equal(got, want) {
		t.Errorf("wrote %x, want %x", got, want)
	}
}

func TestWriteRefusals(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	c := wrap(t, a, testConfig())
	defer c.Close(nil)
	if err := c.WriteMsg(p2p.Msg{Code: 3}); !errors.Is(err, ErrUnknownCode) {
		t.Errorf("code 3: got %v, want ErrUnknownCode", err)
	}
	if err := c.WriteMsg(p2p.Msg{Code: 1, Payload: make([]byte, 9)}); !errors.Is(err, p2p.ErrMsgTooLarge) {
		t.Errorf("9-byte ping: got %v, want ErrMsgTooLarge", err)
	}
}

func TestNewRejectsBadTables(t *testing.T) {
	for _, cmds := range [][]string{nil, {"ping", "ping"}, {"waytoolongcommand"}, {""}, {"bad\x00"}} {
		a, b := net.Pipe()
		if _, err := New(a, Config{Net: wire.RegTest, Commands: cmds}); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: got %v, want ErrConfig", cmds, err)
		}
		a.Close()
		b.Close()
	}
}

// dropCounter counts Dropped events by queue; the Conn reports from its
// reading goroutine, which the test reads after.
type dropCounter struct {
	p2p.NopObserver
	dropped map[string]int
}

func (d *dropCounter) Dropped(queue string) {
	if d.dropped == nil {
		d.dropped = map[string]int{}
	}
	d.dropped[queue]++
}
