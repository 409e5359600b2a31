// Package netsync is the sync manager of the Bitcoin chain protocol: it
// brings a node's chain state up to the best chain its peers know, keeps it
// there, serves the chain to others, and relays transactions.
//
// # Data flow
//
// A node hands each peer to Manager.AddPeer once its btcpeer handshake is
// done, passes every message to Manager.HandleMessage (btcpeer's Handler),
// and calls RemovePeer when the peer ends. One goroutine, the loop, owns all
// sync state: peers' heights, the blocks in flight, the blocks waiting to be
// connected, the headers exchange, the stall timers and the relay queues.
// The peers' handler goroutines reach it through one bounded channel; when
// it is full they wait, their btcpeer inboxes fill and the peers' sockets
// stop being read, so a flood holds back its sender and nothing else.
// Requests that only read the chain state (getheaders, getblocks, getdata)
// are served on the asking peer's own handler goroutine, so serving never
// delays syncing; blocks go out as stored, without a decode and re-encode,
// with at most 32 of them queued per peer at a time.
//
// A second goroutine, the processor, gives batches of blocks to the chain
// state's ProcessBlocks while the loop goes on downloading; the chain state
// commits each batch in few transactions (fsyncs), so a sync costs a
// handful of fsyncs per thousand blocks instead of one per block.
//
// # Headers first
//
// Every peer gets one getheaders with our block locator when it arrives.
// While syncing, the peers that claim a longer chain than our best header
// are asked one at a time: the reply is checked (one chain, connecting to
// a header we know) and given to the chain state's AddHeaders, which applies
// the header rules, before the next getheaders goes out, continuing from the
// last header while replies are full (2,000). A reply that is not a chain,
// does not connect, or breaks a rule scores 100 (disconnect, ban). A single
// announced header that does not connect scores 20 and makes us ask for the
// missing headers. A getheaders not answered within HeadersTimeout
// disconnects a peer that claims more than we have; one that claims no more
// is left alone (btcd ignores getheaders while its tip is a day old).
//
// # Blocks in parallel
//
// The blocks to fetch are those from the connected tip towards the best
// header that the chain state does not hold, at most Window (1,024) of them
// and none beyond tip+Window: a moving window, as in Core. Each peer is asked
// for up to MaxInFlight (16; MaxInFlightLocal, 128, for loopback peers) of
// the lowest blocks it has (by the height it announced), in one getdata per
// refill. Blocks arrive in any order; the loop hands runs that continue the
// chain to the processor in height order. When the window is full and its
// first block is owed by a peer other than the one that could take more,
// that peer stalls everyone: after StallTimeout (2 s, doubling each time it
// fires up to 64 s, shrinking back by 15 % per block received) it is
// disconnected and its blocks go to the others. A peer that owes blocks and
// delivers none for BlockTimeout (60 s) is disconnected and scored 20. A
// notfound releases the block to another peer. An invalid block scores its
// sender 100.
//
// # After the sync
//
// New tips are announced, once the tip is the best header: with the
// headers of the new blocks (up to 8) to peers that sent sendheaders,
// otherwise with an inv of the tip. Announcements of blocks we lack (an
// inv, or headers) lead to getheaders and then the normal download.
// Transactions (when a pool is configured) are asked for with getdata when
// announced and unknown (at most 100 in flight per peer), offered to the
// pool (a refused one is not asked for again, except one that came before
// its parent: the next announcement of it is followed), and announced to the other peers with inv at random (Poisson)
// times, 2 s on average to outbound and 5 s to inbound peers, so that the
// first peers to hear of a transaction say little about its origin; a
// transaction below the peer's feefilter is not announced to it, and each
// peer is sent our pool's minimum fee rate in a feefilter (BIP133). mempool
// requests queue the pool's contents for the next announcement, once a
// minute at most. Inventory is limited per peer by a token bucket (a full
// inv at once, then 1,000 entries a second); each message beyond it scores
// 20.
//
// # Peers and time
//
// Peers should run with btcpeer.Config.NoStallDetection: the manager keeps
// its own deadlines for headers and blocks (btcpeer's fixed ones would
// disconnect a btcd that rightly stays silent). Time comes from
// Config.Clock and logs go to Config.Logger; sync progress (height, rate,
// time left) is logged at most every ProgressInterval.
package netsync
