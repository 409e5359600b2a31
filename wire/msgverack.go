package wire

import "fmt"

// MsgVerAck is the "verack" message. It acknowledges a version message and
// completes that side of the handshake. Its payload is empty.
type MsgVerAck struct{}

// Command implements Message.
func (*MsgVerAck) Command() string { return CmdVerAck }

// MaxPayloadLength implements Message.
func (*MsgVerAck) MaxPayloadLength(uint32) uint32 { return 0 }

// Encode implements Message.
func (*MsgVerAck) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) { return b, nil }

// Decode implements Message.
func (*MsgVerAck) Decode(p []byte, _ uint32, _ Encoding) error { return decodeEmpty(p, CmdVerAck) }

// decodeEmpty checks that the payload of a message without fields is empty.
func decodeEmpty(p []byte, cmd string) error {
	if len(p) != 0 {
		return fmt.Errorf("%w: %d bytes after %s", ErrTrailingBytes, len(p), cmd)
	}
	return nil
}
