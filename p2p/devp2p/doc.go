// Package devp2p implements the devp2p base protocol on top of RLPx
// (package p2p/rlpx): the Hello exchange that opens every connection,
// Disconnect, and Ping/Pong, byte-compatible with go-ethereum.
//
// Data flows through it in two stages. Setup runs on a fresh TCP
// connection: the RLPx encryption handshake, then the Hello exchange. Our
// Hello (base protocol version 5, client name, capabilities, and our node ID,
// the 64-byte public key) is written at once, uncompressed, while the peer's
// is read; the peer's Hello must carry the node ID the RLPx handshake
// authenticated (else p2p.DiscUnexpectedIdentity) and fit in MaxHelloSize.
// A Disconnect read instead of Hello ends Setup with the peer's reason. When
// the peer's version is 5 or more, snappy compression is turned on for every
// later message in both directions.
//
// Setup returns a Conn, a p2p.Conn over the session. Its message codes start
// at 0 and travel as 16+code: the 16 codes below are the base protocol's,
// and the Conn keeps them to itself. A Disconnect from the peer ends the read
// side with a *DisconnectError carrying the reason; a Ping is signalled on
// PingReceived, for the owner's keepalive loop to answer with SendPong; the
// owner sends SendPing every 15 s, and SetIdleTimeout makes any frame,
// Pings included, re-arm the 30 s read deadline, so a quiet peer stays and a
// silent one times out. Close sends Disconnect with the reason first, within
// one second. Capability matching and multiplexing belong to p2p/server.
//
// The codecs (AppendHello, DecodeHello, AppendDisconnect, DecodeDisconnect)
// are pure functions. Hello decoding follows go-ethereum: extra list
// elements and trailing bytes are ignored, integers must be canonical, a
// capability is exactly [name, version], and the node ID must be 64 non-zero
// bytes. Disconnect is sent as the list [reason] and read as that list, as
// a bare reason, or empty.
package devp2p
