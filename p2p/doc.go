// Package p2p holds what every transport and every protocol of ledgernet
// share: the message type, the MsgReadWriter interface that transports give
// to protocols, typed disconnect reasons, and the Conn interface of an
// authenticated connection.
//
// Data flows up: a transport (plain Bitcoin envelope over TCP, RLPx, or TLS
// with the envelope inside) turns a net.Conn into a Conn that reads and writes
// Msg values. A protocol (chain, topic, status) sees only a MsgReadWriter
// whose codes are its own, starting at 0, and never learns which transport
// carries it. Implementations live in sub-packages (p2p/rlpx, p2p/plain,
// p2p/tlsconn); p2ptest holds the conformance suite each must pass.
//
// A message read belongs to the protocol that read it: its payload stays
// valid however long the protocol keeps it. A protocol that is done with a
// payload may hand it back with Msg.Release, so that a transport with a
// BufferPool (p2p/tlsconn) fills it with a later message instead of
// allocating; the status and topic protocols do after each message.
package p2p
