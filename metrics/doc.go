// Package metrics holds the node's Prometheus metrics.
//
// New registers every collector on a registry the caller passes in (never
// the global default one, so that tests and devnets can run many nodes in
// one process), and returns a Metrics whose typed helpers the node's parts
// call as things happen: a peer connects, a message comes in, a handshake
// fails, a block is connected. The API server serves the same registry at
// /metrics (promhttp.HandlerFor).
//
// Label values that come from the network (protocol, command, reasons) are
// bounded: a value that is not short printable ASCII becomes "invalid", and
// once a label has maxLabelValues distinct values, new ones become "other".
// A peer could otherwise grow the registry without bound by sending a new
// command name in each message.
//
// A nil *Metrics is valid and records nothing.
//
// # Wiring
//
// The networking packages know nothing of Prometheus: each takes an
// optional p2p.Observer in its config (nil reports nothing and costs one
// comparison per event), and Observer(m) adapts a *Metrics to it.
//
//	package, field                   reports                                  series (ledgernet_...)
//	p2p/server Config.Observer       peers added and dropped                  peers{direction,transport}
//	                                 failed handshakes, refused admissions    p2p_handshake_failures_total
//	                                 each protocol message at the mux         p2p_messages_{in,out}_total,
//	                                   (command: Protocol.Commands or code)   p2p_bytes_{in,out}_total
//	                                 message lost to a stalled inbox          p2p_dropped_messages_total
//	                                   (queue "<protocol> inbox")
//	p2p/tlsconn HostConfig.Observer  the same for the permissioned Host,      as p2p/server
//	                                   commands from the protocols' tables
//	p2p/tlsconn Config.Observer      refusals, with tlsconn.Reason labels     p2p_handshake_failures_total
//	                                 skipped commands ("unknown command"),    p2p_dropped_messages_total
//	                                   pings left unanswered ("tls pong")
//	p2p/btcpeer Config.Observer      messages by command (protocol "chain")   p2p_messages_*, p2p_bytes_*
//	                                 data refused by the full send queue      p2p_dropped_messages_total
//	                                   ("btcpeer send")
//	p2p/plain Config.Observer        skipped commands ("unknown command")     p2p_dropped_messages_total
//	p2p/addrmgr BanConfig.Observer   bans, by kind of reason                  p2p_bans_total
//
// Sizes are payload bytes. Handshake failures carry no transport label: a
// node runs one transport per network, and the peers series names it.
// Under p2p/server the server reports the TLS transport's handshake
// failures (with tlsconn's reasons), and the transport does not repeat them.
//
// Each message is counted at one layer. Where btcpeer runs over a
// multiplexer that reports messages (p2p/server, the tlsconn Host), give
// it ObserverWithoutMessages(m), which keeps its drops; btcpeer over
// p2p/plain (the Bitcoin-compatible node) takes Observer(m). A protocol
// wrapper that counts messages itself is then redundant.
//
// The rest comes from the node's own sources: chain store events give
// BlocksConnected and SetSync (rate(ledgernet_sync_blocks_total[1m]) is the
// sync rate), the mempool SetMempool, and the discovery table's length,
// polled, SetDiscoveryTable. netsync needs no observer.
//
// In the node:
//
//	reg := metrics.NewRegistry() // with the Go runtime and process collectors
//	m, err := metrics.New(reg)
//	obs := metrics.Observer(m)
//
//	// devnet (RLPx): the server, with command tables for the mux
//	serverCfg.Observer = obs
//	chainProto.Commands = btcpeer.Commands() // status.Commands, topic.Commands likewise
//	// permissioned (TLS): the Host; tlsconn.ServerProtocol fills Commands
//	hostCfg.Observer = obs
//	// chain peers over either: the mux counts their messages
//	peerCfg.Observer = metrics.ObserverWithoutMessages(m)
//
//	// Bitcoin-compatible node: plain transport, btcpeer counts messages
//	plainCfg.Observer = obs
//	btcPeerCfg.Observer = obs
//	banCfg.Observer = obs
//
//	// API server: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}) at /metrics
package metrics
