// Package server runs a node's peer-to-peer connections: it listens and
// dials, turns each connection into an authenticated session with a
// pluggable Transport, matches capabilities, and runs every matched
// protocol with every peer over its own slice of the session's code space.
//
// # Flow
//
//	listener ─▶ dial.CheckInbound ─┐                   ┌─▶ Protocol.Run (one goroutine each)
//	                               ├─▶ Transport ─▶ match ─▶ dial.AddPeer ─▶ Peer ─┤
//	dial.Scheduler ─▶ TCP dial ────┘   .Handshake   caps                           └─▶ keepalive
//
// Inbound: the listener takes a handshake slot (at most
// Config.MaxPendingHandshakes run at once; while all are taken it stops
// accepting and counts the pause), accepts, asks the scheduler's
// CheckInbound (netrestrict, bans, per-IP throttle, free slots), then runs
// the transport handshake under Config.HandshakeTimeout (5 s). Outbound: the
// dial.Scheduler decides whom to dial (static nodes, bootstrap nodes, the
// Discovery iterator) and calls the server's dial function: TCP dial, the
// same handshake, the same admission. After the handshake a peer sharing no
// capability is sent p2p.DiscUselessPeer; otherwise the scheduler's AddPeer,
// which owns the peer set, refuses self (p2p.DiscSelf), duplicates
// (p2p.DiscAlreadyConnected) and surplus (p2p.DiscTooManyPeers). When two
// nodes dial each other at once, both keep the connection dialled by the
// smaller node ID; the kept one's protocols start only once the other's
// have ended, so that no protocol sees one node twice. Admitted peers run
// until one side ends them; the server then calls RemovePeer.
//
// # Capabilities and multiplexing
//
// Each Protocol has a name, version, number of codes (Length) and a Run
// function. For every name both sides offer, the highest common version
// runs; matched protocols take consecutive code ranges in alphabetical
// order of name, from code 0 of the session, which RLPx puts at wire code
// 16 (after the base protocol). Each protocol gets a MsgReadWriter whose
// codes start at 0; the peer adds and subtracts the offset. See Peer for the
// goroutines, the write token, the bounded inbound queues and what happens
// when one is full. A protocol's error ends the peer with the
// p2p.DiscReason in its chain (p2p.DiscSubprotocolError if none).
//
// # Transports
//
// A Transport turns a net.Conn into a Session: a p2p.Conn whose codes start
// at 0, the peer's authenticated ID, its capabilities and client name.
// RLPxTransport is devp2p's (package devp2p: RLPx handshake, then Hello;
// sessions keep Ping/Pong and Disconnect inside and implement Keepalive).
// Another transport plugs in through Config.Transport. For the permissioned
// profile's TLS, for example:
//
//   - Name returns "tls"; LocalID the node ID of the node certificate's key.
//   - Handshake(ctx, fd, dest, caps) runs TLS 1.3 on fd with both sides
//     verified against the CA (dest.ID is the expected peer for a dial), then
//     its version/verack exchange carrying caps, and returns a Session whose
//     Conn is the envelope connection with the protocols' codes from 0; it
//     closes fd itself on error and honours ctx's deadline and cancellation.
//   - Its Conn's Close(reason) may send the reason if the envelope can; its
//     read errors for a peer's goodbye may carry RemoteReason(); if it has
//     a keepalive it implements Keepalive, else the server falls back to a
//     read deadline of Config.ReadTimeout per message.
//   - Its dial candidates (from the static list) carry the node ID and
//     whatever Node the transport wants in dial.Candidate.Node.
//
// Config.PrivateKey may then be nil; Self returns nil and LocalID comes from
// the transport.
//
// # Ownership
//
// The scheduler's loop owns the peer set and every admission decision. The
// server keeps its running peers in a map guarded by a mutex (for Peers,
// RemovePeer and Stop). Every goroutine is owned: the listener and the
// inbound handshakes and peers by the server's WaitGroup, the dial tasks by
// the scheduler. Stop marks the server stopped, cancels the handshakes,
// closes the listener and the scheduler, sends p2p.DiscQuitting to every
// peer, and waits for all of them. Events (peer added and dropped) go to
// subscribers through bounded channels that drop and count on overflow.
//
// # Observation
//
// Config.Observer (a p2p.Observer; package metrics adapts its Metrics to
// one) hears of each peer added and dropped, each failed handshake or
// refused admission with a short reason, each protocol message in and out
// at the multiplexer (protocol name, the command from Protocol.Commands or
// the code in decimal, payload size), and each message lost to a stalled
// inbound queue. It is called on the peers' goroutines; nil costs one
// comparison per event.
package server
