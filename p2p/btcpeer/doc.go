// Package btcpeer runs one peer of Bitcoin's chain protocol over a p2p.Conn:
// the version/verack handshake, liveness (ping/pong, idle timeout), stall
// detection for requests, misbehaviour scoring, send queues and per-command
// statistics. It holds no chain or sync logic: it hands every other message
// to a Handler and offers Send, QueueMessage, Request and Disconnect.
//
// Data flows through four goroutines that Run starts and waits for:
//
//   - the reader reads a p2p.Msg from the connection, decodes it with wire
//     (code i is Commands()[i]) and passes it to the loop;
//   - the loop owns all protocol state: it runs the handshake, answers pings,
//     records flags (sendheaders, sendaddrv2, wtxidrelay, feefilter,
//     sendcmpct), arms and clears request deadlines, fires timers, and puts
//     other messages into a bounded inbox;
//   - the handler goroutine takes messages from the inbox in order and calls
//     Handler.OnMessage, so a slow handler never stalls the reader or pings;
//   - the writer takes messages from two bounded send queues, control
//     (handshake, ping, pong) before data, encodes and writes them.
//
// When the inbox is full the loop stops taking messages from the reader, so
// the socket applies backpressure to the peer. While it is paused, the
// peer's clocks (idle, pong, handshake and request deadlines) stand still:
// time the peer spends waiting for our handlers is not held against it
// (btcd's rule of pushing stall deadlines forward by local processing time).
//
// Everything that ends a peer is a *DisconnectError carrying a p2p.DiscReason
// and a sentinel error (ErrNoVersion, ErrStalled, ...); protocol violations
// also add misbehaviour points reported to Config.OnMisbehavior, and a score
// reaching the ban threshold disconnects. Whether to ban is the caller's
// decision.
//
// Config.Observer, when set, hears of every message read and written (by
// command, with its payload size) and of each data message the full send
// queue dropped.
//
// The package never sleeps and has no global state: time comes from
// Config.Clock, logs go to Config.Logger, self-connection nonces live in the
// caller's NonceSet.
package btcpeer
