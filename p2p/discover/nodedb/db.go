// Package nodedb is discovery's persistent memory of other nodes: for each
// node ID and IP, when that node last pinged us and last answered our ping
// (the endpoint proof, valid for 24 hours), and how many findnode requests
// in a row it failed; the nodes' records, to seed the table on restart; and
// the sequence number of this node's own record.
//
// Data flows through an in-memory copy. Reads and updates work on maps
// guarded by one mutex, so the discovery hot path (a bond check per
// findnode, a timestamp per ping) never waits for the disk. A goroutine
// owned by the DB writes the changed entries to a bbolt file in one
// transaction every FlushInterval (5 s) and at Close, and deletes entries
// not refreshed within Expiry (24 h), checked every ExpiryInterval (1 h,
// first after one interval so that a node restarted after a long pause can
// still use its old entries as seeds). A crash loses at most the last
// FlushInterval of timestamps, which costs a re-bond and nothing else; the
// record sequence number, which must never go backwards, is written through
// at once.
//
// An empty path gives a memory-only DB, for tests and simulations.
package nodedb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/internal/boltfile"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/ledgernet/ledgernet/rlp"
	bolt "go.etcd.io/bbolt"
)

// Defaults for Config.
const (
	DefaultFlushInterval  = 5 * time.Second
	DefaultExpiry         = 24 * time.Hour
	DefaultExpiryInterval = time.Hour
	// DefaultMaxEntries bounds the (ID, IP) entries kept: anyone can create
	// one by pinging us with a fresh key, so the map must not grow without
	// limit. Honest use is a few thousand.
	DefaultMaxEntries = 100_000
)

// schemaVersion is stored in the file; a file with another version is wiped
// (the data is a cache of the network, cheap to rebuild).
const schemaVersion = 1

var (
	bucketMeta      = []byte("meta")
	bucketEndpoints = []byte("endpoints")
	bucketNodes     = []byte("nodes")
	bucketLocal     = []byte("local")
	keyVersion      = []byte("version")
)

// ErrClosed is returned by operations on a closed DB that need the file.
var ErrClosed = errors.New("nodedb: closed")

// Config tunes a DB. The zero value means the defaults.
type Config struct {
	Clock          dial.Clock // default dial.SystemClock
	FlushInterval  time.Duration
	Expiry         time.Duration
	ExpiryInterval time.Duration
	MaxEntries     int
	Log            *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Clock == nil {
		c.Clock = dial.SystemClock{}
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.Expiry <= 0 {
		c.Expiry = DefaultExpiry
	}
	if c.ExpiryInterval <= 0 {
		c.ExpiryInterval = DefaultExpiryInterval
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = DefaultMaxEntries
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// epKey identifies a node at one IP: bonds are per IP, so that a proof made
// from one address does not open another (devp2p's Amplification/WrongIP).
type epKey struct {
	id enode.ID
	ip [16]byte
}

func makeKey(id enode.ID, ip netip.Addr) epKey {
	return epKey{id: id, ip: ip.Unmap().As16()}
}

// endpointInfo is what we know about a node at one IP.
type endpointInfo struct {
	lastPing  time.Time // last ping received from it
	lastPong  time.Time // last pong received in answer to our ping
	findFails int       // findnode failures in a row
}

func (e endpointInfo) latest() time.Time {
	if e.lastPing.After(e.lastPong) {
		return e.lastPing
	}
	return e.lastPong
}

type nodeEntry struct {
	node    *enode.Node
	updated time.Time
}

// DB is the node database. It is safe for concurrent use.
type DB struct {
	cfg  Config
	bolt *bolt.DB // nil for a memory-only DB

	mu         sync.Mutex // guards the maps below
	eps        map[epKey]endpointInfo
	nodes      map[enode.ID]nodeEntry
	local      map[enode.ID]uint64
	dirtyEps   map[epKey]struct{} // changed or deleted since the last flush
	dirtyNodes map[enode.ID]struct{}

	dropped atomic.Uint64 // updates refused because MaxEntries was reached

	closeOnce sync.Once
	quit      chan struct{}
	done      chan struct{}
	closeErr  error
}

// OpenMemory returns a memory-only DB.
func OpenMemory(cfg Config) *DB {
	db, _ := Open("", cfg) // cannot fail without a file
	return db
}

// Open opens or creates the database file at path, or a memory-only DB if
// path is empty, and starts its flush and expiry goroutine. Close stops it.
func Open(path string, cfg Config) (*DB, error) {
	cfg.setDefaults()
	db := &DB{
		cfg:        cfg,
		eps:        make(map[epKey]endpointInfo),
		nodes:      make(map[enode.ID]nodeEntry),
		local:      make(map[enode.ID]uint64),
		dirtyEps:   make(map[epKey]struct{}),
		dirtyNodes: make(map[enode.ID]struct{}),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	if path != "" {
		b, err := db.open(path)
		if err != nil && !errors.Is(err, boltfile.ErrLocked) {
			// The database is a cache of what discovery learned: a damaged
			// one is moved aside (kept for a look) and started afresh.
			aside := fmt.Sprintf("%s.damaged-%d", path, time.Now().Unix())
			if rerr := os.Rename(path, aside); rerr != nil {
				return nil, fmt.Errorf("nodedb: %w; moving it aside: %v", err, rerr)
			}
			db.cfg.Log.Warn("Node database damaged: moved aside, starting with an empty one", "err", err, "moved_to", aside)
			db.eps, db.nodes, db.local = make(map[epKey]endpointInfo), make(map[enode.ID]nodeEntry), make(map[enode.ID]uint64)
			b, err = db.open(path)
		}
		if err != nil {
			return nil, fmt.Errorf("nodedb: %w", err)
		}
		db.bolt = b
	}
	go db.loop()
	return db, nil
}

// open opens the bbolt file at path and loads it (boltfile turns a damaged
// file into an error, never a crash).
func (db *DB) open(path string) (*bolt.DB, error) {
	return boltfile.Open(path, &bolt.Options{Timeout: time.Second}, func(b *bolt.DB) error {
		db.bolt = b
		if err := db.load(); err != nil {
			db.bolt = nil
			return fmt.Errorf("%w: load %s: %w", boltfile.ErrDamaged, path, err)
		}
		return nil
	})
}

// Close writes pending changes, stops the DB's goroutine and closes the
// file. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.quit)
		<-db.done
		if db.bolt != nil {
			db.closeErr = errors.Join(db.flush(), db.bolt.Close())
		}
	})
	return db.closeErr
}

// Dropped returns how many updates were refused because the DB held
// MaxEntries entries.
func (db *DB) Dropped() uint64 { return db.dropped.Load() }

func (db *DB) loop() {
	defer close(db.done)
	clock := db.cfg.Clock
	flush := clock.NewTimer(db.cfg.FlushInterval)
	expire := clock.NewTimer(db.cfg.ExpiryInterval)
	defer func() { flush.Stop(); expire.Stop() }()
	for {
		select {
		case <-db.quit:
			return
		case <-flush.C():
			if err := db.flush(); err != nil {
				db.cfg.Log.Warn("Node database flush failed", "err", err)
			}
			flush = clock.NewTimer(db.cfg.FlushInterval)
		case <-expire.C():
			db.expire(clock.Now())
			expire = clock.NewTimer(db.cfg.ExpiryInterval)
		}
	}
}

// expire deletes entries not refreshed within Expiry.
func (db *DB) expire(now time.Time) {
	cutoff := now.Add(-db.cfg.Expiry)
	db.mu.Lock()
	defer db.mu.Unlock()
	n := 0
	for k, e := range db.eps {
		if e.latest().Before(cutoff) {
			delete(db.eps, k)
			db.dirtyEps[k] = struct{}{}
			n++
		}
	}
	for id, e := range db.nodes {
		if e.updated.Before(cutoff) && db.eps[makeKey(id, e.node.IP())].lastPong.Before(cutoff) {
			delete(db.nodes, id)
			db.dirtyNodes[id] = struct{}{}
			n++
		}
	}
	if n > 0 {
		db.cfg.Log.Debug("Expired node database entries", "count", n)
	}
}

// LastPingReceived returns when the node last pinged us from ip.
func (db *DB) LastPingReceived(id enode.ID, ip netip.Addr) time.Time {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.eps[makeKey(id, ip)].lastPing
}

// UpdateLastPingReceived records a ping from the node at ip.
func (db *DB) UpdateLastPingReceived(id enode.ID, ip netip.Addr, t time.Time) {
	db.updateEndpoint(id, ip, func(e *endpointInfo) { e.lastPing = t })
}

// LastPongReceived returns when the node last answered our ping from ip:
// the time of its endpoint proof.
func (db *DB) LastPongReceived(id enode.ID, ip netip.Addr) time.Time {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.eps[makeKey(id, ip)].lastPong
}

// UpdateLastPongReceived records a pong from the node at ip that answered
// our ping.
func (db *DB) UpdateLastPongReceived(id enode.ID, ip netip.Addr, t time.Time) {
	db.updateEndpoint(id, ip, func(e *endpointInfo) { e.lastPong = t })
}

// FindFails returns the node's findnode failures in a row at ip.
func (db *DB) FindFails(id enode.ID, ip netip.Addr) int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.eps[makeKey(id, ip)].findFails
}

// UpdateFindFails stores the node's findnode failures in a row at ip.
func (db *DB) UpdateFindFails(id enode.ID, ip netip.Addr, fails int) {
	db.updateEndpoint(id, ip, func(e *endpointInfo) { e.findFails = fails })
}

func (db *DB) updateEndpoint(id enode.ID, ip netip.Addr, f func(*endpointInfo)) {
	k := makeKey(id, ip)
	db.mu.Lock()
	defer db.mu.Unlock()
	e, ok := db.eps[k]
	if !ok && len(db.eps) >= db.cfg.MaxEntries {
		db.dropped.Add(1)
		return
	}
	f(&e)
	db.eps[k] = e
	db.dirtyEps[k] = struct{}{}
}

// Node returns the stored node with the given ID, or nil.
func (db *DB) Node(id enode.ID) *enode.Node {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.nodes[id].node
}

// UpdateNode stores n, replacing any stored node with its ID, and marks it
// as seen now.
func (db *DB) UpdateNode(n *enode.Node) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.nodes[n.ID()]; !ok && len(db.nodes) >= db.cfg.MaxEntries {
		db.dropped.Add(1)
		return
	}
	db.nodes[n.ID()] = nodeEntry{node: n, updated: db.cfg.Clock.Now()}
	db.dirtyNodes[n.ID()] = struct{}{}
}

// DeleteNode removes a node and all its endpoint entries.
func (db *DB) DeleteNode(id enode.ID) {
	db.mu.Lock()
	defer db.mu.Unlock()
	delete(db.nodes, id)
	db.dirtyNodes[id] = struct{}{}
	for k := range db.eps {
		if k.id == id {
			delete(db.eps, k)
			db.dirtyEps[k] = struct{}{}
		}
	}
}

// QuerySeeds returns up to n stored nodes, chosen at random, that answered
// a ping of ours within maxAge: the table's seeds at start.
func (db *DB) QuerySeeds(n int, maxAge time.Duration) []*enode.Node {
	cutoff := db.cfg.Clock.Now().Add(-maxAge)
	db.mu.Lock()
	var cand []*enode.Node
	for id, e := range db.nodes {
		if db.eps[makeKey(id, e.node.IP())].lastPong.After(cutoff) {
			cand = append(cand, e.node)
		}
	}
	db.mu.Unlock()
	rand.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	if len(cand) > n {
		cand = cand[:n]
	}
	return cand
}

// LocalSeq returns the stored sequence number of the local node's record,
// 0 if none.
func (db *DB) LocalSeq(id enode.ID) uint64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.local[id]
}

// StoreLocalSeq stores the sequence number of the local node's record. It
// is written to the file at once: a sequence number reused after a crash
// would make peers reject the new record.
func (db *DB) StoreLocalSeq(id enode.ID, seq uint64) error {
	db.mu.Lock()
	if db.local[id] >= seq {
		db.mu.Unlock()
		return nil
	}
	db.local[id] = seq
	db.mu.Unlock()
	if db.bolt == nil {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLocal).Put(id[:], binary.BigEndian.AppendUint64(nil, seq))
	})
}

// Len returns the number of endpoint entries and of nodes held.
func (db *DB) Len() (endpoints, nodes int) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return len(db.eps), len(db.nodes)
}

// flush writes the entries changed since the last flush in one transaction.
func (db *DB) flush() error {
	if db.bolt == nil {
		return nil
	}
	type epWrite struct {
		k   epKey
		v   []byte // nil: delete
		key []byte
	}
	type nodeWrite struct {
		id enode.ID
		v  []byte // nil: delete
	}
	db.mu.Lock()
	eps := make([]epWrite, 0, len(db.dirtyEps))
	for k := range db.dirtyEps {
		w := epWrite{k: k, key: append(k.id[:len(k.id):len(k.id)], k.ip[:]...)}
		if e, ok := db.eps[k]; ok {
			w.v = encodeEndpoint(e)
		}
		eps = append(eps, w)
	}
	nodes := make([]nodeWrite, 0, len(db.dirtyNodes))
	for id := range db.dirtyNodes {
		w := nodeWrite{id: id}
		if e, ok := db.nodes[id]; ok {
			w.v = encodeNode(e)
		}
		nodes = append(nodes, w)
	}
	clear(db.dirtyEps)
	clear(db.dirtyNodes)
	db.mu.Unlock()
	if len(eps) == 0 && len(nodes) == 0 {
		return nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		be, bn := tx.Bucket(bucketEndpoints), tx.Bucket(bucketNodes)
		for _, w := range eps {
			var err error
			if w.v == nil {
				err = be.Delete(w.key)
			} else {
				err = be.Put(w.key, w.v)
			}
			if err != nil {
				return err
			}
		}
		for _, w := range nodes {
			var err error
			if w.v == nil {
				err = bn.Delete(w.id[:])
			} else {
				err = bn.Put(w.id[:], w.v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Mark everything dirty again so the next flush retries.
		db.mu.Lock()
		for _, w := range eps {
			db.dirtyEps[w.k] = struct{}{}
		}
		for _, w := range nodes {
			db.dirtyNodes[w.id] = struct{}{}
		}
		db.mu.Unlock()
	}
	return err
}

// load reads the file into memory, wiping it first if its schema version
// is not ours.
func (db *DB) load() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || !bytes.Equal(meta.Get(keyVersion), versionBytes()) {
			for _, name := range [][]byte{bucketMeta, bucketEndpoints, bucketNodes, bucketLocal} {
				if tx.Bucket(name) != nil {
					if err := tx.DeleteBucket(name); err != nil {
						return err
					}
				}
			}
		}
		for _, name := range [][]byte{bucketMeta, bucketEndpoints, bucketNodes, bucketLocal} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Put(keyVersion, versionBytes()); err != nil {
			return err
		}
		bad := 0
		tx.Bucket(bucketEndpoints).ForEach(func(k, v []byte) error {
			e, err := decodeEndpoint(v)
			if len(k) != 48 || err != nil {
				bad++
				return nil
			}
			var key epKey
			copy(key.id[:], k[:32])
			copy(key.ip[:], k[32:])
			db.eps[key] = e
			return nil
		})
		tx.Bucket(bucketNodes).ForEach(func(k, v []byte) error {
			e, err := decodeNode(v)
			if err != nil || len(k) != 32 || !bytes.Equal(k, e.node.ID().Bytes()) {
				bad++
				return nil
			}
			db.nodes[e.node.ID()] = e
			return nil
		})
		tx.Bucket(bucketLocal).ForEach(func(k, v []byte) error {
			if len(k) != 32 || len(v) != 8 {
				bad++
				return nil
			}
			db.local[enode.ID(k)] = binary.BigEndian.Uint64(v)
			return nil
		})
		if bad > 0 {
			db.cfg.Log.Warn("Skipped corrupt node database entries", "count", bad)
		}
		return nil
	})
}

func versionBytes() []byte { return binary.BigEndian.AppendUint64(nil, schemaVersion) }

// The endpoint value: lastPing and lastPong in Unix milliseconds, then the
// failure count, all big-endian.
func encodeEndpoint(e endpointInfo) []byte {
	b := make([]byte, 0, 20)
	b = binary.BigEndian.AppendUint64(b, uint64(unixMilli(e.lastPing)))
	b = binary.BigEndian.AppendUint64(b, uint64(unixMilli(e.lastPong)))
	return binary.BigEndian.AppendUint32(b, uint32(e.findFails))
}

func decodeEndpoint(b []byte) (endpointInfo, error) {
	if len(b) != 20 {
		return endpointInfo{}, errors.New("bad endpoint entry size")
	}
	return endpointInfo{
		lastPing:  fromUnixMilli(int64(binary.BigEndian.Uint64(b))),
		lastPong:  fromUnixMilli(int64(binary.BigEndian.Uint64(b[8:]))),
		findFails: int(binary.BigEndian.Uint32(b[16:])),
	}, nil
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromUnixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// The node value is the RLP list [updated-ms, record] for a node from a
// signed record, or [updated-ms, "", pubkey, ip, udp, tcp] for a node known
// only from an enode URL or a Neighbors packet.
func encodeNode(e nodeEntry) []byte {
	return rlp.AppendList(nil, func(b []byte) []byte {
		b = rlp.AppendUint(b, uint64(unixMilli(e.updated)))
		n := e.node
		if rec := n.Record(); rec.Signed() {
			if enc, err := rec.Encode(); err == nil {
				return append(b, enc...)
			}
		}
		b = rlp.AppendBytes(b, nil)
		pub := v4wire.EncodePubkey(n.Pubkey())
		b = rlp.AppendBytes(b, pub[:])
		ip := n.IP().Unmap()
		b = rlp.AppendBytes(b, ip.AsSlice())
		b = rlp.AppendUint(b, uint64(n.UDP()))
		return rlp.AppendUint(b, uint64(n.TCP()))
	})
}

func decodeNode(b []byte) (nodeEntry, error) {
	s, err := rlp.NewListStream(b)
	if err != nil {
		return nodeEntry{}, err
	}
	ms, err := s.Uint64()
	if err != nil {
		return nodeEntry{}, err
	}
	e := nodeEntry{updated: fromUnixMilli(int64(ms))}
	if k, _, err := s.Kind(); err == nil && k == rlp.List {
		raw, _ := s.Raw()
		rec, err := enr.Decode(raw)
		if err != nil {
			return nodeEntry{}, err
		}
		e.node, err = enode.New(rec)
		return e, err
	}
	if _, err := s.Bytes(); err != nil {
		return nodeEntry{}, err
	}
	pb, err := s.Bytes()
	if err != nil || len(pb) != 64 {
		return nodeEntry{}, errors.New("bad node key")
	}
	pub, err := v4wire.DecodePubkey(v4wire.Pubkey(pb))
	if err != nil {
		return nodeEntry{}, err
	}
	ipb, err := s.Bytes()
	if err != nil {
		return nodeEntry{}, err
	}
	ip, _ := netip.AddrFromSlice(ipb)
	udp, err := s.Uint16()
	if err != nil {
		return nodeEntry{}, err
	}
	tcp, err := s.Uint16()
	if err != nil {
		return nodeEntry{}, err
	}
	e.node = enode.NewV4(pub, ip, tcp, udp)
	return e, nil
}
