// Package discover implements the Node Discovery Protocol v4 (discv4), the
// Kademlia DHT over UDP that devp2p nodes use to find each other,
// compatible with go-ethereum on the wire and in behaviour: it passes
// go-ethereum's `devp2p discv4 test` suite (see interop/discv4_test.go).
// Packets are encoded by the pure codec in package v4wire; what is
// remembered across restarts lives in package nodedb.
//
// # Using it
//
// The node assembly opens a UDP socket, describes the node in an
// enode.LocalNode (ip, udp, tcp and the "ledgernet" network entry), and
// calls Listen:
//
//	db, _ := nodedb.Open(filepath.Join(datadir, "nodes.db"), nodedb.Config{})
//	ln := enode.NewLocalNode(key, max(db.LocalSeq(id), uint64(time.Now().UnixMilli())))
//	ln.SetIP(ip); ln.Set(enr.UDP(udpPort)); ln.Set(enr.TCP(tcpPort)); ln.Set(enr.Network("devnet"))
//	d, _ := discover.Listen(conn, ln, discover.Config{PrivateKey: key, DB: db, Bootnodes: boot, Network: "devnet"})
//	defer d.Close()
//	it := d.RandomNodes() // a dial.Iterator: give it to the dial scheduler (FairMix)
//
// RandomNodes yields dial candidates found by random lookups, filtered by
// the network entry of their records; Lookup, LookupRandom, Resolve, Ping
// and RequestENR are there for tools and tests.
//
// # How data flows
//
// A goroutine reads the socket. For each datagram it applies, cheapest
// first: a token bucket per source IP, a replay check on the packet hash,
// v4wire.Decode (size ≤ 1280 bytes, hash, then the ~115 µs public key
// recovery), the expiration, a second token bucket for requests, then the
// handler of the packet type:
//
//   - Ping is answered with a Pong whose To is the UDP source (not the
//     claimed From). A sender without a valid bond is pinged back and
//     added to the table when it answers; a bonded one is added at once;
//     neither before the table's first refresh is done (so a new node's
//     table cannot be filled by whoever pings it first).
//   - Pong, Neighbors and ENRResponse go to the goroutine that owns the
//     pending requests, which matches them by type, sender ID and sender
//     IP (and the reply token where there is one); anything unmatched is
//     dropped. A matched Pong is the endpoint proof: it is recorded, per
//     node ID and IP, before the next packet is read.
//   - Findnode and ENRRequest are answered only to a sender that proved
//     its endpoint at that IP within 24 h (BondExpiration): their answers
//     are larger than the questions, and answering unproven addresses
//     would make us an amplifier for spoofed traffic. Findnode gets the
//     16 closest nodes that passed a liveness check, in Neighbors packets
//     of at most 12, without special-purpose addresses, and without LAN
//     or loopback addresses for a sender outside them.
//
// Requests the node makes (ping, findnode, ENRRequest) register a matcher
// before the packet leaves and wait for it with RespTimeout (500 ms).
// Before a findnode or ENRRequest to a node that has not pinged us within
// BondExpiration, the node is pinged first, and we wait for its ping back
// (instead of go-ethereum's fixed 500 ms sleep).
//
// # The table
//
// The table has 17 buckets of 16 nodes (go-ethereum's layout: log
// distances 241 to 256 each have a bucket, all closer ones share the
// first; a random ID falls there with probability 2^-15, so this holds
// what 256 buckets would), each with a list of 10 replacements, and at
// most 2 nodes of one /24 (IPv6: /48) per bucket and 10 in the table, LAN
// and loopback exempt. Its goroutine refreshes it at start (seeds from
// the database and the bootnodes, a lookup of our own ID, three random
// lookups), again 5–10 s after each refresh that added nodes (the wait
// doubling after each that did not, so a table fills in seconds rather
// than in several periodic rounds; go-ethereum refreshes only at start and
// periodically), and every 15–30 minutes, and revalidates it: about once a
// second it pings the node seen alive least recently (never-checked nodes
// first, none seen in the last 10 s); a node that fails loses two thirds
// of its credit and, at zero, is replaced by a random replacement. A pong
// announcing a newer record makes it fetch the record.
//
// Lookups are iterative: alpha = 3 findnode queries in flight to the
// closest nodes not yet asked, until the 16 closest seen have all been
// asked; nodes that do not answer leave the result. Everything learned is
// offered to the table, unverified.
//
// # Replays and rate limits
//
// A request acted on is remembered by hash until it expires (at most 10
// minutes, at most 65,536 hashes); the same bytes again are dropped, except
// a Ping, which gets its Pong again and nothing else. Our own requests are
// made unique (a duplicate within two seconds gets its expiration moved a
// second on), since signatures are deterministic and expirations have
// one-second resolution. Packets and requests are limited per source IP
// (100/s and 20/s, bursts twice that; loopback exempt), with a bounded map
// of buckets.
//
// # Goroutines
//
// readLoop (reads and handles packets; handlers only sign, send and read
// the table), loop (pending replies and their timers), the table's loop
// (refresh, revalidation), and short-lived goroutines for lookups,
// ping-backs and iterators. All are started through spawn and waited for
// by Close. Time comes from Config.Clock; tests run whole networks in a
// testing/synctest bubble over the in-memory network of internal/memnet.
package discover
