// Package addrmgr keeps the addresses of Bitcoin nodes a node has heard of,
// chooses whom to dial, answers and relays addr gossip, and keeps the ban
// list.
//
// # Tables
//
// A Manager sorts addresses into two tables, as Bitcoin Core's addrman does:
// "new" (1,024 buckets of 64) for addresses only heard of, and "tried"
// (256 buckets of 64) for addresses we once completed a handshake with.
// Which bucket and slot an address may use is a keyed hash (a secret key
// drawn when the file is created) of its network group (IPv4 /16, IPv6 /32,
// he.net /36, the IPv4 inside 6to4, Teredo and NAT64) and, in the new table,
// of the group of the peer that told us. An attacker who controls many
// addresses in a few groups, or who floods us from one source, can only fill
// a few buckets: the key keeps them from choosing which, and a full slot
// keeps its occupant unless that one is terrible. An address sits in up to
// eight new buckets; each further sighting is added with falling
// probability.
//
// Select draws from tried or new with even odds, favouring addresses not
// tried lately and with few failures; Iterator turns that into a
// dial.Iterator for the dial scheduler (whose SubnetLimit keeps one outbound
// peer per group), spreading consecutive candidates over groups. Good,
// Attempt and Connected record what happened to a dial.
//
// Addresses are refused when they are not routable (unless
// Config.AllowLocal), carry port 0, or belong to a network other than IPv4
// and IPv6. A timestamp more than ten minutes ahead is replaced by one five
// days old (btcd, Core). Terrible addresses (too many failures, not seen for
// 30 days) are not handed out by GetAddr and lose their slot to newcomers.
//
// # Gossip
//
// Relay handles the addr, addrv2 and getaddr messages of connected peers.
// Each peer has a token bucket (Core's: 0.1 address a second, at most 1,000
// tokens, one to begin with and 1,000 more when we ask it with getaddr);
// addresses beyond its tokens are dropped and counted. A getaddr is answered
// once per connection, for inbound peers only, with a random 23 % of the
// addresses, at most 1,000. Fresh self-announcements (a message of at most
// ten addresses, stamped within ten minutes) are forwarded to two peers
// chosen by a keyed hash of the address and the day, so repeats go to the
// same peers and the announcement spreads without flooding; forwarded
// addresses wait in a bounded per-peer queue flushed at random intervals.
// When the node has an address of its own to give (RelayConfig.Local), each
// peer gets it in the first flush after the handshake and again at random,
// about once a day, as Core advertises its local address.
//
// # Persistence
//
// The tables are saved as JSON (Config.Path) every Config.SaveInterval and on
// Close, written to a temporary file, synced and renamed over the old one, so
// a crash leaves the old file or the new one, never a mix. Bans (BanList) are
// kept the same way in their own file. Each ban is reported to
// BanConfig.Observer, if set, with the kind of its reason as a short label.
//
// # Seeds
//
// SeedFromDNS resolves a profile's DNS seeds through an injectable Resolver
// (tests never touch DNS) and adds the answers with a random age of three to
// seven days; FixedSeeds returns the profile's hard-coded fallback list.
//
// A Manager, a Relay and a BanList are safe for concurrent use; each guards
// its state with one mutex.
package addrmgr
