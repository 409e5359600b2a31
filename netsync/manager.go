package netsync

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/mempool"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/wire"
)

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("netsync: closed")

// inboxSize bounds the events waiting for the loop. When it is full the
// peers' handler goroutines wait, so their inboxes fill and they stop
// reading: the sockets hold the peers back.
const inboxSize = 256

// drainMax is how many queued events the loop handles before it plans
// requests again, so that a burst of blocks becomes one getdata.
const drainMax = 64

// Manager is the sync manager: one goroutine (the loop) owns all sync
// state; peers' handler goroutines talk to it over a bounded channel and
// serve requests (getheaders, getdata ...) themselves from the chain state.
type Manager struct {
	cfg   Config
	chain Chain
	pool  TxPool
	log   *slog.Logger
	clock p2p.Clock

	inbox   chan event
	tipCh   chan struct{} // store events, coalesced
	procIn  chan []*wire.MsgBlock
	procOut chan error
	quit    chan struct{}
	wg      sync.WaitGroup
	unsub   func()

	started, closed atomic.Bool
	stats           counters
}

// eventKind says what an event carries.
type eventKind uint8

const (
	evAddPeer eventKind = iota + 1
	evRemovePeer
	evMsg         // headers, inv, notfound, mempool
	evBlock       // a block, with its hash
	evTx          // a transaction accepted or refused by the pool
	evQuery       // run fn on the loop
	evSentHeaders // we answered p's getheaders up to hash
	evServedBlock // we sent p the block hash it asked for
)

type event struct {
	kind     eventKind
	peer     *btcpeer.Peer
	msg      wire.Message
	block    *wire.MsgBlock
	hash     wire.Hash
	size     int
	accepted bool
	orphan   bool // refused for unknown inputs: may be fetched again
	fn       func(*loopState)
}

// New returns a manager; Start runs it.
func New(cfg Config) (*Manager, error) {
	if cfg.Chain == nil {
		return nil, errors.New("netsync: Config.Chain is required")
	}
	cfg = cfg.withDefaults()
	m := &Manager{
		cfg:     cfg,
		chain:   cfg.Chain,
		pool:    cfg.Pool,
		log:     cfg.Logger,
		clock:   cfg.Clock,
		inbox:   make(chan event, inboxSize),
		tipCh:   make(chan struct{}, 1),
		procIn:  make(chan []*wire.MsgBlock, 1),
		procOut: make(chan error),
		quit:    make(chan struct{}),
	}
	return m, nil
}

// Start starts the loop and the block processor.
func (m *Manager) Start() {
	if !m.started.CompareAndSwap(false, true) {
		return
	}
	m.unsub = m.chain.Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventTipChanged {
			select {
			case m.tipCh <- struct{}{}:
			default: // one pending signal is enough
			}
		}
	})
	s := newLoopState(m)
	m.wg.Go(func() { m.loop(s) })
	m.wg.Go(m.processor)
}

// Close stops the manager and waits for its goroutines. Peers are not
// disconnected: that is the node's business.
func (m *Manager) Close() {
	if !m.closed.CompareAndSwap(false, true) {
		return
	}
	close(m.quit)
	m.wg.Wait()
	if m.unsub != nil {
		m.unsub()
	}
}

// send hands an event to the loop, waiting while the inbox is full. It
// gives up when the manager closes or, if p is set, when p disconnects.
func (m *Manager) send(ev event, p *btcpeer.Peer) bool {
	var closing <-chan struct{}
	if p != nil {
		closing = p.Closing()
	}
	select {
	case m.inbox <- ev:
		return true
	case <-m.quit:
		return false
	case <-closing:
		return false
	}
}

// AddPeer starts syncing with p, whose handshake has completed.
func (m *Manager) AddPeer(p *btcpeer.Peer) { m.send(event{kind: evAddPeer, peer: p}, nil) }

// RemovePeer forgets p after it disconnected; its requests go to others.
func (m *Manager) RemovePeer(p *btcpeer.Peer) { m.send(event{kind: evRemovePeer, peer: p}, nil) }

// noteSentHeaders tells the loop the last header p now has from us.
func (m *Manager) noteSentHeaders(p *btcpeer.Peer, hs []wire.BlockHeader) {
	if len(hs) > 0 {
		m.send(event{kind: evSentHeaders, peer: p, hash: hs[len(hs)-1].BlockHash()}, p)
	}
}

// HandleMessage takes a message of p (btcpeer's Handler: call it from
// OnMessage). Requests are served on the calling goroutine; everything that
// touches sync state goes to the loop, waiting while its inbox is full.
func (m *Manager) HandleMessage(p *btcpeer.Peer, msg wire.Message) {
	switch msg := msg.(type) {
	case *wire.MsgGetHeaders:
		m.serveGetHeaders(p, msg)
	case *wire.MsgGetBlocks:
		m.serveGetBlocks(p, msg)
	case *wire.MsgGetData:
		m.serveGetData(p, msg)
	case *wire.MsgBlock:
		// Hashed here, on the peer's goroutine, not on the loop.
		m.send(event{kind: evBlock, peer: p, block: msg, hash: msg.BlockHash(), size: msg.SerializeSize(wire.WitnessEncoding)}, p)
	case *wire.MsgTx:
		m.onTx(p, msg)
	case *wire.MsgHeaders, *wire.MsgInv, *wire.MsgNotFound, *wire.MsgMemPool:
		m.send(event{kind: evMsg, peer: p, msg: msg}, p)
	}
}

// onTx offers a relayed transaction to the pool on the peer's goroutine
// (signature checks are slow) and tells the loop the outcome.
func (m *Manager) onTx(p *btcpeer.Peer, tx *wire.MsgTx) {
	if m.pool == nil {
		return
	}
	hash := tx.TxHash()
	_, err := m.pool.Accept(tx)
	if err == nil {
		m.stats.txAccepted.Add(1)
	} else {
		m.stats.txRejected.Add(1)
		m.log.Debug("transaction refused", "peer", p.Addr(), "tx", hash, "err", err)
	}
	m.send(event{kind: evTx, peer: p, hash: hash, accepted: err == nil, orphan: errors.Is(err, mempool.ErrMissingInputs)}, p)
}

// SubmitTx offers a local transaction to the pool and, once accepted,
// announces it to peers (after their random trickle delays).
func (m *Manager) SubmitTx(tx *wire.MsgTx) error {
	if m.pool == nil {
		return errors.New("netsync: no transaction pool")
	}
	if _, err := m.pool.Accept(tx); err != nil {
		return err
	}
	m.stats.txAccepted.Add(1)
	if !m.send(event{kind: evTx, hash: tx.TxHash(), accepted: true}, nil) {
		return ErrClosed
	}
	return nil
}

// query runs fn on the loop and waits for it.
func (m *Manager) query(fn func(*loopState)) bool {
	done := make(chan struct{})
	if !m.send(event{kind: evQuery, fn: func(s *loopState) { fn(s); close(done) }}, nil) {
		return false
	}
	select {
	case <-done:
		return true
	case <-m.quit:
		return false
	}
}

// processor hands batches of blocks to the chain state, one at a time, so
// that downloading goes on while blocks are validated and written.
func (m *Manager) processor() {
	for {
		select {
		case blocks := <-m.procIn:
			err := m.chain.ProcessBlocks(blocks)
			select {
			case m.procOut <- err:
			case <-m.quit:
				return
			}
		case <-m.quit:
			return
		}
	}
}

// isLoopback reports whether addr ("host:port") is a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

func (m *Manager) timer(d time.Duration) p2p.Timer { return m.clock.NewTimer(max(d, 0)) }
