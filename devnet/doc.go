// Package devnet runs a whole local ledgernet network in one process: the
// logic of `ledgernet devnet`.
//
// Run starts Config.Nodes nodes (package node) on 127.0.0.1, each with its
// own keys, data directory (under a temporary directory unless
// Config.DataDir is set) and ephemeral ports. On the rlpx transport (the
// devnet profile) node 0 is the bootnode: the others know only its enode
// URL and find each other through discv4. On tls (the permissioned
// profile) Run makes a CA and a certificate per node in the run's
// directory (package p2p/certs), and each node lists the ones started
// before it as static peers.
//
// Data flows like this while the network runs:
//
//   - The first Config.Miners nodes mine, paced to Config.BlockTime (see
//     node.Pacing). Node 0 mines its first CoinbaseMaturity+5 blocks at full
//     speed so that coinbase outputs can be spent within seconds.
//   - Transactions: Config.TxRate times a second a random node with
//     spendable coins pays another node's wallet; the transaction enters
//     its mempool, is relayed by the sync managers and mined. Node 0's
//     chain events count the confirmations (reorganisations included).
//   - Topic messages: node i follows "alpha" when i is even and "beta" when
//     i is a multiple of three; once every node knows every status record,
//     Config.MsgRate times a second a random node publishes to a random
//     topic. Each subscriber's deliveries are counted per message against
//     the subscribers the message should reach.
//   - A live view (every node's peers, height, tip, mempool and messages
//     in and out) is drawn to Config.Out: redrawn in place with ANSI
//     cursor movement on a terminal, as plain blocks every few seconds
//     otherwise. Node 0 serves the HTTP API and the dashboard, whose
//     network view (the Network option of package node) lists every node
//     of the run and their links.
//
// After Config.Duration (or when the context ends), traffic and mining
// stop and the network settles: Run waits up to Config.Settle for every
// node to reach the same tip. The Summary says whether the network
// converged — every node on the same tip, at least one block beyond
// genesis, every node had at least one peer — with the transactions
// confirmed and the topic messages delivered. Then every node is stopped
// and the temporary directory removed.
//
// Config.Seed makes a run reproducible: node keys, wallet keys and every
// random choice come from it (timing still varies from run to run).
package devnet
