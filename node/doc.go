// Package node assembles one ledgernet node from its configuration
// (package config): identity, chain state, mempool, sync manager, miner,
// wallet, the network of its profile, and the protocols that run on it.
// New checks the configuration, Start opens the data directory and starts
// every goroutine, Stop ends them all.
//
// # Profiles
//
// devnet (RLPx): a p2p/server listening on Config.Listen with the RLPx
// transport, discv4 (p2p/discover) on the same port over UDP (or
// Config.DiscoveryAddr), started from Config.Bootnodes; its random-node
// iterator feeds the server's dial scheduler. Config.AddPeer and
// Config.Connect (enode URLs) are static peers; with Connect the node
// dials nobody else. Config.NetRestrict limits peers to those networks.
//
// permissioned (TLS): a tlsconn.Host with the certificates of Config.Certs
// that keeps the static peers of Config.Peers connected; the chain (and
// the other) protocols run on it as on the devnet.
//
// Bitcoin profiles (bitcoin, testnet3, testnet4, signet, regtest): the
// node embeds a node/btcnode assembly (plain TCP, address manager,
// netsync).
//
// # Data flow (devnet, permissioned)
//
//	transport ─┬─▶ chain/1 ─▶ protoConn ─▶ btcpeer ─▶ netsync ─▶ chain/store ─▶ events ─┬─▶ mempool
//	           ├─▶ status/1 ─▶ status.Service (records; tip from the store's events) ◀──┘
//	           └─▶ topic/1 ─▶ topic.Service (subscribers from status) ─▶ subscriptions, API
//	miner ─▶ store.ProcessBlock ─▶ events ─▶ netsync announces ─▶ peers
//
// Each connection runs three protocols: chain/1 (below), status/1 and
// topic/1 (packages p2p/status and p2p/topic, signed with the node key on
// the devnet and with the certificate's key on the permissioned network).
// The status record's tip follows the chain state's tip events; its
// topics are those the node follows: Config.Topics from the start, plus
// whatever the API subscribes to. Every protocol's messages are counted
// in the node's metrics (package metrics).
//
// The node implements api.Backend; with Config.API set it serves the HTTP
// API, /metrics and the dashboard there (write calls need the token of
// DATADIR/api.token). With Config.NAT any, upnp or pmp the devnet node
// maps its TCP and UDP ports and announces the external address in its
// record; extip:IP announces IP.
//
// The chain protocol chain/1 carries Bitcoin's messages, one code each:
// code i is btcpeer.Commands()[i]. Over RLPx the codes follow the base
// protocol and the btcpeer runs its own version/verack handshake and pings
// inside chain/1. Over TLS the codes travel as envelope commands; the
// transport has already exchanged version/verack and runs the heartbeat,
// so the btcpeer starts from the transport's version message
// (btcpeer.Config.Handshaken) and never sends those four commands. Each
// connection gets a btcpeer over a protoConn, whose ReadMsg and WriteMsg
// pass through, whose Close disconnects the transport's peer, and whose
// deadlines are no-ops (the transport has its own keepalive and write
// deadlines); once its handshake is done the btcpeer is handed to the
// sync manager.
//
// # Data directory
//
//	DATADIR/nodekey     secp256k1 node key, 64 hex characters, 0600
//	                    (devnet identity: node ID, enode URL, ENR)
//	DATADIR/chain.db    chain state: headers, blocks, coins (bbolt)
//	DATADIR/nodes.db    discovery database: bonds and nodes seen (devnet)
//	DATADIR/wallet.key  the node's wallet key, 64 hex characters, 0600
//	                    (the miner pays to it; devnet and permissioned)
//	DATADIR/api.token   bearer token of the HTTP API's write calls
//	DATADIR/peers.json  address manager tables (Bitcoin profiles)
//	DATADIR/bans.json   the operator's bans: addresses, networks, node IDs
//
// The permissioned profile's certificates live where Config.Certs says.
//
// # Goroutines
//
// Every goroutine belongs to a component that Stop stops, in this order:
// the API server, the miner, the NAT mappings, the network (dialling
// stops, every peer is sent a disconnect reason and waited for), topic and
// status, discovery, the sync manager, and last the chain state, whose
// file is closed after its final commit.
package node
