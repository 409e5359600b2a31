// Package status implements status/1: every node keeps a signed status
// record (sequence number, chain tip, topics followed, services, software
// version) and learns the records of every node of the network, so that
// the HTTP API can show the network's statuses and package topic can find
// a topic's subscribers.
//
// # Protocol
//
// Three messages, RLP-encoded (codes 0 to 2; envelope commands "status",
// "getstatus", "statusrec" on the permissioned transport):
//
//	Announce   [[origin, seq, age-ms], ...]      seqs the sender holds
//	GetStatus  [origin, ...]                      ask for full records
//	Records    [[age-ms, [origin, seq, height, hash, [topic, ...],
//	             services, version, sig]], ...]
//
// The pattern is FISCO BCOS's status sync, made network-wide. Every
// Interval (5 s) a node announces to each peer its own seq and the seq of
// every live record it holds; a change of its own record, and every newer
// record it learns, is announced to its other peers at once (batched for
// AnnounceDelay, 50 ms). A node that hears a seq above the one it holds
// asks the announcer for the record (GetStatus → Records), verifies the
// origin's signature, stores it and announces it in turn: news of a change
// travels one round trip per hop, well within two intervals. Records are
// deduplicated by (origin, seq): a seq not above the one held is ignored,
// before its signature is checked.
//
// # Liveness
//
// Each entry carries an age: how long ago the sender last had news of the
// origin being alive. An origin announces itself with age 0; relays add
// the time since. A node keeps the freshest news it hears (the smallest
// age); as only the origin resets the age, a node that leaves the network
// ages everywhere and its record expires after TTL (60 s) at every node.
// TTL must exceed Interval times the network's diameter. A node whose
// record is live is Reachable. The age is a relay's word: a lying relay can
// keep a dead node's record alive, not forge its content.
//
// # Signatures
//
// Records are signed by their origin (package originsig: the secp256k1
// node key on the open network; the certificate's P-256 or Ed25519 key on
// the permissioned one) over keccak256("ledgernet/status/1\x00" ‖ fields),
// so any relay can verify any record. With Config.Signatures Optional
// (permissioned networks, where every peer is a certified member) unsigned
// records are accepted, signed ones still verified.
//
// A restarted node forgets its seq; it starts from the clock in
// milliseconds, and if it hears its own ID at a seq above its own it jumps
// past it.
//
// # Goroutines and bounds
//
// The loop owns the table, the peers, the pending requests and the
// subscriptions. A peer's Run goroutine reads, rate-limits (token bucket:
// excess dropped and counted, RateDrops drops in RateWindow end the peer),
// decodes and verifies; a writer per peer drains a bounded queue (full:
// new messages dropped and counted). The table holds at most MaxRecords
// (a peer's record may evict the stalest other). Malformed or oversized
// messages end the peer (p2p.DiscProtocolError); bad or missing signatures
// and records we did not ask for (dropped before any signature check, so
// that a peer cannot make us verify more than we requested) raise a
// misbehaviour score that ends it at 100.
//
// # Wiring
//
//	st, _ := status.New(status.Config{Signer: originsig.NewSecp256k1Signer(nodeKey)})
//	srv := server.New(server.Config{Protocols: []server.Protocol{st.Protocol(), ...}})
//	st.SetTip(height, hash) // on every new tip
//
// On the permissioned network: status.Spec() in tlsconn.Config.Protocols
// with st.Protocol() under p2p/server, or st.TLSProtocol() for
// tlsconn.Host.
package status
