// Package rlpx implements RLPx, devp2p's encrypted and authenticated
// connection, byte for byte as go-ethereum speaks it: the EIP-8 encryption
// handshake (ECIES on secp256k1), then frames encrypted with AES-256-CTR and
// authenticated with Keccak-256 MACs, optionally snappy-compressed.
//
// Data flows through a Conn in two stages. Handshake runs once on the raw
// net.Conn under one deadline (5 s by default): the initiator, which knows the
// recipient's static key, sends an auth packet (its static key, a nonce and a
// signature made with a fresh ephemeral key); the recipient answers with an ack
// (its own ephemeral key and nonce). Each packet is a 2-byte size prefix, which
// is also authenticated by the ECIES MAC, and an ECIES ciphertext of an RLP list
// plus random padding; the size is checked against MaxHandshakeSize (2 KiB)
// before the body is read. Both sides then derive the same AES and MAC secrets
// and two running Keccak-256 MAC states, one per direction.
//
// After the handshake ReadMsg and WriteMsg move one message per frame. The
// reader checks the header MAC before it trusts the frame size, checks the size
// against Config.MaxMessageSize before it allocates, checks the frame MAC
// before it decrypts, and, with snappy on, checks the claimed decoded length
// before it decompresses. Any failure after a frame has started leaves the
// direction unusable (ErrConnBroken): cipher and MAC streams cannot resync.
// Buffers are reused, so a message read is valid only until the next ReadMsg.
// One reader and one writer may run concurrently; several writers may not.
//
// The Hello exchange, Ping/Disconnect and capability multiplexing belong to
// the p2p layer above; it calls SetSnappy(true) after Hello when the peer's
// base protocol version is 5 or more.
//
// Choices where go-ethereum is the reference:
//
//   - Only EIP-8 handshake packets are read. The pre-EIP-8 auth (307 bytes)
//     and ack (210 bytes) are rejected, as go-ethereum has done since 1.10:
//     their first two bytes read as a size prefix that the packet does not
//     match, so they fail with ErrBadAuth/ErrBadAck (io.ErrUnexpectedEOF when
//     the peer then closes, or the handshake deadline when it waits). Every
//     client has sent EIP-8 packets since 2016, and trying the legacy format
//     first would cost an extra ECDH on every handshake.
//   - Outgoing auth and ack packets carry 100-199 bytes of zero padding and
//     version 4; extra list elements from newer peers are ignored.
//   - The message code must be canonical RLP, as go-ethereum requires.
//   - Snappy payloads are decoded with the strict standard block format (as
//     golang/snappy in go-ethereum); compression uses klauspost's encoder, whose
//     output differs from golang/snappy's but is valid snappy.
//
// Cost. A handshake is eight ECDH operations, four key generations, one
// signature and one key recovery per initiator/recipient pair, all on
// decred's pure-Go secp256k1 (see secp.go): ledgernet takes its curve
// arithmetic from that library rather than keeping its own, so handshakes
// run slower than go-ethereum's, which calls libsecp256k1 through cgo.
// Within one side, the ECIES half of a packet (an ephemeral key and an ECDH
// with the peer's static key) runs on a second goroutine beside the signing or
// signature-checking half; both are joined before Handshake goes on, and the
// recipient still checks the signature before it sends the ack. Bulk cost is
// Keccak-256 over every frame ciphertext in both directions; see keccak.go for
// why x/crypto's implementation is used. ReadMsg and WriteMsg allocate nothing
// once their buffers have grown.
package rlpx
