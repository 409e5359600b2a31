// Package dial keeps a node's peer count between its targets: it chooses
// whom to dial, admits inbound connections, and owns the peer set. It is
// shared by every transport (plain Bitcoin, RLPx, TLS) and knows none of
// them.
//
// # Candidates and iterators
//
// Discovery produces Candidates: an address, the node ID when the network has
// one (zero for Bitcoin addresses), and an opaque Node record the scheduler
// hands back to the dialer untouched (RLPx needs the public key in it). Each
// source is an Iterator; FairMix merges several (Kademlia random nodes, DNS
// or fixed seeds, addr gossip through a ChanIter, a SliceIter of bootnodes)
// so that each gets its turn and a slow source cannot hold up the rest;
// Filter drops candidates a protocol has no use for. The sources stay
// independent of the scheduler: it only calls Next.
//
// # Outbound flow
//
//	sources ─▶ FairMix ─▶ Filter ─▶ readCandidates ─▶ loop ─▶ dial task: DialFunc
//	                                                  ▲        (TCP, handshakes,
//	  AddPeer / RemovePeer / CheckInbound / queries ──┘         AddPeer)
//
// A goroutine pulls candidates from the iterator and hands them to the
// scheduler's loop, which takes them only while it has free dial slots, so
// discovery runs at the pace of dialling. The loop drops a candidate that
// is invalid, this node itself (Config.Self, Config.SelfAddrs, or an address
// whose dial reported ErrSelf), a static peer (dialled separately), outside
// Config.NetRestrict, banned, already connected or being dialled (by ID, and
// by address), dialled within Config.DialHistory (35 s), or in a subnet that
// already has Config.SubnetLimit outbound peers and dials (Bitcoin: one per
// IPv4 /16 or IPv6 /32). Otherwise it starts a dial task, which runs the
// caller's DialFunc: the TCP dial, the transport and protocol handshakes,
// then AddPeer.
//
// The outbound target is Config.MaxOutbound, or MaxPeers/DialRatio (geth:
// 50/3 = 16; Bitcoin sets 8 of 125). Like geth, the scheduler keeps up to
// twice the missing outbound peers dialling, at most MaxPendingDials at once,
// because most dials fail; when more succeed than needed AddPeer refuses the
// surplus, so the target is never exceeded by dynamic peers.
//
// Static peers (Config.Static, AddStatic) are dialled whatever the target,
// and redialled for as long as the scheduler runs: after a failed dial, or a
// connection that lasted under 30 s, with exponential backoff from
// StaticBackoff (1 s) doubling up to StaticBackoffMax (60 s), each delay
// drawn from [d/2, d]; after a longer connection ends, at once. A static peer
// that connects to us is satisfied and not dialled.
//
// # Inbound flow
//
// The listener calls CheckInbound(remote IP) on accept, before any
// handshake: NetRestrict, Banned, the per-IP throttle (one connection per IP
// per 30 s, LAN and loopback exempt), and the inbound slots (MaxPeers minus
// the outbound target). After the handshakes it calls AddPeer with the
// remote's identity, which applies the final checks: self, duplicate, slots.
// The listener must also bound the handshakes it runs at once (accept
// tokens): CheckInbound only refuses when the slots are already full.
//
// # The peer set
//
// The peer set lives inside the scheduler's loop, one goroutine that owns
// all of its state (peers, counts, dials in flight, history, throttle,
// static peers) without locks; every other goroutine talks to it through
// channels. That keeps each admission decision atomic with the dialling
// decisions it affects: AddPeer (the checkpoint geth's server runs after the
// handshake), RemovePeer, Peers, PeerCount and Stats are requests to the
// loop. Every connection, inbound or outbound, goes through AddPeer, and the
// caller calls RemovePeer with the same Peer when it ends. Duplicates are
// decided by ID when the peer has one and by address otherwise.
//
// Refusals are the sentinel errors ErrTooManyPeers, ErrThrottled,
// ErrNotAllowed, ErrBanned, ErrSelf and ErrAlreadyConnected; see their
// documentation for the devp2p disconnect reason each maps to.
//
// # Time and shutdown
//
// Timers and "now" come from Config.Clock (SystemClock by default). The
// tests run on the default clock inside testing/synctest bubbles, where time
// is virtual. Close cancels the dial tasks' context, closes the iterator,
// and returns only when every goroutine the scheduler started has ended.
package dial
