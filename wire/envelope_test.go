package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// header builds a 24-byte header by hand.
func header(magic uint32, cmd []byte, length uint32, sum [4]byte) []byte {
	b := make([]byte, MessageHeaderSize)
	binary.LittleEndian.PutUint32(b[0:4], magic)
	copy(b[4:16], cmd)
	binary.LittleEndian.PutUint32(b[16:20], length)
	copy(b[20:24], sum[:])
	return b
}

func cmd12(s string) []byte { b := make([]byte, CommandSize); copy(b, s); return b }

func TestNetworks(t *testing.T) {
	tests := []struct {
		net  BitcoinNet
		name string
		hex  string
	}{
		{MainNet, "mainnet", "f9beb4d9"},
		{TestNet3, "testnet3", "0b110907"},
		{TestNet4, "testnet4", "1c163f28"},
		{SigNet, "signet", "0a03cf40"},
		{RegTest, "regtest", "fabfb5da"},
		{0x12345678, "BitcoinNet(0x12345678)", "78563412"},
	}
	for _, tt := range tests {
		if tt.net.String() != tt.name || tt.net.Hex() != tt.hex {
			t.Errorf("%#x: %s %s, want %s %s", uint32(tt.net), tt.net, tt.net.Hex(), tt.name, tt.hex)
		}
	}
	const mine BitcoinNet = 0x4c4e0001
	if err := RegisterNet(mine, "wire-test-net"); err != nil {
		t.Fatal(err)
	}
	if err := RegisterNet(mine, "wire-test-net"); err != nil {
		t.Fatal("re-registering the same pair:", err)
	}
	if err := RegisterNet(mine, "other"); !errors.Is(err, ErrNetRegistered) {
		t.Fatal(err)
	}
	if err := RegisterNet(0x4c4e0002, "mainnet"); !errors.Is(err, ErrNetRegistered) {
		t.Fatal(err)
	}
	if name, ok := NetName(mine); !ok || name != "wire-test-net" || mine.String() != name {
		t.Fatal(name, ok)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
		ok   bool
	}{
		{cmd12("verack"), "verack", true},
		{cmd12(""), "", true}, // Core accepts an all-NUL command (and ignores it)
		{[]byte("abcdefghijkl"), "abcdefghijkl", true},
		{cmd12("with space"), "with space", true},
		{cmd12("~!@#$%^&*()"), "~!@#$%^&*()", true},
		{append([]byte("verack\x00x"), 0, 0, 0, 0), "", false}, // non-NUL after the first NUL
		{append([]byte("verack"), 0, 0, 0, 0, 0, 1), "", false},
		{append([]byte("\x00verack"), 0, 0, 0, 0, 0), "", false},
		{cmd12("ver\x01ack"), "", false},
		{cmd12("ver\x7fack"), "", false},
		{cmd12("ver\xffack"), "", false},
		{cmd12("tab\there"), "", false},
		{cmd12("verack\n"), "", false},
	}
	for _, tt := range tests {
		got, ok := parseCommand(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseCommand(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestReadMessageErrors checks each failure and the order of the checks:
// when several things are wrong, the earliest check in the documented order
// is the one reported.
func TestReadMessageErrors(t *testing.T) {
	mainnet := uint32(MainNet)
	empty := Checksum(nil)
	ping := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	pingSum := Checksum(ping)
	tests := []struct {
		name    string
		raw     []byte
		err     error
		skipped bool
	}{
		{"too long", header(mainnet, cmd12("block"), MaxProtocolMessageLength+1, empty), ErrMessageTooLong, false},
		{"too long beats wrong magic and bad command", header(0x01020304, cmd12("\x01"), 0xffffffff, empty), ErrMessageTooLong, false},
		{"wrong magic", header(uint32(TestNet3), cmd12("verack"), 0, empty), ErrWrongNetwork, false},
		{"regtest is not mainnet", header(uint32(RegTest), cmd12("verack"), 0, empty), ErrWrongNetwork, false},
		{"wrong magic beats bad command", header(uint32(TestNet3), cmd12("\x01"), 0, empty), ErrWrongNetwork, false},
		{"bad command", header(mainnet, cmd12("ver\x01ack"), 0, empty), ErrBadCommand, true},
		{"bad padding", header(mainnet, append([]byte("ping\x00\x00\x00\x00\x00\x00\x00"), 'x'), 0, empty), ErrBadCommand, true},
		{"bad command beats payload cap", append(header(mainnet, []byte("verack\x00\x01\x00\x00\x00\x00"), 1, empty), 0), ErrBadCommand, true},
		{"payload cap", append(header(mainnet, cmd12("verack"), 1, empty), 0), ErrPayloadTooLong, true},
		{"payload cap beats checksum", append(header(mainnet, cmd12("pong"), 9, empty), make([]byte, 9)...), ErrPayloadTooLong, true},
		{"checksum", append(header(mainnet, cmd12("ping"), 8, empty), ping...), ErrBadChecksum, true},
		{"checksum beats decode", append(header(mainnet, cmd12("ping"), 4, empty), 1, 2, 3, 4), ErrBadChecksum, true},
		{"decode", append(header(mainnet, cmd12("ping"), 4, [4]byte(Checksum(ping[:4]))), ping[:4]...), ErrShortPayload, true},
		{"trailing", envelopeBytes(MainNet, "inv", mustHex(t, "00"+"ff")), ErrTrailingBytes, true},
		{"ok", append(header(mainnet, cmd12("ping"), 8, pingSum), ping...), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid verack follows each message: after a skipped message
			// the stream must be at its header.
			next := envelopeBytes(MainNet, CmdVerAck, nil)
			r := bytes.NewReader(append(bytes.Clone(tt.raw), next...))
			_, _, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil {
				return
			}
			var me *MessageError
			if !errors.As(err, &me) {
				t.Fatalf("%T is not a *MessageError", err)
			}
			if me.Skipped != tt.skipped {
				t.Fatalf("Skipped = %v", me.Skipped)
			}
			if me.Error() == "" || !strings.Contains(me.Error(), "wire:") {
				t.Fatalf("error text %q", me.Error())
			}
			if me.Skipped {
				msg, _, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding)
				if err != nil || msg.Command() != CmdVerAck {
					t.Fatalf("after a skipped message: %v, %v", msg, err)
				}
			}
		})
	}
}

// TestReadMessageShort truncates valid envelopes at every length: io.EOF
// before any byte, io.ErrUnexpectedEOF after.
func TestReadMessageShort(t *testing.T) {
	envs := [][]byte{
		envelopeBytes(MainNet, CmdVerAck, nil),
		envelopeBytes(MainNet, CmdPing, []byte{1, 2, 3, 4, 5, 6, 7, 8}),
		envelopeBytes(MainNet, CmdHeaders, headersPayload(mainnetHeaders(t, 3))),
		envelopeBytes(MainNet, "whatever", make([]byte, 100)),
	}
	for _, env := range envs {
		for i := range len(env) {
			for _, r := range []io.Reader{bytes.NewReader(env[:i]), iotest.OneByteReader(bytes.NewReader(env[:i]))} {
				_, _, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding)
				want := io.ErrUnexpectedEOF
				if i == 0 {
					want = io.EOF
				}
				if err != want {
					t.Fatalf("%x cut at %d: %v, want %v", env[4:16], i, err, want)
				}
			}
		}
		if _, _, err := ReadMessage(iotest.OneByteReader(bytes.NewReader(env)), ProtocolVersion, MainNet, WitnessEncoding); err != nil {
			t.Fatal(err)
		}
	}
	// Read errors other than EOF come back as they are.
	boom := errors.New("boom")
	env := envs[2]
	for _, i := range []int{0, 10, 24, 30} {
		r := io.MultiReader(bytes.NewReader(env[:i]), iotest.ErrReader(boom))
		if _, _, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding); !errors.Is(err, boom) {
			t.Fatalf("cut at %d: %v", i, err)
		}
	}
}

// failAfterHeader yields a header and then fails, as a peer that claims a
// payload and never sends it.
type failAfterHeader struct{ hdr []byte }

func (f *failAfterHeader) Read(p []byte) (int, error) {
	if len(f.hdr) == 0 {
		return 0, io.ErrNoProgress
	}
	n := copy(p, f.hdr)
	f.hdr = f.hdr[n:]
	return n, nil
}

// TestReadMessageNoAllocation: a header claiming a huge payload is refused
// without allocating it, and one claiming a large allowed payload that never
// arrives costs only the first chunk.
func TestReadMessageNoAllocation(t *testing.T) {
	tooLong := header(uint32(MainNet), cmd12("block"), 0xffffffff, [4]byte{})
	allocs := testing.AllocsPerRun(100, func() {
		_, _, err := ReadMessage(bytes.NewReader(tooLong), ProtocolVersion, MainNet, WitnessEncoding)
		if !errors.Is(err, ErrMessageTooLong) {
			t.Fatal(err)
		}
	})
	// Only the header and the error's small values: nothing of the size.
	if allocs > 10 {
		t.Fatalf("%v allocations to refuse a 4 GB claim", allocs)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		_, _, _ = ReadMessage(bytes.NewReader(tooLong), ProtocolVersion, MainNet, WitnessEncoding)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 100; per > 1024 {
		t.Fatalf("%d bytes allocated to refuse a 4 GB claim", per)
	}

	for _, cmd := range []string{CmdBlock, "unknowncmd"} {
		claim := header(uint32(MainNet), cmd12(cmd), MaxProtocolMessageLength, [4]byte{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		const runs = 20
		for range runs {
			_, _, err := ReadMessage(&failAfterHeader{hdr: claim}, ProtocolVersion, MainNet, WitnessEncoding)
			if !errors.Is(err, io.ErrNoProgress) {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 2*payloadChunk {
			t.Fatalf("%s: %d bytes allocated per 4 MB claim that sent nothing", cmd, per)
		}
	}
}

// TestReadMessageBuf: a reused buffer receives the payload.
func TestReadMessageBuf(t *testing.T) {
	ping := envelopeBytes(MainNet, CmdPing, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	stream := bytes.NewReader(append(append(bytes.Clone(ping), ping...), envelopeBytes(MainNet, "big", make([]byte, 100))...))
	buf := make([]byte, 0, 64)
	_, p1, err := ReadMessageBuf(stream, buf, ProtocolVersion, MainNet, BaseEncoding)
	if err != nil || &p1[0] != &buf[:1][0] {
		t.Fatal("payload not read into buf", err)
	}
	msg, p2, err := ReadMessageBuf(stream, p1[:0], ProtocolVersion, MainNet, BaseEncoding)
	if err != nil || &p2[0] != &buf[:1][0] || msg.(*MsgPing).Nonce != 0x0807060504030201 {
		t.Fatal("payload not read into buf", err)
	}
	_, p3, err := ReadMessageBuf(stream, p2[:0], ProtocolVersion, MainNet, BaseEncoding)
	if err != nil || len(p3) != 100 {
		t.Fatal(len(p3), err)
	}
}

func TestWriteMessage(t *testing.T) {
	var w bytes.Buffer
	n, err := WriteMessage(&w, &MsgPing{Nonce: 1}, ProtocolVersion, TestNet4, BaseEncoding)
	if err != nil || n != 32 || w.Len() != 32 {
		t.Fatal(n, err)
	}
	want := "1c163f28" + "70696e670000000000000000" + "08000000" + hexOf(func() []byte { s := Checksum(mustHex(t, "0100000000000000")); return s[:] }()) + "0100000000000000"
	if hexOf(w.Bytes()) != want {
		t.Fatalf("got  %x\nwant %s", w.Bytes(), want)
	}
	// AppendMessage appends after existing bytes.
	b, err := AppendMessage([]byte("xx"), &MsgVerAck{}, ProtocolVersion, MainNet, BaseEncoding)
	if err != nil || string(b[:2]) != "xx" || hexOf(b[2:]) != "f9beb4d976657261636b000000000000000000005df6e0e2" {
		t.Fatalf("%x %v", b, err)
	}
	tests := []struct {
		name string
		msg  Message
		err  error
	}{
		{"command too long", &MsgUnknown{Cmd: "thirteenchars"}, ErrBadCommand},
		{"command not printable", &MsgUnknown{Cmd: "a\x00b"}, ErrBadCommand},
		{"command not ascii", &MsgUnknown{Cmd: "é"}, ErrBadCommand},
		{"over the protocol cap", &MsgUnknown{Cmd: "x", Payload: make([]byte, MaxProtocolMessageLength+1)}, ErrMessageTooLong},
		{"encoder refuses", &MsgHeaders{Headers: make([]BlockHeader, 2001)}, ErrTooMany},
		{"over the command cap", &MsgVersion{UserAgent: strings.Repeat("x", 300)}, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bytes.Buffer
			n, err := WriteMessage(&w, tt.msg, ProtocolVersion, MainNet, BaseEncoding)
			if !errors.Is(err, tt.err) || n != 0 || w.Len() != 0 {
				t.Fatalf("%d, %v; want %v", n, err, tt.err)
			}
			b, err := AppendMessage([]byte("keep"), tt.msg, ProtocolVersion, MainNet, BaseEncoding)
			if !errors.Is(err, tt.err) || string(b) != "keep" {
				t.Fatalf("AppendMessage left %q, %v", b, err)
			}
		})
	}
	// The largest payload allowed goes out.
	if _, err := WriteMessage(io.Discard, &MsgUnknown{Cmd: "x", Payload: make([]byte, MaxProtocolMessageLength)}, ProtocolVersion, MainNet, BaseEncoding); err != nil {
		t.Fatal(err)
	}
	// Write errors come back as they are.
	boom := errors.New("boom")
	if _, err := WriteMessage(errWriter{boom}, &MsgVerAck{}, ProtocolVersion, MainNet, BaseEncoding); err != boom {
		t.Fatal(err)
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// capMsg is a message whose encoding exceeds its declared cap.
type capMsg struct{ MsgPong }

func (*capMsg) MaxPayloadLength(uint32) uint32 { return 4 }

func TestWriteMessagePayloadCap(t *testing.T) {
	_, err := WriteMessage(io.Discard, &capMsg{}, ProtocolVersion, MainNet, BaseEncoding)
	if !errors.Is(err, ErrPayloadTooLong) {
		t.Fatal(err)
	}
}

func TestDecodeEnvelope(t *testing.T) {
	verack := mustHex(t, "f9beb4d976657261636b000000000000000000005df6e0e2")
	ping := envelopeBytes(TestNet3, CmdPing, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	tests := []struct {
		name string
		raw  []byte
		err  error
	}{
		{"verack", verack, nil},
		{"any network", ping, nil},
		{"unknown network", envelopeBytes(0x01020304, "foo", []byte{1}), nil},
		{"short header", verack[:23], ErrShortPayload},
		{"payload missing", ping[:30], ErrEnvelopeLength},
		{"extra bytes", append(bytes.Clone(verack), 0), ErrEnvelopeLength},
		{"bad command", header(uint32(MainNet), cmd12("a\x00b"), 0, [4]byte{}), ErrBadCommand},
		{"too long", header(uint32(MainNet), cmd12("block"), MaxProtocolMessageLength+1, [4]byte{}), ErrMessageTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, p, err := DecodeEnvelope(tt.raw)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err == nil && (len(p) != int(h.Length) || Checksum(p) != h.Checksum) {
				t.Fatalf("%+v %x", h, p)
			}
			h2, err := ReadMessageHeader(bytes.NewReader(tt.raw))
			if len(tt.raw) >= MessageHeaderSize && !errors.Is(err, ErrBadCommand) && !errors.Is(err, ErrMessageTooLong) && (err != nil || h2.Net != h.Net || h2.Command != h.Command) {
				t.Fatalf("ReadMessageHeader: %+v %v", h2, err)
			}
		})
	}
	if _, err := ReadMessageHeader(bytes.NewReader(verack[:5])); err != io.ErrUnexpectedEOF {
		t.Fatal(err)
	}
}

func TestDecodePayload(t *testing.T) {
	if _, err := DecodePayload(CmdPong, make([]byte, 9), ProtocolVersion, BaseEncoding); !errors.Is(err, ErrPayloadTooLong) {
		t.Fatal(err)
	}
	if _, err := DecodePayload(CmdPong, make([]byte, 7), ProtocolVersion, BaseEncoding); !errors.Is(err, ErrShortPayload) {
		t.Fatal(err)
	}
	m, err := DecodePayload("newthing", []byte{1}, ProtocolVersion, BaseEncoding)
	if err != nil || m.(*MsgUnknown).Cmd != "newthing" {
		t.Fatal(m, err)
	}
}

func TestDescribeEnvelope(t *testing.T) {
	ping := envelopeBytes(MainNet, CmdPing, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	info, err := DescribeEnvelope(ping)
	if err != nil || !info.ChecksumOK || info.Payload.(*MsgPing).Nonce != 1 || info.Error != "" || !info.Known {
		t.Fatalf("%+v %v", info, err)
	}
	bad := bytes.Clone(ping)
	bad[20] ^= 1
	info, err = DescribeEnvelope(bad)
	if err != nil || info.ChecksumOK || info.Payload == nil || !strings.Contains(info.Error, "checksum") {
		t.Fatalf("bad checksum: %+v %v", info, err)
	}
	info, err = DescribeEnvelope(envelopeBytes(0x0a0b0c0d, CmdPing, []byte{1}))
	if err != nil || info.Network != "unknown" || info.Magic != "0d0c0b0a" || info.Payload != nil || info.Error == "" {
		t.Fatalf("undecodable: %+v %v", info, err)
	}
	info, err = DescribeEnvelope(envelopeBytes(RegTest, "sendtxrcncl", []byte{1}))
	if err != nil || info.Network != "regtest" || info.Known || info.Payload == nil {
		t.Fatalf("unknown command: %+v %v", info, err)
	}
	if _, err := DescribeEnvelope([]byte{1, 2}); !errors.Is(err, ErrShortPayload) {
		t.Fatal(err)
	}
}
