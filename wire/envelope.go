package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// BitcoinNet is a network's magic: the first 4 bytes of every envelope, read
// as a little-endian uint32 (so MainNet is the bytes f9 be b4 d9).
type BitcoinNet uint32

// Bitcoin's network magics (Bitcoin Core's chainparams). btcd calls the
// regtest magic "TestNet"; here it is RegTest.
const (
	MainNet  BitcoinNet = 0xd9b4bef9
	TestNet3 BitcoinNet = 0x0709110b
	TestNet4 BitcoinNet = 0x283f161c
	SigNet   BitcoinNet = 0x40cf030a // the default signet's magic
	RegTest  BitcoinNet = 0xdab5bffa
)

// ErrNetRegistered is returned by RegisterNet for a magic or a name that is
// already taken by another network.
var ErrNetRegistered = errors.New("wire: network magic or name already registered")

// netNames maps magics to names. Bitcoin's are built in; RegisterNet adds
// ledgernet's own (called by chain parameters at init). The mutex guards m.
var netNames = struct {
	sync.RWMutex
	m map[BitcoinNet]string
}{m: map[BitcoinNet]string{
	MainNet:  "mainnet",
	TestNet3: "testnet3",
	TestNet4: "testnet4",
	SigNet:   "signet",
	RegTest:  "regtest",
}}

// RegisterNet names a network magic so that String, NetName and
// DescribeEnvelope know it. Registering the same pair twice is a no-op; a
// magic or name already used by another network is an error.
func RegisterNet(net BitcoinNet, name string) error {
	netNames.Lock()
	defer netNames.Unlock()
	if old, ok := netNames.m[net]; ok {
		if old == name {
			return nil
		}
		return fmt.Errorf("%w: %s is %q", ErrNetRegistered, net.Hex(), old)
	}
	for n, s := range netNames.m {
		if s == name {
			return fmt.Errorf("%w: %q is %s", ErrNetRegistered, name, n.Hex())
		}
	}
	netNames.m[net] = name
	return nil
}

// NetName returns the registered name of a magic.
func NetName(net BitcoinNet) (string, bool) {
	netNames.RLock()
	defer netNames.RUnlock()
	s, ok := netNames.m[net]
	return s, ok
}

// Hex returns the magic's 4 wire bytes in hex, e.g. "f9beb4d9" for MainNet.
func (n BitcoinNet) Hex() string {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(n))
	return fmt.Sprintf("%x", b)
}

// String returns the network's name, or "BitcoinNet(0x...)" when unknown.
func (n BitcoinNet) String() string {
	if s, ok := NetName(n); ok {
		return s
	}
	return "BitcoinNet(0x" + strconv.FormatUint(uint64(n), 16) + ")"
}

// Envelope sizes and limits.
const (
	// MessageHeaderSize is the size of the envelope header.
	MessageHeaderSize = 24
	// CommandSize is the size of the NUL-padded command field.
	CommandSize = 12
	// MaxProtocolMessageLength caps every payload, whatever the command
	// (Bitcoin Core's MAX_PROTOCOL_MESSAGE_LENGTH; btcd uses the same value).
	MaxProtocolMessageLength = 4_000_000
)

// Envelope errors. ReadMessage wraps each in a *MessageError.
var (
	// ErrMessageTooLong: the header claims more than MaxProtocolMessageLength.
	ErrMessageTooLong = errors.New("wire: message longer than the protocol maximum")
	// ErrWrongNetwork: the magic is not the expected network's.
	ErrWrongNetwork = errors.New("wire: wrong network magic")
	// ErrBadCommand: the command is not printable ASCII, NUL-padded, or
	// (when writing) longer than 12 bytes.
	ErrBadCommand = errors.New("wire: malformed command")
	// ErrPayloadTooLong: the payload exceeds the command's own maximum.
	ErrPayloadTooLong = errors.New("wire: payload longer than the command allows")
	// ErrBadChecksum: the checksum does not match the payload.
	ErrBadChecksum = errors.New("wire: bad payload checksum")
	// ErrEnvelopeLength: a whole-envelope byte slice is shorter or longer
	// than its header says.
	ErrEnvelopeLength = errors.New("wire: envelope length does not match its header")
)

// MessageError describes a message that could not be read. Err wraps the
// sentinel (test it with errors.Is).
type MessageError struct {
	// Command is the envelope's command when it was well-formed.
	Command string
	// Skipped reports that the whole message was consumed from the stream,
	// so the next read starts at the next envelope. Bitcoin Core drops such
	// messages (bad checksum, bad command) and keeps the connection; after
	// ErrMessageTooLong, ErrWrongNetwork or an I/O error the stream is lost.
	Skipped bool
	Err     error
}

func (e *MessageError) Error() string {
	if e.Command == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (command %q)", e.Err, e.Command)
}

func (e *MessageError) Unwrap() error { return e.Err }

// MessageHeader is a decoded envelope header.
type MessageHeader struct {
	Net      BitcoinNet
	Command  string
	Length   uint32
	Checksum [4]byte
}

// Checksum returns the envelope checksum of a payload: the first 4 bytes of
// its double-SHA256.
func Checksum(payload []byte) [4]byte {
	if len(payload) == 0 {
		return [4]byte{0x5d, 0xf6, 0xe0, 0xe2}
	}
	h := DoubleSHA256(payload)
	return [4]byte(h[:4])
}

// parseCommand applies Bitcoin Core's rule (CMessageHeader::IsMessageTypeValid):
// printable ASCII (0x20..0x7e) up to the first NUL, and only NULs after it.
// An all-NUL command is valid (and unknown).
func parseCommand(b []byte) (string, bool) {
	n := len(b)
	for i, c := range b {
		if c == 0 {
			n = i
			break
		}
		if c < 0x20 || c > 0x7e {
			return "", false
		}
	}
	for _, c := range b[n:] {
		if c != 0 {
			return "", false
		}
	}
	return string(b[:n]), true
}

func validCommand(cmd string) bool {
	if len(cmd) > CommandSize {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// parseHeader decodes a 24-byte header and checks, in this order, the length
// cap, the magic (unless anyNet) and the command's form.
func parseHeader(b []byte, net BitcoinNet, anyNet bool) (MessageHeader, error) {
	h := MessageHeader{
		Net:      BitcoinNet(binary.LittleEndian.Uint32(b[0:4])),
		Length:   binary.LittleEndian.Uint32(b[16:20]),
		Checksum: [4]byte(b[20:24]),
	}
	cmd, cmdOK := parseCommand(b[4:16])
	if !cmdOK {
		cmd = ""
	}
	// Capped before anything else: a peer can claim any length.
	if h.Length > MaxProtocolMessageLength {
		return h, &MessageError{Command: cmd, Err: fmt.Errorf("%w: %d > %d bytes", ErrMessageTooLong, h.Length, MaxProtocolMessageLength)}
	}
	if !anyNet && h.Net != net {
		return h, &MessageError{Command: cmd, Err: fmt.Errorf("%w: got %s, want %s", ErrWrongNetwork, h.Net.Hex(), net.Hex())}
	}
	if !cmdOK {
		return h, &MessageError{Err: fmt.Errorf("%w: %q", ErrBadCommand, b[4:16])}
	}
	h.Command = cmd
	return h, nil
}

// ParseMessageHeader decodes the first 24 bytes of b as an envelope header of
// any network. It checks the length cap and the command's form.
func ParseMessageHeader(b []byte) (MessageHeader, error) {
	if len(b) < MessageHeaderSize {
		return MessageHeader{}, fmt.Errorf("%w: header needs %d bytes, %d given", ErrShortPayload, MessageHeaderSize, len(b))
	}
	return parseHeader(b[:MessageHeaderSize], 0, true)
}

// ReadMessageHeader reads a 24-byte envelope header of any network from r,
// for tools that must look at envelopes of every network. Peers use
// ReadMessage, which also checks the magic.
func ReadMessageHeader(r io.Reader) (MessageHeader, error) {
	var b [MessageHeaderSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return MessageHeader{}, err
	}
	return parseHeader(b[:], 0, true)
}

// DecodeEnvelope splits a whole envelope held in raw into its header and
// payload, for any network. It checks the length cap, the command's form, and
// that raw holds exactly the payload the header announces; it does not check
// the checksum (compare Checksum(payload) with h.Checksum).
func DecodeEnvelope(raw []byte) (MessageHeader, []byte, error) {
	h, err := ParseMessageHeader(raw)
	if err != nil {
		return h, nil, err
	}
	payload := raw[MessageHeaderSize:]
	if uint64(len(payload)) != uint64(h.Length) {
		return h, nil, &MessageError{Command: h.Command, Err: fmt.Errorf("%w: header says %d payload bytes, %d given", ErrEnvelopeLength, h.Length, len(payload))}
	}
	return h, payload, nil
}

// MakeEmptyMessage returns a new, empty message for a command; for a command
// this package does not know it returns a *MsgUnknown carrying the command.
func MakeEmptyMessage(cmd string) Message {
	switch cmd {
	case CmdVersion:
		return &MsgVersion{}
	case CmdVerAck:
		return &MsgVerAck{}
	case CmdPing:
		return &MsgPing{}
	case CmdPong:
		return &MsgPong{}
	case CmdGetHeaders:
		return &MsgGetHeaders{}
	case CmdGetBlocks:
		return &MsgGetBlocks{}
	case CmdHeaders:
		return &MsgHeaders{}
	case CmdInv:
		return &MsgInv{}
	case CmdGetData:
		return &MsgGetData{}
	case CmdNotFound:
		return &MsgNotFound{}
	case CmdBlock:
		return &MsgBlock{}
	case CmdTx:
		return &MsgTx{}
	case CmdAddr:
		return &MsgAddr{}
	case CmdAddrV2:
		return &MsgAddrV2{}
	case CmdSendAddrV2:
		return &MsgSendAddrV2{}
	case CmdGetAddr:
		return &MsgGetAddr{}
	case CmdMemPool:
		return &MsgMemPool{}
	case CmdSendHeaders:
		return &MsgSendHeaders{}
	case CmdFeeFilter:
		return &MsgFeeFilter{}
	case CmdSendCmpct:
		return &MsgSendCmpct{}
	case CmdWTxIDRelay:
		return &MsgWTxIDRelay{}
	}
	return &MsgUnknown{Cmd: cmd}
}

// DecodePayload decodes the payload of a command: it checks the command's
// payload cap, then decodes into a new message (a *MsgUnknown for commands
// this package does not know). The message may alias payload.
func DecodePayload(cmd string, payload []byte, pver uint32, enc Encoding) (Message, error) {
	msg := MakeEmptyMessage(cmd)
	if max := msg.MaxPayloadLength(pver); uint64(len(payload)) > uint64(max) {
		return nil, fmt.Errorf("%w: %d > %d bytes", ErrPayloadTooLong, len(payload), max)
	}
	if err := msg.Decode(payload, pver, enc); err != nil {
		return nil, err
	}
	return msg, nil
}

// ReadMessage reads one message of network net from r. It checks, in order
// and before allocating the payload: the total length cap, the magic, the
// command's form and the command's own payload cap; then it reads the
// payload, checks the checksum and decodes, rejecting trailing bytes. Errors
// other than I/O errors are *MessageError. A command this package does not
// know decodes to *MsgUnknown with a nil error. The raw payload is returned
// too; the message may alias it.
func ReadMessage(r io.Reader, pver uint32, net BitcoinNet, enc Encoding) (Message, []byte, error) {
	return ReadMessageBuf(r, nil, pver, net, enc)
}

// ReadMessageBuf is ReadMessage reading the payload into buf when it is large
// enough, so a peer's read loop can reuse one buffer (pass back the returned
// payload's [:0]). The returned message may alias that buffer: the caller
// must be done with it before the buffer is reused.
func ReadMessageBuf(r io.Reader, buf []byte, pver uint32, net BitcoinNet, enc Encoding) (Message, []byte, error) {
	var hb [MessageHeaderSize]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return nil, nil, err
	}
	h, err := parseHeader(hb[:], net, false)
	if err != nil {
		var me *MessageError
		if errors.Is(err, ErrBadCommand) && errors.As(err, &me) {
			// The length was capped above, so draining is bounded; it keeps
			// the stream in step, as Core does when it drops such a message.
			me.Skipped = drain(r, h.Length)
		}
		return nil, nil, err
	}
	msg := MakeEmptyMessage(h.Command)
	if max := msg.MaxPayloadLength(pver); h.Length > max {
		return nil, nil, &MessageError{Command: h.Command, Skipped: drain(r, h.Length),
			Err: fmt.Errorf("%w: %d > %d bytes", ErrPayloadTooLong, h.Length, max)}
	}
	payload, err := readPayload(r, int(h.Length), buf)
	if err != nil {
		return nil, nil, err
	}
	if sum := Checksum(payload); sum != h.Checksum {
		return nil, payload, &MessageError{Command: h.Command, Skipped: true,
			Err: fmt.Errorf("%w: header %x, payload %x", ErrBadChecksum, h.Checksum, sum)}
	}
	if err := msg.Decode(payload, pver, enc); err != nil {
		return nil, payload, &MessageError{Command: h.Command, Skipped: true, Err: err}
	}
	return msg, payload, nil
}

// drain discards n bytes from r without a buffer of that size.
func drain(r io.Reader, n uint32) bool {
	m, err := io.CopyN(io.Discard, r, int64(n))
	return err == nil && m == int64(n)
}

// payloadChunk is how much of a payload is allocated before its bytes have
// arrived; beyond it the buffer doubles as data comes in, so a peer that
// claims a 4 MB payload and sends nothing costs 256 KiB, not 4 MB. Bitcoin
// Core grows its receive buffer in the same 256 KiB steps; a full headers
// message (162 KB) fits in one.
const payloadChunk = 256 << 10

func readPayload(r io.Reader, n int, buf []byte) ([]byte, error) {
	if cap(buf) >= n {
		b := buf[:n]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, noEOF(err)
		}
		return b, nil
	}
	b := make([]byte, 0, min(n, payloadChunk))
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*cap(b), n))
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(r, b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err != nil {
			return nil, noEOF(err)
		}
	}
	return b, nil
}

// noEOF turns EOF inside a message into ErrUnexpectedEOF: only EOF before a
// header is a clean end of stream.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// AppendMessage appends the envelope of msg for network net to dst.
func AppendMessage(dst []byte, msg Message, pver uint32, net BitcoinNet, enc Encoding) ([]byte, error) {
	cmd := msg.Command()
	if !validCommand(cmd) {
		return dst, &MessageError{Err: fmt.Errorf("%w: %q", ErrBadCommand, cmd)}
	}
	start := len(dst)
	dst = append(dst, make([]byte, MessageHeaderSize)...)
	b, err := msg.Encode(dst, pver, enc)
	if err != nil {
		return dst[:start], &MessageError{Command: cmd, Err: err}
	}
	n := len(b) - start - MessageHeaderSize
	if n > MaxProtocolMessageLength {
		return b[:start], &MessageError{Command: cmd, Err: fmt.Errorf("%w: %d > %d bytes", ErrMessageTooLong, n, MaxProtocolMessageLength)}
	}
	if max := msg.MaxPayloadLength(pver); uint64(n) > uint64(max) {
		return b[:start], &MessageError{Command: cmd, Err: fmt.Errorf("%w: %d > %d bytes", ErrPayloadTooLong, n, max)}
	}
	h := b[start : start+MessageHeaderSize]
	binary.LittleEndian.PutUint32(h[0:4], uint32(net))
	copy(h[4:16], cmd) // the rest is already NUL
	binary.LittleEndian.PutUint32(h[16:20], uint32(n))
	sum := Checksum(b[start+MessageHeaderSize:])
	copy(h[20:24], sum[:])
	return b, nil
}

// WriteMessage writes the envelope of msg for network net to w in one Write
// and returns the number of bytes written.
func WriteMessage(w io.Writer, msg Message, pver uint32, net BitcoinNet, enc Encoding) (int, error) {
	b, err := AppendMessage(nil, msg, pver, net, enc)
	if err != nil {
		return 0, err
	}
	return w.Write(b)
}
