package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/metrics"
	"github.com/ledgernet/ledgernet/miner"
	"github.com/ledgernet/ledgernet/nat"
	"github.com/ledgernet/ledgernet/netsync"
	"github.com/ledgernet/ledgernet/node/btcnode"
	"github.com/ledgernet/ledgernet/p2p/addrmgr"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/status"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
	"github.com/ledgernet/ledgernet/p2p/topic"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
	"github.com/prometheus/client_golang/prometheus"
)

// Errors of the node's life cycle.
var (
	ErrStarted    = errors.New("node: already started")
	ErrNotStarted = errors.New("node: not started")
	ErrStopped    = errors.New("node: stopped")
)

// Options are what a node takes besides its configuration: the logger and
// the knobs that programs embedding nodes (the devnet, tests) need. The
// zero value means defaults.
type Options struct {
	// Logger receives every component's logs, each logger with a
	// "component" attribute (node, chain, sync, peer, p2p, discover,
	// miner, mempool, status, topic, api); nil discards them.
	Logger *slog.Logger

	// NodeKey, if set, is the node key instead of DATADIR/nodekey's
	// (which is written with it when missing). WalletKey (32 bytes) does
	// the same for DATADIR/wallet.key. A devnet run with --seed derives
	// both from the seed.
	NodeKey   *secp256k1.PrivateKey
	WalletKey []byte

	// APIStreams caps the API's topic streams and the bytes their slow
	// readers can hold (zero fields: the defaults, DefaultAPIStreams...).
	APIStreams APIStreamLimits

	// Pacing paces the miner (see miner.Config.MinInterval).
	Pacing Pacing

	// NoSync skips fsync in the chain state: for throwaway data
	// directories (tests, temporary devnets) only.
	NoSync bool

	// Discovery tunes discv4 (timings, limits); PrivateKey, DB, Bootnodes,
	// Network and Log are set by the node.
	Discovery discover.Config
	// Server tunes the p2p server (timeouts, queues, dial scheduler);
	// PrivateKey, Listener, MaxPeers, NetRestrict, Protocols, StaticNodes,
	// BootstrapNodes, Discovery, LocalNode and Logger are set by the node.
	Server server.Config
	// Peer tunes every chain protocol peer (timeouts, queues); Handler,
	// Nonces, BestHeight, Services, NoStallDetection and Logger are set by
	// the node.
	Peer btcpeer.Config
	// Sync tunes the sync manager; Chain, Pool and Logger are set by the
	// node.
	Sync netsync.Config
	// TLS tunes the permissioned profile's transport (heartbeat,
	// timeouts); its certificates, protocols and version contents are set
	// by the node.
	TLS tlsconn.Config

	// Network, if set, answers the API's network view (the dashboard's
	// graph) instead of the node's own view: a devnet knows every node
	// of its run.
	Network func(ctx context.Context) (api.NetworkInfo, error)
}

// Pacing paces a node's miner on the real clock: a block on a tip only
// once the tip is MinInterval (plus up to Jitter) old, except below
// height From. See miner.Config.
type Pacing struct {
	MinInterval time.Duration
	Jitter      time.Duration
	From        int32
}

// Node is one ledgernet node. See the package documentation.
type Node struct {
	cfg    *config.Config
	opts   Options
	log    *slog.Logger
	base   *slog.Logger
	params *chain.Params

	// Set by Start, read-only afterwards (until Stop).
	key     *secp256k1.PrivateKey
	wallet  *wallet.Wallet
	store   *store.Store
	pool    *mempool.Pool
	sync    *netsync.Manager
	miner   *miner.Miner
	peerCfg btcpeer.Config
	unsubs  []func()

	status *status.Service
	topic  *topic.Service
	subs   sync.WaitGroup           // goroutines draining topic subscriptions
	static map[enode.ID]*enode.Node // devnet peers added through the API; guarded by mu
	// extraPeers are permissioned peers added through the API; guarded by mu.
	extraPeers []peerlist.Peer
	apiDropped atomic.Uint64
	apiSubs    *apiSubs         // the API's topic streams (devnet, permissioned)
	bans       *addrmgr.BanList // the operator's bans (devnet, permissioned)

	registry *prometheus.Registry
	metrics  *metrics.Metrics
	api      *api.Server

	// devnet
	srv     *server.Server
	disc    *discover.UDPv4
	nodeDB  *nodedb.DB
	local   *enode.LocalNode
	mappers []*nat.Mapper
	// permissioned
	host *tlsconn.Host
	// Bitcoin profiles
	btc *btcnode.Node

	chainPeers chainPeers

	ctx    context.Context // cancelled by Stop: peers' lifetime
	cancel context.CancelFunc

	mu      sync.Mutex // guards started and stopped
	started bool
	stopped bool
}

// New checks cfg and returns a node that has not started. cfg is used as
// it is (it must have passed config.Validate, as New checks again) and must
// not be changed afterwards.
func New(cfg *config.Config, opts Options) (*Node, error) {
	if cfg == nil {
		return nil, errors.New("node: nil config")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	params, err := config.ChainParams(cfg.Profile)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Profile == config.ProfileDevnet && cfg.Transport != config.TransportRLPx:
		return nil, fmt.Errorf("%w: the devnet profile runs on rlpx, not %s", config.ErrInvalid, cfg.Transport)
	case cfg.Profile == config.ProfilePermissioned && cfg.Transport != config.TransportTLS:
		return nil, fmt.Errorf("%w: the permissioned profile runs on tls, not %s", config.ErrInvalid, cfg.Transport)
	case isBitcoin(cfg.Profile) && cfg.Transport != config.TransportPlain:
		return nil, fmt.Errorf("%w: the %s profile runs on plain TCP, not %s", config.ErrInvalid, cfg.Profile, cfg.Transport)
	}
	base := opts.Logger
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, opts: opts, base: base, log: base.With("component", "node"), params: params}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	return n, nil
}

func isBitcoin(profile string) bool {
	switch profile {
	case config.ProfileBitcoin, config.ProfileTestnet3, config.ProfileTestnet4, config.ProfileSignet, config.ProfileRegtest:
		return true
	}
	return false
}

// logger returns the logger of a component.
func (n *Node) logger(component string) *slog.Logger { return n.base.With("component", component) }

// Config returns the node's configuration.
func (n *Node) Config() *config.Config { return n.cfg }

// Params returns the node's chain parameters.
func (n *Node) Params() *chain.Params { return n.params }

// Start opens the data directory and starts every component. ctx bounds
// the start only; the node runs until Stop. On error everything started is
// stopped again.
func (n *Node) Start(ctx context.Context) (err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.stopped:
		return ErrStopped
	case n.started:
		return ErrStarted
	}
	defer func() {
		if err != nil {
			n.shutdown()
		}
	}()
	if err := os.MkdirAll(n.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := n.newMetrics(); err != nil {
		return err
	}
	if isBitcoin(n.cfg.Profile) {
		err = n.startBitcoin()
	} else {
		err = n.startLedger(ctx)
	}
	if err != nil {
		return err
	}
	n.followChainMetrics()
	if n.cfg.Mine {
		if err := n.startMiner(); err != nil {
			return err
		}
	}
	if err := n.startAPI(); err != nil {
		return err
	}
	n.started = true
	n.log.Info("Node started", "profile", n.cfg.Profile, "id", n.logID(), "datadir", n.cfg.DataDir,
		"height", n.store.Tip().Height, "mine", n.cfg.Mine)
	return nil
}

// startLedger starts a devnet or permissioned node: the chain state with
// its coin set, the mempool, the wallet, the sync manager and the network.
func (n *Node) startLedger(ctx context.Context) error {
	dir := n.cfg.DataDir
	var err error
	if n.cfg.Profile == config.ProfileDevnet {
		if n.key, err = loadNodeKey(dir, n.opts.NodeKey); err != nil {
			return fmt.Errorf("node: %w", err)
		}
	}
	if n.wallet, err = loadWallet(dir, n.params, n.opts.WalletKey); err != nil {
		return err
	}
	if err := n.openBans(); err != nil {
		return err
	}
	n.store, err = store.Open(filepath.Join(dir, ChainFile), n.params, store.Config{
		Logger: n.logger("chain"), NoSync: n.opts.NoSync,
	})
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	var txs netsync.TxPool
	if n.store.KeepsCoins() {
		n.pool, err = mempool.New(mempool.Config{Params: n.params, Chain: n.store, Logger: n.logger("mempool")})
		if err != nil {
			return err
		}
		n.unsubs = append(n.unsubs, n.store.Subscribe(n.pool.HandleEvent))
		txs = n.pool
	}
	sc := n.opts.Sync
	sc.Chain, sc.Pool, sc.Logger = n.store, txs, n.logger("sync")
	if sc.Local == nil {
		sc.Local = n.isLocal
	}
	if n.sync, err = netsync.New(sc); err != nil {
		return err
	}
	n.sync.Start()

	pc := n.opts.Peer
	pc.Services = wire.SFNodeNetwork
	if pc.UserAgent == "" {
		pc.UserAgent = version.UserAgent()
	}
	pc.Nonces = btcpeer.NewNonceSet(0)
	pc.BestHeight = func() int32 { return n.store.Tip().Height }
	pc.NoStallDetection = true
	pc.Logger = n.logger("peer")
	n.peerCfg = pc

	if err := n.startMessaging(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	switch n.cfg.Profile {
	case config.ProfileDevnet:
		return n.startRLPx()
	case config.ProfilePermissioned:
		return n.startTLS()
	}
	return fmt.Errorf("%w: %q", config.ErrUnknownProfile, n.cfg.Profile)
}

// isLocal reports peers that get deep download pipelines: loopback and
// whitelisted addresses.
func (n *Node) isLocal(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return false
	}
	return ap.Addr().Unmap().IsLoopback() || n.whitelisted(ap.Addr())
}

// whitelisted reports whether ip is inside the configured whitelist (whose
// CIDRs Config.Validate checked).
func (n *Node) whitelisted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, s := range n.cfg.Whitelist {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(ip) {
			return true
		}
	}
	return false
}

func (n *Node) startMiner() error {
	if n.wallet == nil {
		// Bitcoin regtest: no wallet file of ours; pay to a fresh key.
		w, err := loadWallet(n.cfg.DataDir, n.params, n.opts.WalletKey)
		if err != nil {
			return err
		}
		n.wallet = w
	}
	mc := miner.Config{
		Chain:       n.store,
		PayTo:       n.wallet.PkScript(),
		Text:        []byte("ledgernet"),
		Logger:      n.logger("miner"),
		MinInterval: n.opts.Pacing.MinInterval,
		Jitter:      n.opts.Pacing.Jitter,
		PaceFrom:    n.opts.Pacing.From,
	}
	if n.pool != nil {
		mc.Txs = n.pool
	}
	m, err := miner.New(mc)
	if err != nil {
		return err
	}
	if err := m.Start(); err != nil {
		return err
	}
	n.miner = m
	return nil
}

// Stop stops the node gracefully: mining, then dialling, then every peer
// (each told why), discovery, the sync manager, and last the chain state.
// It returns when every goroutine has ended. Calling it again, or on a node
// that never started, is harmless.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		return nil
	}
	err := n.shutdown()
	if n.started {
		n.log.Info("Node stopped", "id", n.logID())
	}
	return err
}

// shutdown stops whatever is running; n.mu is held.
func (n *Node) shutdown() error {
	n.stopped = true
	n.stopAPI()
	if n.miner != nil {
		n.miner.Stop()
	}
	for _, m := range n.mappers {
		m.Stop()
	}
	if n.srv != nil {
		n.srv.Stop()
	}
	if n.host != nil {
		n.host.Close()
	}
	n.cancel()
	if n.topic != nil {
		n.topic.Close() // closes the subscriptions: their goroutines end
	}
	n.subs.Wait()
	if n.status != nil {
		n.status.Close()
	}
	if n.disc != nil {
		n.disc.Close()
	}
	var errs []error
	if n.nodeDB != nil {
		errs = append(errs, n.nodeDB.Close())
	}
	for _, u := range n.unsubs {
		u()
	}
	if n.btc != nil {
		errs = append(errs, n.btc.Stop())
		return errors.Join(errs...)
	}
	if n.sync != nil {
		n.sync.Close()
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	return errors.Join(errs...)
}

// logID is the node ID for logs: "" on the Bitcoin profiles, which have
// none.
func (n *Node) logID() string {
	if id := n.ID(); id != (enode.ID{}) {
		return id.TerminalString()
	}
	return ""
}

// ID returns the node's ID: from the node key (devnet), the certificate
// (permissioned); zero on the Bitcoin profiles, which have no identity.
func (n *Node) ID() enode.ID {
	switch {
	case n.key != nil:
		return enode.PubkeyToID(n.key.PubKey())
	case n.host != nil:
		return n.host.ID()
	}
	return enode.ID{}
}

// Self returns the node's record (devnet), nil otherwise or before Start.
func (n *Node) Self() *enode.Node {
	if n.local == nil {
		return nil
	}
	return n.local.Node()
}

// ListenAddr returns the TCP address peers reach the node on, nil if none.
func (n *Node) ListenAddr() net.Addr {
	switch {
	case n.srv != nil:
		return n.srv.ListenAddr()
	case n.host != nil:
		return n.host.Addr()
	case n.btc != nil:
		return n.btc.ListenAddr()
	}
	return nil
}

// Store returns the chain state (between Start and Stop).
func (n *Node) Store() *store.Store { return n.store }

// Pool returns the mempool, nil on networks without a coin set.
func (n *Node) Pool() *mempool.Pool { return n.pool }

// Wallet returns the node's wallet, nil on the Bitcoin profiles unless
// the node mines.
func (n *Node) Wallet() *wallet.Wallet { return n.wallet }

// Miner returns the miner, nil when the node does not mine.
func (n *Node) Miner() *miner.Miner { return n.miner }

// Sync returns the sync manager.
func (n *Node) Sync() *netsync.Manager { return n.sync }

// SubmitMsgTx offers a transaction to the mempool and relays it.
func (n *Node) SubmitMsgTx(tx *wire.MsgTx) error {
	if n.sync == nil {
		return ErrNotStarted
	}
	return n.sync.SubmitTx(tx)
}

// DialStats returns the counters of the node's dial scheduler (dials,
// refusals by netrestrict, bans and slots) on the Bitcoin and permissioned
// profiles; false on devnet, whose server counts them in its own Stats.
func (n *Node) DialStats() (dial.Stats, bool) {
	switch {
	case n.btc != nil:
		return n.btc.DialStats(), true
	case n.host != nil:
		return n.host.Stats().Dial, true
	}
	return dial.Stats{}, false
}

// PeerCount returns the number of chain protocol peers.
func (n *Node) PeerCount() int {
	if n.btc != nil {
		return len(n.btc.Peers())
	}
	n.chainPeers.mu.Lock()
	defer n.chainPeers.mu.Unlock()
	return len(n.chainPeers.m)
}

// parseNodes parses enode URLs or records.
func parseNodes(what string, ss []string) ([]*enode.Node, error) {
	var out []*enode.Node
	for _, s := range ss {
		if s == "" {
			continue
		}
		nd, err := enode.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q: %v", config.ErrInvalid, what, s, err)
		}
		if slices.ContainsFunc(out, func(o *enode.Node) bool { return o.ID() == nd.ID() }) {
			continue
		}
		out = append(out, nd)
	}
	return out, nil
}
