package addrmgr

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Table geometry and policy constants (Bitcoin Core's addrman, except where
// noted).
const (
	NewBuckets   = 1024
	TriedBuckets = 256
	BucketSize   = 64

	// newBucketsPerSourceGroup: one source group reaches at most 64 new
	// buckets; triedBucketsPerGroup: one address group at most 8 tried
	// buckets.
	newBucketsPerSourceGroup = 64
	triedBucketsPerGroup     = 8
	// maxNewRefs is how many new buckets one address may sit in.
	maxNewRefs = 8

	// Terrible-address rules.
	horizon          = 30 * 24 * time.Hour // not seen for this long
	maxRetries       = 3                   // failures without any success
	maxFailures      = 10                  // failures ...
	minFailDays      = 7 * 24 * time.Hour  // ... with no success for this long
	futureSlack      = 10 * time.Minute    // a timestamp this far ahead is bad
	futurePenalty    = 5 * 24 * time.Hour  // such a timestamp becomes this old
	recentTry        = 10 * time.Minute    // tried this recently: unlikely pick
	updateInterval   = 20 * time.Minute    // a fresher sighting updates the time
	connectedUpdate  = 20 * time.Minute    // Connected updates at most this often
	getAddrPct       = 23
	MaxGetAddr       = wire.MaxAddrPerMsg // one addr message
	DefaultSaveEvery = 10 * time.Minute   // btcd's dumpAddressInterval
)

// ErrBadFile means the saved file could not be read.
var ErrBadFile = errors.New("addrmgr: unreadable address file")

// Config configures a Manager. The zero value keeps everything in memory.
type Config struct {
	// Path is the JSON file the tables are saved to and loaded from; ""
	// keeps them in memory only.
	Path string
	// SaveInterval is how often Start's goroutine saves; 0 means 10 min.
	SaveInterval time.Duration
	// AllowLocal accepts loopback and private addresses (for networks of
	// nodes on one machine or LAN: tests, regtest, devnet).
	AllowLocal bool
	// DefaultPort is the network's port; Iterator prefers addresses on it.
	DefaultPort uint16
	// Clock is the time source; nil means p2p.SystemClock.
	Clock p2p.Clock
	// Logger receives the manager's logs; nil discards them.
	Logger *slog.Logger
}

// KnownAddress is a snapshot of one address the manager knows.
type KnownAddress struct {
	Addr        netip.AddrPort
	Services    wire.ServiceFlag
	Timestamp   time.Time // when it was last heard of
	Source      netip.Addr
	Attempts    int
	LastAttempt time.Time
	LastSuccess time.Time
	Tried       bool
}

// NetAddress returns the address as addr carries it.
func (k KnownAddress) NetAddress() wire.NetAddress {
	return wire.NetAddress{Timestamp: uint32(k.Timestamp.Unix()), Services: k.Services, IP: k.Addr.Addr(), Port: k.Addr.Port()}
}

// entry is one address in the tables. Guarded by Manager.mu.
type entry struct {
	KnownAddress
	refs   int // new buckets holding it; 0 when tried
	listIx int // index in Manager.newList or Manager.triedList
}

// Stats counts what the manager refused or evicted.
type Stats struct {
	New, Tried int
	// Refused counts addresses refused on arrival (unroutable, port 0,
	// other networks); Evicted those that lost their slot.
	Refused, Evicted uint64
}

// Manager is a node's address book. See the package documentation.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex // guards every field below
	key       [32]byte
	rng       *mrand.Rand
	addrs     map[netip.AddrPort]*entry
	newTable  [NewBuckets][BucketSize]*entry
	tried     [TriedBuckets][BucketSize]*entry
	newList   []*entry // the entries with refs > 0, for uniform picks
	triedList []*entry
	stats     Stats
	dirty     bool
	changed   chan struct{} // closed and replaced when an address is added

	stop chan struct{}
	wg   sync.WaitGroup
}

// New returns a manager, loading Config.Path if it exists. A new key is
// drawn when there is no file.
func New(cfg Config) (*Manager, error) {
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.SaveInterval <= 0 {
		cfg.SaveInterval = DefaultSaveEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{
		cfg:     cfg,
		log:     cfg.Logger,
		addrs:   make(map[netip.AddrPort]*entry),
		changed: make(chan struct{}),
		stop:    make(chan struct{}),
	}
	if _, err := rand.Read(m.key[:]); err != nil {
		return nil, err
	}
	if cfg.Path != "" {
		if err := m.load(); err != nil {
			return nil, err
		}
	}
	var seed [32]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, err
	}
	m.rng = mrand.New(mrand.NewChaCha8(seed))
	return m, nil
}

// Start starts the goroutine that saves the tables every SaveInterval.
func (m *Manager) Start() {
	m.wg.Go(func() {
		for {
			t := m.cfg.Clock.NewTimer(m.cfg.SaveInterval)
			select {
			case <-t.C():
				if err := m.Save(); err != nil {
					m.log.Warn("cannot save addresses", "err", err)
				}
			case <-m.stop:
				t.Stop()
				return
			}
		}
	})
}

// Close stops the saving goroutine and saves the tables a last time.
func (m *Manager) Close() error {
	m.mu.Lock()
	select {
	case <-m.stop:
		m.mu.Unlock()
		return nil
	default:
		close(m.stop)
	}
	m.mu.Unlock()
	m.wg.Wait()
	return m.Save()
}

// hash64 is the keyed hash behind every bucket choice.
func (m *Manager) hash64(parts ...[]byte) uint64 {
	h := sha256.New()
	h.Write(m.key[:])
	for _, p := range parts {
		var n [2]byte
		binary.LittleEndian.PutUint16(n[:], uint16(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	var sum [32]byte
	return binary.LittleEndian.Uint64(h.Sum(sum[:0]))
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func apKey(ap netip.AddrPort) []byte {
	b, _ := ap.MarshalBinary()
	return b
}

func (m *Manager) newBucket(ap netip.AddrPort, src netip.Addr) int {
	sg := []byte(Group(src))
	h1 := m.hash64([]byte("n1"), []byte(Group(ap.Addr())), sg) % newBucketsPerSourceGroup
	return int(m.hash64([]byte("n2"), sg, u64(h1)) % NewBuckets)
}

func (m *Manager) triedBucket(ap netip.AddrPort) int {
	h1 := m.hash64([]byte("t1"), apKey(ap)) % triedBucketsPerGroup
	return int(m.hash64([]byte("t2"), []byte(Group(ap.Addr())), u64(h1)) % TriedBuckets)
}

func (m *Manager) slot(table string, bucket int, ap netip.AddrPort) int {
	return int(m.hash64([]byte(table), u64(uint64(bucket)), apKey(ap)) % BucketSize)
}

// acceptable reports whether an address may enter the tables.
func (m *Manager) acceptable(ap netip.AddrPort) bool {
	a := ap.Addr().Unmap()
	if ap.Port() == 0 || !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
		return false
	}
	return IsRoutable(a) || m.cfg.AllowLocal
}

// normal returns ap with an unmapped address.
func normal(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// isTerrible is Core's IsTerrible: an address not worth keeping or giving out.
func (e *entry) isTerrible(now time.Time) bool {
	if !e.LastAttempt.IsZero() && now.Sub(e.LastAttempt) < time.Minute {
		return false // just tried: give it a chance
	}
	switch {
	case e.Timestamp.After(now.Add(futureSlack)):
		return true
	case e.Timestamp.IsZero() || now.Sub(e.Timestamp) > horizon:
		return true
	case e.LastSuccess.IsZero() && e.Attempts >= maxRetries:
		return true
	case now.Sub(e.LastSuccess) > minFailDays && e.Attempts >= maxFailures:
		return true
	}
	return false
}

// chance is Core's GetChance: how willing Select is to pick the address.
func (e *entry) chance(now time.Time) float64 {
	c := 1.0
	if !e.LastAttempt.IsZero() && now.Sub(e.LastAttempt) < recentTry {
		c *= 0.01
	}
	for range min(e.Attempts, 8) {
		c *= 0.66
	}
	return c
}

// Add adds addresses heard from src (the peer that sent them, or the seed's
// address) and returns how many were new.
func (m *Manager) Add(addrs []wire.NetAddress, src netip.Addr) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	added := 0
	for _, na := range addrs {
		if m.addLocked(na, src.Unmap(), now) {
			added++
		}
	}
	if added > 0 {
		m.dirty = true
		close(m.changed)
		m.changed = make(chan struct{})
	}
	return added
}

// AddAddress adds one address with the given services, as if heard now.
func (m *Manager) AddAddress(ap netip.AddrPort, services wire.ServiceFlag, src netip.Addr) bool {
	na := wire.NetAddress{Timestamp: uint32(m.cfg.Clock.Now().Unix()), Services: services, IP: ap.Addr(), Port: ap.Port()}
	return m.Add([]wire.NetAddress{na}, src) == 1
}

func (m *Manager) addLocked(na wire.NetAddress, src netip.Addr, now time.Time) bool {
	ap := normal(na.AddrPort())
	if !m.acceptable(ap) {
		m.stats.Refused++
		return false
	}
	ts := time.Unix(int64(na.Timestamp), 0)
	if ts.After(now.Add(futureSlack)) || na.Timestamp == 0 {
		// A clock far ahead (or none): treat as heard of five days ago.
		ts = now.Add(-futurePenalty)
	}
	e := m.addrs[ap]
	isNew := e == nil
	if e != nil {
		// A fresher sighting (by more than the update interval, so that
		// peers relaying it cannot keep an address looking fresh) updates
		// the time; services accumulate.
		if ts.After(e.Timestamp.Add(updateInterval)) {
			e.Timestamp = ts
		}
		e.Services |= na.Services
		if e.Tried || e.refs >= maxNewRefs {
			return false
		}
		// Each further reference is half as likely as the previous.
		if m.rng.IntN(1<<e.refs) != 0 {
			return false
		}
	} else {
		e = &entry{KnownAddress: KnownAddress{Addr: ap, Services: na.Services, Timestamp: ts, Source: src}}
	}
	b := m.newBucket(ap, src)
	s := m.slot("new", b, ap)
	cur := m.newTable[b][s]
	if cur == e {
		return false
	}
	if cur != nil {
		// Keep the occupant unless it is terrible, or it is held elsewhere
		// too while the newcomer has no slot at all.
		if !cur.isTerrible(now) && !(cur.refs > 1 && e.refs == 0) {
			return false
		}
		m.clearNewSlot(b, s)
		m.stats.Evicted++
	}
	m.newTable[b][s] = e
	if e.refs == 0 {
		e.listIx = len(m.newList)
		m.newList = append(m.newList, e)
	}
	e.refs++
	if isNew {
		m.addrs[ap] = e
	}
	return isNew
}

// clearNewSlot empties a new-table slot, forgetting its address if that was
// its last reference.
func (m *Manager) clearNewSlot(b, s int) {
	e := m.newTable[b][s]
	m.newTable[b][s] = nil
	e.refs--
	if e.refs == 0 {
		m.removeFromList(&m.newList, e)
		delete(m.addrs, e.Addr)
	}
}

func (m *Manager) removeFromList(list *[]*entry, e *entry) {
	l := *list
	last := l[len(l)-1]
	l[e.listIx] = last
	last.listIx = e.listIx
	l[len(l)-1] = nil
	*list = l[:len(l)-1]
}

// Attempt records a dial attempt to ap.
func (m *Manager) Attempt(ap netip.AddrPort) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.addrs[normal(ap)]; e != nil {
		e.Attempts++
		e.LastAttempt = m.cfg.Clock.Now()
		m.dirty = true
	}
}

// Connected records that a connection to ap is alive (Core calls it when
// the connection ends); the timestamp it gossips is refreshed at most every
// 20 minutes.
func (m *Manager) Connected(ap netip.AddrPort) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.addrs[normal(ap)]; e != nil {
		now := m.cfg.Clock.Now()
		if now.Sub(e.Timestamp) > connectedUpdate {
			e.Timestamp = now
			m.dirty = true
		}
	}
}

// SetServices records the services a peer announced in its version.
func (m *Manager) SetServices(ap netip.AddrPort, s wire.ServiceFlag) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.addrs[normal(ap)]; e != nil && e.Services != s {
		e.Services = s
		m.dirty = true
	}
}

// Good records a completed outbound handshake with ap and moves it to the
// tried table (adding it first if unknown). An occupant of its tried slot
// goes back to the new table.
func (m *Manager) Good(ap netip.AddrPort) {
	ap = normal(ap)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	e := m.addrs[ap]
	if e == nil {
		if !m.acceptable(ap) {
			return
		}
		e = &entry{KnownAddress: KnownAddress{Addr: ap, Timestamp: now, Source: ap.Addr()}}
		m.addrs[ap] = e
	}
	e.LastSuccess, e.LastAttempt, e.Attempts = now, now, 0
	m.dirty = true
	if e.Tried {
		return
	}
	// Out of every new bucket.
	if e.refs > 0 {
		for b := range m.newTable {
			s := m.slot("new", b, ap)
			if m.newTable[b][s] == e {
				m.newTable[b][s] = nil
				e.refs--
				if e.refs == 0 {
					break
				}
			}
		}
		e.refs = 0
		m.removeFromList(&m.newList, e)
	}
	m.putTried(e, now)
}

// putTried puts e in its tried slot, moving an occupant back to new.
func (m *Manager) putTried(e *entry, now time.Time) {
	b := m.triedBucket(e.Addr)
	s := m.slot("tried", b, e.Addr)
	if old := m.tried[b][s]; old != nil {
		m.tried[b][s] = nil
		old.Tried = false
		m.removeFromList(&m.triedList, old)
		m.stats.Evicted++
		// Back to new, in the bucket of its own source.
		nb := m.newBucket(old.Addr, old.Source)
		ns := m.slot("new", nb, old.Addr)
		if cur := m.newTable[nb][ns]; cur != nil {
			m.clearNewSlot(nb, ns)
		}
		m.newTable[nb][ns] = old
		old.refs = 1
		old.listIx = len(m.newList)
		m.newList = append(m.newList, old)
	}
	m.tried[b][s] = e
	e.Tried = true
	e.listIx = len(m.triedList)
	m.triedList = append(m.triedList, e)
}

// Select picks an address to dial, Core's way: tried or new with even odds
// (new only when newOnly), then random entries accepted with their chance,
// each refusal raising the odds for the next. It returns false when the
// chosen tables are empty.
func (m *Manager) Select(newOnly bool) (KnownAddress, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.selectLocked(newOnly, nil)
	if e == nil {
		return KnownAddress{}, false
	}
	return e.KnownAddress, true
}

// selectLocked picks an entry; skip, if set, vetoes candidates (at most a
// bounded number of draws are made, so a veto on everything ends with nil).
func (m *Manager) selectLocked(newOnly bool, skip func(*entry) bool) *entry {
	if len(m.newList) == 0 && (newOnly || len(m.triedList) == 0) {
		return nil
	}
	now := m.cfg.Clock.Now()
	useTried := !newOnly && len(m.triedList) > 0 && (len(m.newList) == 0 || m.rng.IntN(2) == 0)
	list := m.newList
	if useTried {
		list = m.triedList
	}
	factor := 1.0
	for range 1000 {
		e := list[m.rng.IntN(len(list))]
		if skip != nil && skip(e) {
			continue
		}
		if m.rng.Float64() < e.chance(now)*factor {
			return e
		}
		factor *= 1.2
	}
	return nil
}

// GetAddr returns what a getaddr is answered with: a random 23 % of the
// addresses that are not terrible, at most MaxGetAddr.
func (m *Manager) GetAddr() []wire.NetAddress {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	all := make([]*entry, 0, len(m.addrs))
	all = append(all, m.newList...)
	all = append(all, m.triedList...)
	n := min(len(all)*getAddrPct/100, MaxGetAddr)
	out := make([]wire.NetAddress, 0, n)
	for i := 0; i < len(all) && len(out) < n; i++ {
		j := i + m.rng.IntN(len(all)-i)
		all[i], all[j] = all[j], all[i]
		if all[i].isTerrible(now) {
			continue
		}
		out = append(out, all[i].NetAddress())
	}
	return out
}

// Lookup returns what the manager knows of ap.
func (m *Manager) Lookup(ap netip.AddrPort) (KnownAddress, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.addrs[normal(ap)]
	if e == nil {
		return KnownAddress{}, false
	}
	return e.KnownAddress, true
}

// Len returns the number of addresses known.
func (m *Manager) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.addrs)
}

// Stats returns the table sizes and counters.
func (m *Manager) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.New, s.Tried = len(m.newList), len(m.triedList)
	return s
}

// NeedMore reports whether the manager knows few enough addresses that it
// is worth asking peers with getaddr (btcd: fewer than 1,000).
func (m *Manager) NeedMore() bool { return m.Len() < 1000 }

// changedCh returns a channel closed at the next Add of a new address.
func (m *Manager) changedCh() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}
