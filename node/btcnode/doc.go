// Package btcnode assembles a node of the Bitcoin profiles (mainnet,
// testnets, signet, regtest; devnet works the same way) from ledgernet's
// parts: a TCP listener and the dial scheduler (p2p/dial) bring peers; each
// connection runs the plain Bitcoin envelope (p2p/plain) and a btcpeer
// (handshake, liveness, misbehaviour scores); the sync manager (netsync)
// keeps the chain state (chain/store, plus a mempool on networks with a
// coin set) up to date, serves it, and relays transactions; the address
// manager (p2p/addrmgr) chooses outbound peers, answers and relays addr
// gossip, keeps the operator's ban list and the discouraged addresses.
//
// Data flows like this:
//
//	listener ─ CheckInbound ─┐                      ┌─ addr/addrv2/getaddr ─▶ addrmgr.Relay
//	                         ├─▶ plain ─▶ btcpeer ──┤
//	scheduler ─ DialFunc ────┘      (handshake)     └─ everything else ─────▶ netsync ─▶ store
//	   ▲ addrmgr.Iterator / static peers
//
// A peer is admitted by the scheduler (AddPeer) after its handshake, then
// registered with the sync manager and the relay before its handler
// forwards any message. A peer whose misbehaviour reaches the threshold is
// disconnected by btcpeer; the node discourages its address (never dialled
// from the address book, still welcome inbound: one address is often many
// people) unless the peer is manual or local, and drops no other
// connection. Whitelisted peers are never disconnected for misbehaviour.
// Bans are the operator's (bans.json, through the node's API): the
// scheduler's Banned hook and CheckInbound keep banned addresses out.
// Pending inbound handshakes are limited per address and per network group
// (dial.HandshakeSlots) besides their total.
//
// Start starts every goroutine (listener, scheduler, peers, sync manager,
// relay, address saver); Stop ends them all and closes the files. The lead's
// general node package is meant to embed this assembly.
package btcnode
