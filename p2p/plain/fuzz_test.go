package plain

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// byteConn is a net.Conn that reads from fixed bytes and discards writes.
type byteConn struct{ *bytes.Reader }

func (byteConn) Write(b []byte) (int, error)      { return len(b), nil }
func (byteConn) Close() error                     { return nil }
func (byteConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (byteConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (byteConn) SetDeadline(time.Time) error      { return nil }
func (byteConn) SetReadDeadline(time.Time) error  { return nil }
func (byteConn) SetWriteDeadline(time.Time) error { return nil }

var fuzzCommands = []string{wire.CmdVersion, wire.CmdVerAck, wire.CmdPing, wire.CmdHeaders}

// fuzzMaxPayload caps ping at 8 bytes and the others at the envelope limit,
// so the per-command cap is exercised.
func fuzzMaxPayload(code uint64) uint32 {
	if fuzzCommands[code] == wire.CmdPing {
		return 8
	}
	return wire.MaxProtocolMessageLength
}

// FuzzReadMsg feeds arbitrary bytes to the envelope reader: it must never
// panic and never return a payload over its caps or a code outside the
// table. (Some errors, a bad checksum for one, leave the stream at a message
// boundary, so reading on after them is allowed, as in Bitcoin Core.)
func FuzzReadMsg(f *testing.F) {
	var seed []byte
	for _, m := range []wire.Message{&wire.MsgVerAck{}, &wire.MsgPing{Nonce: 7}, &wire.MsgHeaders{Headers: make([]wire.BlockHeader, 2)}, &wire.MsgGetAddr{}} {
		b, err := wire.AppendMessage(nil, m, wire.ProtocolVersion, wire.MainNet, wire.WitnessEncoding)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		seed = append(seed, b...)
	}
	f.Add(seed)
	f.Add(append(seed[:20:20], 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(byteConn{bytes.NewReader(data)}, Config{Net: wire.MainNet, Commands: fuzzCommands, MaxPayload: fuzzMaxPayload})
		if err != nil {
			t.Fatal(err)
		}
		for range 64 {
			msg, err := c.ReadMsg()
			if err != nil {
				continue
			}
			if msg.Code >= uint64(len(fuzzCommands)) {
				t.Fatalf("code %d outside the table", msg.Code)
			}
			if uint32(len(msg.Payload)) > fuzzMaxPayload(msg.Code) {
				t.Fatalf("%s payload of %d bytes over its cap", fuzzCommands[msg.Code], len(msg.Payload))
			}
		}
	})
}
