// Package tlsconn is the transport of ledgernet's permissioned profile (the
// FISCO BCOS model): TLS 1.3 with both sides' certificates verified against
// the network's CA and revocation list, the Bitcoin envelope inside, a
// version/verack handshake, a heartbeat, and peer management that keeps a
// static list of peers connected.
//
// # Connection setup
//
// Setup (or Dial, which adds the TCP connect) runs on a fresh connection,
// all within Config.HandshakeTimeout (5 s):
//
//  1. TLS 1.3 with certs.ServerConfig / certs.ClientConfig: each side
//     presents node.crt and checks the other's chain, key usages, validity
//     and the CRL. When dialling a listed peer whose ID is known, the
//     server's certificate must have that ID. The peer's node ID comes from
//     its verified certificate.
//  2. Envelopes (magic PermissionedNet, "LNPM"; 12-byte command; length;
//     checksum) flow inside TLS. In Bitcoin's order, the dialling side sends
//     version (protocol version, services, start height, user agent, a
//     random nonce); the listening side answers with version, verack and
//     caps in one write; the dialling side sends verack and caps. A version
//     carrying one of our nonces in flight, or a certificate with our own
//     ID, is a connection to ourselves.
//  3. caps is a ledgernet command: flags (uint32; bit 0: "I accept envelopes
//     without checksums"), then a compact-size count (at most 32) of
//     protocol name (compact-size string, 1..32 printable bytes) and version
//     (uint32). Both sides match the lists as devp2p matches Hello
//     capabilities: for each name both run, the highest common version;
//     matched protocols are sorted by name and take consecutive code ranges
//     from 0, each as long as its command table.
//
// Every refusal has a typed error (certs' sentinels for certificates,
// ErrSelf, ErrIncompatibleVersion, ErrProtocol, ErrNoSharedProtocol,
// ErrRemoteRefused, ErrHandshakeTimeout; dial's for admission), is logged
// with slog attributes, and is counted by Reason and direction in
// Transport.Stats. After TLS, a refusal is sent to the peer in a
// disconnect message (command "disconnect", one byte: the p2p.DiscReason);
// a certificate refusal reaches the peer only as a TLS alert, which it
// counts as "refused by peer". In TLS 1.3 the client learns that the server
// refused its certificate only when it first reads.
//
// # The connection
//
// A Conn is a p2p.Conn whose code i travels as envelope command i of the
// shared protocols' concatenated command tables. Each protocol declares its
// commands (the chain protocol Bitcoin's, "block", "tx", ...; topic and
// status their own). The transport keeps version, verack, ping, pong, caps
// and disconnect to itself: a table may list them, to keep its numbering,
// but those codes are neither delivered nor sendable. Well-formed envelopes
// of commands no shared protocol owns are skipped and counted, as Bitcoin
// nodes skip unknown commands.
//
// Sizes are checked against the header before anything is allocated: the
// envelope's 4 MB cap (Config.MaxMessageSize), then per-command caps for
// the transport's own messages; payload buffers grow only as bytes arrive.
//
// Checksums: the envelope's checksum (double SHA-256) is redundant inside
// TLS, whose AEAD authenticates every byte, and on a 64 KiB message it
// costs more than AES-GCM itself. When both sides set the caps flag (the
// default; Config.Checksums keeps them) envelopes after the handshake carry
// a zero checksum that is not verified. Nothing outside the TLS session
// ever sees these envelopes. The handshake messages are always checksummed.
//
// Two goroutines serve a Conn from Setup: the reader reads envelopes,
// answers pings and queues messages for ReadMsg in a queue bounded by count
// and bytes (when full, it stops reading and the socket's window closes);
// the heartbeat sends a ping every PingInterval (3 s) and the pongs the
// reader asks for. Liveness is judged on the reader: when nothing at all
// (message, ping or pong) has arrived for PingInterval+PongTimeout (6 s) —
// and the reader was not itself waiting for queue room — the link is dead
// and the Conn ends with ErrHeartbeatTimeout. As both sides ping, a healthy
// link is never silent that long; a stalled one (peer frozen, cable cut,
// half-open TCP) is noticed within 6 s, or within 1/8 more of the timeout
// (the socket deadline is pushed forward at most every 1/8 of it). Writes
// take a write lock (a channel, so waiting can be abandoned), so frames
// never interleave; ReadMsg and WriteMsg are safe for concurrent use.
// Read deadlines apply to the queue, so a timeout never cuts a message.
//
// # p2p/server
//
// *Transport implements server.Transport (Name "tls", LocalID, Handshake)
// and *Conn implements server.Keepalive, so a p2p/server Server runs the
// permissioned profile with Config.Transport set to the Transport and
// Config.Protocols made with ServerProtocol (Length = the command table's
// length; the same ProtocolSpec goes in this package's Config.Protocols).
// Under the server, the server drives pings (Config.PingInterval, 3 s for
// this profile) and the idle limit (Config.ReadTimeout, 6 s).
//
// # Host: static peers
//
// Host is the permissioned node's network until p2p/server can take static
// dial candidates that are not devp2p nodes: it loads the certificates
// directory, listens, and keeps every listed peer (package peerlist:
// `--peer [ID@]HOST:PORT` or [[peers]] in TOML) connected through a
// dial.Scheduler, whose static peers are redialled with backoff from 1 s
// doubling to 60 s, jittered. UpdatePeers replaces the list at run time.
// Two nodes that list each other may dial each other at the same moment;
// both keep the connection dialled by the node with the smaller ID, a rule
// both compute alike, so the pair settles on one connection at once instead
// of refusing both and retrying. A listed entry without ID learns its
// node's ID on the first connection, so that the node is not dialled again
// while it is connected inbound. Each connection runs the shared Protocols
// on a Peer: a reader goroutine hands messages to each protocol's bounded
// inbox (a message that waits QueueTimeout for room ends the peer), and
// each protocol's Run has its goroutine.
//
// # Observation
//
// Config.Observer (a p2p.Observer) hears of every refusal that Stats
// counts, with the Reason's label, and of messages a Conn skipped or pings
// it could not answer. HostConfig.Observer adds the Host's peers joining
// and leaving and every protocol message at the Host's multiplexer (name,
// command from the table, payload size), and the message lost when an
// inbox stalls; it serves as the transport's observer too. Under
// p2p/server the server reports handshakes (with ReasonOf's labels,
// through FailureReason), so the transport does not report them again.
package tlsconn
