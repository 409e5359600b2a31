package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/internal/boltfile"
	"github.com/ledgernet/ledgernet/wire"
)

// FileName is the usual name of the database file in a data directory.
const FileName = "chain.db"

// Rules selects how much of a block is validated.
type Rules int

const (
	// RulesAuto picks RulesLedger on devnet, RulesStructural elsewhere.
	RulesAuto Rules = iota
	// RulesLedger keeps a coin set and applies the devnet ledger rules
	// (package ledger) to every connected block.
	RulesLedger
	// RulesStructural checks blocks with chain.CheckBlock only and keeps no
	// coin set. This is how Bitcoin profiles run: ledgernet relays Bitcoin
	// blocks but is not a consensus-validating Bitcoin node.
	RulesStructural
)

// Config configures a Store. The zero value means defaults.
type Config struct {
	// Now is the clock for the header rules' future limit; nil means
	// time.Now.
	Now func() time.Time
	// Logger receives the store's logs; nil discards them.
	Logger *slog.Logger
	// Rules selects the validation; RulesAuto by the network.
	Rules Rules
	// NoSync skips fsync on commit. For tests only: a crash of the machine
	// (not just the process) may then lose or corrupt the database.
	NoSync bool
	// ConnectBatch is how many blocks are connected or disconnected per
	// database transaction while catching up; 0 means 64. Each transaction
	// is atomic whatever its size: a larger batch costs fewer fsyncs and
	// loses more work (never consistency) to a crash.
	ConnectBatch int
	// VerifyWorkers bounds the goroutines that verify a block's signatures;
	// 0 means GOMAXPROCS.
	VerifyWorkers int
	// OpenTimeout is how long Open waits for another process's lock on the
	// file; 0 means 5 s.
	OpenTimeout time.Duration
	// ReadOnly opens an existing database without changing it (no buckets
	// created, stored blocks not connected): for Check. Writing methods
	// fail.
	ReadOnly bool
}

// TipInfo describes a block on the chain.
type TipInfo struct {
	Hash           wire.Hash
	Height         int32
	Header         wire.BlockHeader
	MedianTimePast uint32
	ChainWork      chain.Uint256
}

// tipInfo describes n. mu must be held.
func (s *Store) tipInfo(n *chain.HeaderNode) TipInfo {
	return TipInfo{Hash: n.Hash(), Height: n.Height(), Header: s.hc.Header(n), MedianTimePast: n.MedianTimePast(), ChainWork: n.ChainWork()}
}

// Store is a node's persistent chain state: every known header with its
// status, the blocks, the connected (fully validated) best chain, and on
// ledger networks the coin set with one undo record per connected block. It
// is safe for concurrent use: writers (AddHeaders, ProcessBlock) are
// serialised by an internal lock, and readers of stored data (coins,
// blocks) read a consistent database snapshot without waiting for them.
type Store struct {
	db     *bolt.DB
	params *chain.Params
	log    *slog.Logger
	now    func() time.Time
	ledger bool
	batch  int
	verify int

	// hookBeforeCommit, when set by a test, runs at the end of each
	// connect/disconnect transaction; an error aborts (rolls back) it, as a
	// crash before the commit would.
	hookBeforeCommit func() error

	// tip mirrors the connected tip for lock-free readers; it is written
	// only with mu held, after the database commit that moved the tip.
	tip atomic.Pointer[TipInfo]

	// mu guards the in-memory index and everything derived from it: hc
	// (and the status of its nodes), active, linked, unlinked, candidates,
	// candSeq, leaves, invalid, cache, events and closed. Database writes happen
	// with mu held, so they are serialised too. No bbolt read transaction
	// is ever open while waiting for mu (a writer holding mu may need
	// bbolt to remap, which waits for readers).
	mu sync.Mutex
	hc *chain.HeaderChain
	// active is the connected chain: active[h] is the hash of the block at
	// height h, the last one the tip's. Hashes, not node pointers: the
	// header index is kept pointer-free so that the garbage collector need
	// not scan it, and these two may hold a million entries.
	active []wire.Hash
	// tipN is the node of the last entry of active.
	tipN *chain.HeaderNode
	// linked holds every block stored with all its ancestors.
	linked map[wire.Hash]struct{}
	// unlinked holds stored blocks whose parent is not linked, by parent.
	unlinked map[wire.Hash][]*chain.HeaderNode
	// candidates holds linked, not-invalid blocks with more work than the
	// tip (pruned lazily), each with its arrival order for ties.
	candidates map[*chain.HeaderNode]uint64
	candSeq    uint64
	// leaves holds the headers without children.
	leaves map[*chain.HeaderNode]struct{}
	// invalid holds every block marked invalid.
	invalid map[*chain.HeaderNode]struct{}
	// cache holds blocks received by the current ProcessBlocks call.
	cache  map[wire.Hash]*wire.MsgBlock
	events []Event
	closed bool

	// ticket numbers event batches in commit order; guarded by mu.
	ticket uint64
	// notifyMu guards served: the batches delivered so far. A batch waits
	// (without holding mu) until the ones before it are delivered, so that
	// subscribers see events in commit order.
	notifyMu   sync.Mutex
	notifyCond *sync.Cond
	served     uint64
	// subsMu guards subs and nextSub.
	subsMu  sync.Mutex
	subs    map[int]func(Event)
	nextSub int
}

// Open opens (creating if needed) the chain state in the database file at
// path for network p, rebuilds the header index from it, and connects any
// stored blocks that a crash left unconnected.
func Open(path string, p *chain.Params, cfg Config) (*Store, error) {
	s := &Store{
		params:     p,
		log:        cfg.Logger,
		now:        cfg.Now,
		batch:      cfg.ConnectBatch,
		verify:     cfg.VerifyWorkers,
		linked:     make(map[wire.Hash]struct{}),
		unlinked:   make(map[wire.Hash][]*chain.HeaderNode),
		candidates: make(map[*chain.HeaderNode]uint64),
		leaves:     make(map[*chain.HeaderNode]struct{}),
		invalid:    make(map[*chain.HeaderNode]struct{}),
		subs:       make(map[int]func(Event)),
	}
	s.notifyCond = sync.NewCond(&s.notifyMu)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.batch <= 0 {
		s.batch = 64
	}
	if s.verify <= 0 {
		s.verify = runtime.GOMAXPROCS(0)
	}
	switch cfg.Rules {
	case RulesLedger:
		s.ledger = true
	case RulesAuto:
		s.ledger = p.Name == "devnet"
	}
	timeout := cfg.OpenTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	// boltfile checks the file before mapping it and turns a fault or a
	// bbolt panic while opening and loading it into an error that names it.
	db, err := boltfile.Open(path, &bolt.Options{Timeout: timeout, NoSync: cfg.NoSync, FreelistType: bolt.FreelistMapType, ReadOnly: cfg.ReadOnly},
		func(db *bolt.DB) error {
			s.db = db
			if !cfg.ReadOnly {
				if err := initDB(db, p); err != nil {
					return fmt.Errorf("store: %s: %w", path, err)
				}
			}
			if err := s.load(); err != nil {
				return fmt.Errorf("store: load %s: %w", path, err)
			}
			return nil
		})
	if err != nil {
		if errors.Is(err, boltfile.ErrDamaged) || errors.Is(err, ErrCorrupt) {
			return nil, fmt.Errorf("store: %w (run `ledgernet db check --datadir DIR` for details; restore a backup, or move the file away to sync again from peers)", err)
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	if cfg.ReadOnly {
		return s, nil
	}
	// Resume: blocks stored before a crash but not yet connected.
	s.mu.Lock()
	err = s.activate()
	s.deliverAndUnlock()
	if err != nil && !isBlockError(err) {
		db.Close()
		return nil, fmt.Errorf("store: resume %s: %w", path, err)
	}
	t := s.Tip()
	s.log.Info("chain state opened", "network", p.Name, "tip", t.Hash, "height", t.Height,
		"headers", s.HeaderCount(), "ledger", s.ledger)
	return s, nil
}

func isBlockError(err error) bool {
	var be *BlockError
	return errors.As(err, &be)
}

// load rebuilds the in-memory index from the headers bucket.
func (s *Store) load() error {
	hc, err := chain.NewHeaderChain(s.params, chain.HeaderChainConfig{Now: s.now})
	if err != nil {
		return err
	}
	s.hc = hc
	var tipHash wire.Hash
	skipped := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		t, err := decodeTip(tx.Bucket(bucketMeta).Get(keyTip))
		if err != nil {
			return err
		}
		tipHash = t.Hash
		c := tx.Bucket(bucketHeaders).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != headerKeySize || len(v) != headerValueSize {
				return fmt.Errorf("%w: header record %x", ErrCorrupt, k)
			}
			var h wire.BlockHeader
			_ = h.DecodeBlockHeader(v) // 81 bytes
			status := chain.HeaderStatus(v[wire.BlockHeaderSize])
			var n *chain.HeaderNode
			if binary.BigEndian.Uint32(k) == 0 {
				if n = hc.Root(); n.Hash() != wire.Hash(k[4:]) {
					return fmt.Errorf("%w: genesis %x stored, want %s", ErrCorrupt, k[4:], n.Hash())
				}
			} else {
				var err error
				if n, err = hc.AddHeader(&h); err != nil {
					// A header stored under other rules (or whose parent
					// was skipped): drop it, it can be fetched again.
					skipped++
					continue
				}
			}
			if n.Hash() != wire.Hash(k[4:]) {
				return fmt.Errorf("%w: header %x stored under key %x", ErrCorrupt, n.Hash(), k)
			}
			hc.SetStatus(n, status)
			if status&chain.StatusBlockInvalid != 0 {
				s.invalid[n] = struct{}{}
			}
			s.noteHeader(n)
			if status&chain.StatusHaveData != 0 {
				s.noteData(n, false)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if skipped > 0 {
		s.log.Warn("stored headers no longer valid were dropped", "count", skipped)
	}
	tip := hc.Node(tipHash)
	if tip == nil {
		return fmt.Errorf("%w: tip %s not in the header index", ErrCorrupt, tipHash)
	}
	s.active = make([]wire.Hash, tip.Height()+1)
	for n := tip; n != nil; n = s.hc.Parent(n) {
		s.active[n.Height()] = n.Hash()
	}
	s.setTip(tip)
	for h := range s.linked {
		s.addCandidate(hc.Node(h))
	}
	return nil
}

// Close closes the database. Nothing may be called after Close.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

// Params returns the network's parameters.
func (s *Store) Params() *chain.Params { return s.params }

// KeepsCoins reports whether the store keeps a coin set (RulesLedger).
func (s *Store) KeepsCoins() bool { return s.ledger }

// Tip returns the connected tip: the end of the best fully validated chain.
func (s *Store) Tip() TipInfo { return *s.tip.Load() }

// setTip moves the connected tip in memory. mu must be held.
func (s *Store) setTip(n *chain.HeaderNode) {
	s.tipN = n
	t := s.tipInfo(n)
	s.tip.Store(&t)
}

// tipNode returns the connected tip's node. mu must be held.
func (s *Store) tipNode() *chain.HeaderNode { return s.tipN }

// onActive reports whether n is on the connected chain. mu must be held.
func (s *Store) onActive(n *chain.HeaderNode) bool {
	h := int(n.Height())
	return h < len(s.active) && s.active[h] == n.Hash()
}

// HeaderCount returns the number of headers in the index, on every branch.
func (s *Store) HeaderCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hc.Len()
}
