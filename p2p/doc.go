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
package p2p
