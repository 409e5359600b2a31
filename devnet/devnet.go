package devnet

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/node"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

// Defaults of Config.
const (
	DefaultNodes     = 8
	DefaultMiners    = 1
	DefaultTxRate    = 2.0
	DefaultMsgRate   = 2.0
	DefaultBlockTime = time.Second
	DefaultSettle    = 30 * time.Second
	DefaultAPI       = "127.0.0.1:8645"
	// statusInterval is the nodes' status announcement period: short, so
	// that a fresh network knows its topics within seconds.
	statusInterval = time.Second
)

// ErrConfig wraps the errors of a Config that cannot run.
var ErrConfig = errors.New("devnet: bad config")

// Topics the nodes follow: alpha on even nodes, beta on multiples of three.
var Topics = []string{"alpha", "beta"}

// Config configures a run. The zero value of each field means its default.
type Config struct {
	// Nodes is the number of nodes (default 8); Miners how many of them
	// mine (default 1, at most Nodes).
	Nodes, Miners int
	// TxRate and MsgRate are transactions and topic messages per second
	// (defaults 2 and 2; negative: none).
	TxRate, MsgRate float64
	// Duration is how long the network runs before it settles; zero runs
	// until ctx ends.
	Duration time.Duration
	// BlockTime is the pace of the miners (default 1 s).
	BlockTime time.Duration
	// Settle bounds the wait for the tips to agree at the end (default
	// 30 s).
	Settle time.Duration
	// Transport is rlpx (devnet profile, default) or tls (permissioned).
	Transport string
	// Seed, when not zero, makes keys and random choices reproducible.
	// Zero picks a random seed (reported in the Summary).
	Seed uint64
	// DataDir keeps the nodes' data (DataDir/n0, ...); empty means a
	// temporary directory removed at the end.
	DataDir string
	// API is node 0's API and dashboard address; default 127.0.0.1:8645,
	// or an ephemeral port when that one is taken. "off" serves none.
	API string
	// Out receives the live view and the summary; nil discards them. TTY
	// redraws the view in place. Refresh is the view's period (default 1 s
	// on a terminal, 5 s otherwise).
	Out     io.Writer
	TTY     bool
	Refresh time.Duration
	// Logger receives the nodes' logs (each with node=nX); nil discards.
	Logger *slog.Logger
	// NoSync skips fsync in the nodes' chain state (default for temporary
	// directories).
	NoSync bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Nodes == 0 {
		c.Nodes = DefaultNodes
	}
	if c.Miners == 0 {
		c.Miners = DefaultMiners
	}
	if c.Nodes < 1 || c.Miners < 0 || c.Miners > c.Nodes {
		return c, fmt.Errorf("%w: %d nodes with %d miners", ErrConfig, c.Nodes, c.Miners)
	}
	if c.TxRate == 0 {
		c.TxRate = DefaultTxRate
	}
	if c.MsgRate == 0 {
		c.MsgRate = DefaultMsgRate
	}
	if c.BlockTime <= 0 {
		c.BlockTime = DefaultBlockTime
	}
	if c.Settle <= 0 {
		c.Settle = DefaultSettle
	}
	switch c.Transport {
	case "":
		c.Transport = config.TransportRLPx
	case config.TransportRLPx, config.TransportTLS:
	default:
		return c, fmt.Errorf("%w: transport %q (want rlpx or tls)", ErrConfig, c.Transport)
	}
	for c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	if c.API == "" {
		c.API = DefaultAPI
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Refresh <= 0 {
		c.Refresh = 5 * time.Second
		if c.TTY {
			c.Refresh = time.Second
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// member is one node of the run.
type member struct {
	name   string
	n      *node.Node
	topics []string
	miner  bool
	// hadPeer is set once the node had a peer; guarded by run.mu.
	hadPeer bool
}

// run is one devnet run.
type run struct {
	cfg   Config
	dir   string
	start time.Time
	rng   *rand.Rand // random choices; used by the traffic goroutine only

	mu      sync.Mutex // guards members, phase and the counters in stats
	members []*member
	phase   string
	stats   traffic

	// drawn is how many lines the last in-place view took; only the
	// goroutine drawing (the view loop, then Run) touches it.
	drawn int
}

// Run runs a devnet until cfg.Duration has passed or ctx ends, lets it
// settle, and returns the summary. The error is for a run that could not
// start; a network that did not converge is a Summary with Converged
// false.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, phase: "starting", stats: newTraffic()}
	seed := seedBytes(cfg.Seed, "choices")
	r.rng = rand.New(rand.NewChaCha8(seed))

	r.dir = cfg.DataDir
	if r.dir == "" {
		if r.dir, err = os.MkdirTemp("", "ledgernet-devnet-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(r.dir)
		r.cfg.NoSync = true
	}
	defer r.stopAll()
	if err := r.startNodes(ctx); err != nil {
		return nil, err
	}
	r.start = time.Now()
	r.setPhase("running")
	if a := r.members[0].n.APIAddr(); a != "" {
		fmt.Fprintf(cfg.Out, "dashboard: http://%s/\n", a)
	}
	if self := r.members[0].n.Self(); self != nil {
		// Another terminal can join: ledgernet node --bootnodes <this>.
		fmt.Fprintf(cfg.Out, "bootnode:  %s\n", self.URLv4())
	}

	var wg sync.WaitGroup
	// The view and the delivery counters run until the network settled.
	viewCtx, stopView := context.WithCancel(context.Background())
	wg.Go(func() { r.viewLoop(viewCtx) })
	trafficCtx, stopTraffic := context.WithCancel(ctx)
	if cfg.Duration > 0 {
		trafficCtx, stopTraffic = context.WithTimeout(ctx, cfg.Duration)
	}
	generated := r.startTraffic(trafficCtx, viewCtx, &wg)
	<-trafficCtx.Done()
	stopTraffic()
	// A publish in progress when the time ran out still counts; wait for
	// it, so that settling waits for its deliveries too.
	<-generated

	// Settle: no more traffic nor blocks; wait for the tips to agree.
	r.setPhase("settling")
	for _, m := range r.members {
		if m.miner && m.n.Miner() != nil {
			m.n.Miner().Stop()
		}
	}
	r.settle()
	stopView()
	wg.Wait()
	r.setPhase("done")
	r.draw(true)
	s := r.summary()
	s.Write(cfg.Out)
	return s, nil
}

// seedBytes derives a 32-byte seed for one purpose from the run's seed.
func seedBytes(seed uint64, purpose string) [32]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	return sha256.Sum256(append(b[:], purpose...))
}

func (r *run) setPhase(p string) {
	r.mu.Lock()
	r.phase = p
	r.mu.Unlock()
}

// startNodes starts the nodes one after the other: node 0 first (the
// bootnode, with the API), then the others pointing at it (rlpx) or at the
// nodes before them (tls).
func (r *run) startNodes(ctx context.Context) error {
	cfg := r.cfg
	keys := rand.NewChaCha8(seedBytes(cfg.Seed, "keys"))
	var caDir string
	if cfg.Transport == config.TransportTLS {
		caDir = filepath.Join(r.dir, "ca")
		if _, err := certs.LoadAuthority(caDir); err != nil {
			if _, err := certs.CreateCA(caDir, certs.Options{Name: "ledgernet devnet CA"}); err != nil {
				return fmt.Errorf("devnet: CA: %w", err)
			}
		}
	}
	params, _ := config.ChainParams(config.ProfileDevnet)
	for i := range cfg.Nodes {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := fmt.Sprintf("n%d", i)
		profile := config.ProfileDevnet
		if cfg.Transport == config.TransportTLS {
			profile = config.ProfilePermissioned
		}
		nc, err := config.Defaults(profile)
		if err != nil {
			return err
		}
		nc.DataDir = filepath.Join(r.dir, name)
		nc.Listen = "127.0.0.1:0"
		nc.API = ""
		nc.StatusInterval = config.Duration(statusInterval)
		nc.NetRestrict = []string{"127.0.0.0/8"}
		m := &member{name: name, miner: i < cfg.Miners}
		if i%2 == 0 {
			m.topics = append(m.topics, Topics[0])
		}
		if i%3 == 0 {
			m.topics = append(m.topics, Topics[1])
		}
		nc.Topics = m.topics
		nc.Mine = m.miner
		if i == 0 && cfg.API != "off" {
			nc.API = apiAddr(cfg.API)
		}
		if cfg.Transport == config.TransportTLS {
			nc.Certs = filepath.Join(nc.DataDir, "certs")
			if _, err := certs.LoadNode(nc.Certs); err != nil {
				if _, err := certs.CreateNode(caDir, nc.Certs, certs.Options{}); err != nil {
					return fmt.Errorf("devnet: %s certificate: %w", name, err)
				}
			}
			for _, prev := range r.members {
				nc.Peers = append(nc.Peers, config.Peer{Address: prev.n.ListenAddr().String(), ID: prev.n.ID().String()})
			}
		} else if i > 0 {
			nc.Bootnodes = []string{r.members[0].n.Self().URLv4()}
		}
		opts := node.Options{Logger: cfg.Logger.With("node", name), NoSync: cfg.NoSync}
		nodeKey, err := enode.GenerateKey(keys)
		if err != nil {
			return err
		}
		walletKey, err := wallet.Generate(params, keys)
		if err != nil {
			return err
		}
		if cfg.Transport == config.TransportRLPx {
			opts.NodeKey = nodeKey
		}
		opts.WalletKey = walletKey.KeyBytes()
		if m.miner {
			opts.Pacing = node.Pacing{MinInterval: cfg.BlockTime * 3 / 4, Jitter: cfg.BlockTime / 2}
			if i == 0 {
				opts.Pacing.From = params.CoinbaseMaturity + 5
			}
		}
		if i == 0 {
			opts.Network = r.network
		}
		if err := nc.Validate(); err != nil {
			return err
		}
		n, err := node.New(nc, opts)
		if err != nil {
			return err
		}
		if err := n.Start(ctx); err != nil {
			return fmt.Errorf("devnet: %s: %w", name, err)
		}
		m.n = n
		r.mu.Lock()
		r.members = append(r.members, m)
		r.mu.Unlock()
		if i == 0 {
			r.followConfirmations(n)
		}
	}
	return nil
}

// apiAddr returns addr if it can be bound now, else an ephemeral port on
// its host (a second devnet, or a node, may hold the default one).
func apiAddr(addr string) string {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		return addr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, "0")
}

// stopAll stops every node, all at once.
func (r *run) stopAll() {
	r.mu.Lock()
	ms := r.members
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, m := range ms {
		if m.n != nil {
			wg.Go(func() { m.n.Stop() })
		}
	}
	wg.Wait()
}

// settle waits until every node is on the same tip with a peer, or until
// Config.Settle has passed; then, for up to deliveryWait more, until the
// last topic messages have arrived.
//
// Two miners may have left two tips of equal work, which no node prefers
// over the one it saw first: when the tips still disagree after
// tieBreakAfter, the first miner mines one more block, which every node
// takes.
func (r *run) settle() {
	deadline := time.Now().Add(r.cfg.Settle)
	lastBlock := time.Now()
	for time.Now().Before(deadline) {
		r.notePeers()
		if ok, _ := r.converged(); ok {
			break
		}
		if time.Since(lastBlock) > tieBreakAfter {
			r.breakTie(deadline)
			lastBlock = time.Now()
		}
		time.Sleep(200 * time.Millisecond)
	}
	deadline = time.Now().Add(deliveryWait)
	for time.Now().Before(deadline) && !r.allDelivered() {
		time.Sleep(100 * time.Millisecond)
	}
}

// tieBreakAfter is how long tips may disagree while settling before the
// first miner breaks the tie.
const tieBreakAfter = 3 * time.Second

// breakTie mines one block on the first miner's tip.
func (r *run) breakTie(deadline time.Time) {
	for _, m := range r.members {
		if !m.miner || m.n.Miner() == nil {
			continue
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		if b, err := m.n.Miner().MineBlock(ctx); err == nil {
			r.cfg.Logger.Info("Tie broken while settling", "node", m.name, "block", b.BlockHash())
		}
		return
	}
}

// deliveryWait bounds the wait for topic messages still on their way at
// the end.
const deliveryWait = 3 * time.Second

func (r *run) allDelivered() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.stats.msgs {
		if d.got < len(d.want) {
			return false
		}
	}
	return true
}

// notePeers records which nodes have had a peer.
func (r *run) notePeers() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.members {
		if m.n.PeerCount() > 0 {
			m.hadPeer = true
		}
	}
}

// converged reports whether every node is on the same tip beyond genesis
// and has had a peer, and if not, why.
func (r *run) converged() (bool, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var why []string
	tip := r.members[0].n.Store().Tip()
	if tip.Height < 1 {
		why = append(why, "no block beyond genesis")
	}
	for _, m := range r.members {
		t := m.n.Store().Tip()
		if t.Hash != tip.Hash {
			why = append(why, fmt.Sprintf("%s is at height %d (%s), %s at %d (%s)", m.name, t.Height, short(t.Hash), r.members[0].name, tip.Height, short(tip.Hash)))
		}
		if !m.hadPeer {
			why = append(why, m.name+" never had a peer")
		}
	}
	return len(why) == 0, why
}

func short(h wire.Hash) string { return h.String()[:12] }

// followConfirmations counts the run's transactions in node 0's chain,
// following its reorganisations.
func (r *run) followConfirmations(n *node.Node) {
	n.Store().Subscribe(func(ev store.Event) {
		if ev.Block == nil {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, tx := range ev.Block.Transactions[1:] {
			h := tx.TxHash()
			if _, ours := r.stats.txs[h]; !ours {
				continue
			}
			r.stats.txs[h] = ev.Kind == store.EventBlockConnected
		}
	})
}
