// Package plain is the Bitcoin transport: it turns a net.Conn into a p2p.Conn
// whose messages travel in Bitcoin's v1 envelope (magic, 12-byte NUL-padded
// command, payload length, checksum), unencrypted and unauthenticated, as
// btcd and Bitcoin Core speak it.
//
// Protocols above see message codes, not commands: the caller gives a command
// table and code i travels as command table[i]. On the read path each header
// is checked before its payload is allocated, in this order: the total length
// cap, the network magic, the command's form (printable ASCII, NUL-padded, as
// Core requires), and the per-command cap from the caller's MaxPayload. Then
// the payload is read, growing its buffer only as bytes arrive, and the
// checksum is verified before the message is delivered. A command missing
// from the table is read through a fixed buffer, checksum-checked and skipped
// (counted in Stats, and reported to Config.Observer when set), as Core and
// btcd ignore commands they do not know.
//
// Errors after which the stream is lost (length caps, wrong magic, I/O errors
// inside a message) stick: every later ReadMsg returns them. A malformed
// command or a bad checksum consumes the whole message first, so the caller
// may choose Core's leniency and read on; ledgernet's chain protocol
// disconnects. Size errors match p2p.ErrMsgTooLarge; the others match wire's
// envelope sentinels (wire.ErrWrongNetwork, wire.ErrBadCommand,
// wire.ErrBadChecksum).
//
// One goroutine may read while another writes; Close may be called from any
// goroutine and unblocks both.
package plain
