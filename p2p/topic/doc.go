// Package topic implements topic/1: application messages to one node
// (unicast), to the subscribers of a topic (multicast) or to every node
// (broadcast), relayed through the peer-to-peer network.
//
// # Message
//
// One message code (envelope command "topicmsg" on the permissioned
// transport), RLP-encoded:
//
//	[kind, origin, id, hops, target, payload, sig]
//
// kind is 1 unicast, 2 multicast, 3 broadcast; id is 16 random bytes; hops
// is how many hops the message may still travel (at least 1 on the wire;
// more than MaxHops is lowered to it); target is the destination node ID,
// the topic, or empty; payload is at most Config.MaxPayload (1 MiB); sig is
// the origin's signature (package originsig) over
// keccak256("ledgernet/topic/1\x00" ‖ rlp([kind, origin, id, target,
// payload])): everything but hops, which relays lower.
//
// # Relaying
//
// Every node keeps the keys (origin, id) of the messages it has seen, the
// last Config.SeenCache of them. A copy whose key it has seen is dropped at
// once, before its signature is checked; a new one is verified, marked,
// delivered if this node is a target, and relayed with one hop less to
// every peer but the one it came from and the origin. Each node thus
// delivers a message once, and relays it about once per link: no storm.
// The one exception: the first copy to arrive may have come the long way
// with too few hops left to reach the nodes beyond, so while the best copy
// has at most half the hop limit left, a better one is relayed again (not
// delivered). Every node within HopLimit/2+1 hops gets the message
// whatever the timing, and every node within HopLimit when copies travel
// the shortest paths first (see seenCache).
//
//   - Broadcast: delivered by every node but the origin.
//   - Multicast: delivered by every node that has a subscription to the
//     topic, and by no other; relayed network-wide. The origin asks its
//     TopicDirectory (package status: the topics in every node's status
//     record) for the subscribers: none is ErrNoSubscribers, and when all
//     are peers the message goes to them only, with one hop, unrelayed.
//   - Unicast: a peer destination gets it directly. Otherwise it follows
//     the reverse path: each node remembers, per origin, the peer the first
//     copy of that origin's latest message came through (the fastest path
//     back), and a unicast to that origin goes to that peer only. Without
//     a route (or when the route's peer has gone) it floods like a
//     broadcast, delivered only by the destination; a relay that has the
//     destination as peer hands it over and floods no further. The origin
//     refuses a destination its NodeDirectory does not know (no live
//     status record) with ErrUnreachable, rather than flooding for a node
//     that is not there. Delivery is not acknowledged.
//
// # Defences
//
// Each peer has two token buckets (messages and bytes per second); a
// message over either is dropped and counted, and RateDrops drops within
// RateWindow end the peer (ErrRateLimited, p2p.DiscUselessPeer). A
// malformed or oversized message ends the peer at once (ErrMalformed,
// ErrTooLarge: p2p.DiscProtocolError); sizes are checked before anything
// is copied. A bad signature, a missing one when signatures are required,
// or a hop limit of 0 is dropped and scored; a score of 100 ends the peer
// (ErrMisbehaving). A forged copy never marks a message seen, so it cannot
// suppress the real one.
//
// # Goroutines and queues
//
// The loop owns peers, routes and subscriptions. Each peer's Run goroutine
// rate-limits, decodes, deduplicates and verifies, so signature checks run
// in parallel across peers; a writer per peer drains a send queue of
// PeerQueue messages (full: new messages dropped, counted). Subscription
// channels hold SubQueue deliveries; when full the oldest is dropped for
// the new one (counted): a slow reader sees the latest messages.
//
// # Wiring
//
//	st, _ := status.New(status.Config{Signer: signer})
//	tp, _ := topic.New(topic.Config{Signer: signer, Directory: st,
//		TopicsChanged: func(ts []string) { st.SetTopics(ts) }})
//	srv, _ := server.New(server.Config{Protocols: []server.Protocol{
//		st.Protocol(), tp.Protocol(), ...}})
//	ch, cancel, _ := tp.Subscribe("blocks")
//	tp.Publish("blocks", payload)
package topic
