package discover

import (
	"context"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/discover/nodedb"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// transport is what the table needs from the network: liveness checks,
// records, and lookups for refresh. UDPv4 implements it; table tests use a
// fake.
type transport interface {
	self() *enode.Node
	ping(ctx context.Context, n *enode.Node) (seq uint64, err error)
	requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error)
	lookup(ctx context.Context, target v4wire.Pubkey, waitForTable bool) []*enode.Node
}

// tableNode is a table entry.
type tableNode struct {
	n              *enode.Node
	addedAt        time.Time
	lastSeen       time.Time // last answer to our ping; zero until verified
	livenessChecks int       // answered checks, divided by 3 on each failure
	revalidating   bool
}

type bucket struct {
	entries      []*tableNode // at most bucketSize, in insertion order
	replacements []*tableNode // at most maxReplacements, most recent first
	ips          netSet
}

// Table is the Kademlia routing table: nBuckets buckets by log distance
// from our ID, bucketSize nodes each, with replacement lists and subnet
// limits.
//
// The buckets are guarded by mu; the table's loop goroutine owns the
// timers and the refresh and revalidation in flight, and holds mu only to
// read or change entries, never while waiting on the network.
type Table struct {
	cfg  Config
	log  *slog.Logger
	db   *nodedb.DB
	net  transport
	self enode.ID

	mu      sync.Mutex // guards buckets, ips, rnd
	buckets [nBuckets]*bucket
	ips     netSet
	rnd     *mrand.Rand

	initDone   chan struct{} // closed when the first refresh completed
	refreshReq chan chan struct{}
	ctx        context.Context
	cancel     context.CancelFunc
	loopDone   chan struct{}
	started    bool
}

func newTable(net transport, db *nodedb.DB, cfg Config) *Table {
	ctx, cancel := context.WithCancel(context.Background())
	tab := &Table{
		cfg:        cfg,
		log:        cfg.Log,
		db:         db,
		net:        net,
		self:       net.self().ID(),
		ips:        newNetSet(cfg.TableIPLimit),
		rnd:        mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())),
		initDone:   make(chan struct{}),
		refreshReq: make(chan chan struct{}),
		ctx:        ctx,
		cancel:     cancel,
		loopDone:   make(chan struct{}),
	}
	for i := range tab.buckets {
		tab.buckets[i] = &bucket{ips: newNetSet(cfg.BucketIPLimit)}
	}
	return tab
}

// start runs the table's loop: an initial refresh, then periodic refresh
// and revalidation.
func (tab *Table) start() {
	tab.started = true
	go tab.loop()
}

// close stops the loop and waits for the work it started.
func (tab *Table) close() {
	tab.cancel()
	if tab.started {
		<-tab.loopDone
	}
}

func (tab *Table) now() time.Time { return tab.cfg.Clock.Now() }

func (tab *Table) bucket(id enode.ID) *bucket {
	return tab.buckets[bucketIndex(enode.LogDist(tab.self, id))]
}

// bucketIndex maps a log distance to its bucket: 241..256 to 1..16, the
// rest to 0.
func bucketIndex(d int) int {
	if d <= bucketMinDistance+1 {
		return 0
	}
	return d - bucketMinDistance - 1
}

// refresh asks the loop for a refresh and returns a channel closed when it
// is done.
func (tab *Table) refresh() <-chan struct{} {
	done := make(chan struct{})
	select {
	case tab.refreshReq <- done:
	case <-tab.ctx.Done():
		close(done)
	}
	return done
}

func (tab *Table) isInitDone() bool {
	select {
	case <-tab.initDone:
		return true
	default:
		return false
	}
}

// addFoundNode adds a node learned from a lookup, a seed or a bootnode. It
// is unverified: revalidation pings it soon and drops it if it is dead.
func (tab *Table) addFoundNode(n *enode.Node) bool {
	return tab.addNode(n, false)
}

// addInboundNode adds a node that pinged us and answered our ping. It is
// refused until the first refresh is done, so that an attacker who pings
// a new node first cannot fill its table (the eclipse countermeasure of
// go-ethereum#522).
func (tab *Table) addInboundNode(n *enode.Node) bool {
	if !tab.isInitDone() {
		return false
	}
	return tab.addNode(n, true)
}

func (tab *Table) addNode(n *enode.Node, verified bool) bool {
	if n.ID() == tab.self {
		return false
	}
	if _, ok := n.UDPEndpoint(); !ok {
		return false
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := tab.bucket(n.ID())
	now := tab.now()
	if e := findEntry(b.entries, n.ID()); e != nil {
		if verified {
			e.lastSeen = now
		}
		tab.maybeUpdateRecord(e, n)
		return false
	}
	if len(b.entries) >= bucketSize {
		tab.addReplacement(b, n)
		return false
	}
	// A replacement being promoted keeps its place in the IP counts.
	if i := slices.IndexFunc(b.replacements, func(e *tableNode) bool { return e.n.ID() == n.ID() }); i >= 0 {
		tab.removeIP(b, b.replacements[i].n)
		b.replacements = slices.Delete(b.replacements, i, i+1)
	}
	if !tab.addIP(b, n) {
		return false
	}
	e := &tableNode{n: n, addedAt: now}
	if verified {
		e.lastSeen = now
		e.livenessChecks = 1
	}
	b.entries = append(b.entries, e)
	return true
}

// maybeUpdateRecord replaces an entry's record by a newer one for the same
// endpoint. A record announcing another endpoint is not taken: the IP
// counts and the liveness of the entry are tied to the endpoint checked.
func (tab *Table) maybeUpdateRecord(e *tableNode, n *enode.Node) {
	old := e.n
	if !n.Record().Signed() || (old.Record().Signed() && n.Seq() <= old.Seq()) {
		return
	}
	a, _ := old.UDPEndpoint()
	b, _ := n.UDPEndpoint()
	if a == b {
		e.n = n
	}
}

func (tab *Table) addReplacement(b *bucket, n *enode.Node) {
	if i := slices.IndexFunc(b.replacements, func(e *tableNode) bool { return e.n.ID() == n.ID() }); i >= 0 {
		// Seen again: move to the front.
		e := b.replacements[i]
		copy(b.replacements[1:i+1], b.replacements[:i])
		b.replacements[0] = e
		return
	}
	if !tab.addIP(b, n) {
		return
	}
	b.replacements = slices.Insert(b.replacements, 0, &tableNode{n: n, addedAt: tab.now()})
	if len(b.replacements) > maxReplacements {
		last := b.replacements[len(b.replacements)-1]
		b.replacements = b.replacements[:len(b.replacements)-1]
		tab.removeIP(b, last.n)
	}
}

func (tab *Table) addIP(b *bucket, n *enode.Node) bool {
	ip := n.IP()
	if !b.ips.canAdd(ip) || !tab.ips.canAdd(ip) {
		return false
	}
	b.ips.add(ip)
	tab.ips.add(ip)
	return true
}

func (tab *Table) removeIP(b *bucket, n *enode.Node) {
	b.ips.remove(n.IP())
	tab.ips.remove(n.IP())
}

func findEntry(list []*tableNode, id enode.ID) *tableNode {
	for _, e := range list {
		if e.n.ID() == id {
			return e
		}
	}
	return nil
}

// replaceEntry removes e from b and promotes a random replacement, which
// starts unverified.
func (tab *Table) replaceEntry(b *bucket, e *tableNode) {
	i := slices.Index(b.entries, e)
	if i < 0 {
		return
	}
	b.entries = slices.Delete(b.entries, i, i+1)
	tab.removeIP(b, e.n)
	if len(b.replacements) == 0 {
		return
	}
	j := tab.rnd.IntN(len(b.replacements))
	r := b.replacements[j]
	b.replacements = slices.Delete(b.replacements, j, j+1)
	r.addedAt = tab.now()
	b.entries = append(b.entries, r) // its IP is already counted
}

// deleteNode drops a node after too many findnode failures, if its bucket
// is not nearly empty (a lonely node is worth keeping).
func (tab *Table) deleteNode(n *enode.Node) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := tab.bucket(n.ID())
	if e := findEntry(b.entries, n.ID()); e != nil && len(b.entries) >= 4 {
		tab.replaceEntry(b, e)
	}
}

// updateRecord takes a newer record for a node in the table.
func (tab *Table) updateRecord(n *enode.Node) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if e := findEntry(tab.bucket(n.ID()).entries, n.ID()); e != nil {
		tab.maybeUpdateRecord(e, n)
	}
}

// getNode returns the table's node with the given ID, or nil.
func (tab *Table) getNode(id enode.ID) *enode.Node {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if e := findEntry(tab.bucket(id).entries, id); e != nil {
		return e.n
	}
	return nil
}

// closest returns the n nodes of the table closest to target. With
// preferLive, only nodes that answered a liveness check count, unless there
// are none (what we tell others should be alive; what we ask ourselves may
// be a guess).
func (tab *Table) closest(target enode.ID, n int, preferLive bool) []*enode.Node {
	tab.mu.Lock()
	all := nodesByDistance{target: target}
	live := nodesByDistance{target: target}
	for _, b := range tab.buckets {
		for _, e := range b.entries {
			all.push(e.n, n)
			if preferLive && e.livenessChecks > 0 {
				live.push(e.n, n)
			}
		}
	}
	tab.mu.Unlock()
	if preferLive && len(live.entries) > 0 {
		return live.entries
	}
	return all.entries
}

// len returns the number of nodes in the buckets.
func (tab *Table) len() int {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	n := 0
	for _, b := range tab.buckets {
		n += len(b.entries)
	}
	return n
}

// nodes returns the nodes in the buckets, nearest bucket last.
func (tab *Table) nodes() []*enode.Node {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var out []*enode.Node
	for _, b := range tab.buckets {
		for _, e := range b.entries {
			out = append(out, e.n)
		}
	}
	return out
}

// loop owns the table's timers and the refresh and revalidation in flight.
func (tab *Table) loop() {
	defer close(tab.loopDone)
	var (
		clock        = tab.cfg.Clock
		wg           sync.WaitGroup
		refreshDone  chan struct{} // non-nil while a refresh runs
		waiting      []chan struct{}
		revalDone    = make(chan revalResult, 1)
		revalRunning bool
		refreshT     = stoppedTimer{}
		revalT       = stoppedTimer{}
		// While refreshes keep adding nodes, the next comes soon: fast
		// after one that grew the table, doubling after each that did
		// not, until it reaches the periodic interval.
		lastLen = 0
		fast    = fastRefresh
	)
	defer func() {
		refreshT.stop()
		revalT.stop()
		wg.Wait()
		for _, w := range waiting {
			close(w)
		}
	}()
	startRefresh := func() {
		refreshDone = make(chan struct{})
		done := refreshDone
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			tab.doRefresh(tab.ctx)
		}()
	}
	resetRefresh := func() {
		if !tab.cfg.NoRefresh {
			// Random in [interval/2, interval), so nodes started together
			// do not refresh together.
			d := tab.cfg.RefreshInterval/2 + tab.randDuration(tab.cfg.RefreshInterval/2)
			refreshT.reset(clock, d)
		}
	}
	resetReval := func() {
		if !tab.cfg.NoRevalidate {
			revalT.reset(clock, tab.randDuration(tab.cfg.RevalidateInterval))
		}
	}
	startRefresh()
	resetRefresh()
	resetReval()
	for {
		select {
		case <-tab.ctx.Done():
			return
		case <-refreshT.c():
			if refreshDone == nil {
				startRefresh()
			}
			resetRefresh()
		case w := <-tab.refreshReq:
			waiting = append(waiting, w)
			if refreshDone == nil {
				startRefresh()
			}
		case <-refreshDone:
			refreshDone = nil
			for _, w := range waiting {
				close(w)
			}
			waiting = nil
			if !tab.isInitDone() {
				close(tab.initDone)
				tab.log.Debug("Initial table refresh done", "nodes", tab.len())
			}
			if n := tab.len(); n > lastLen {
				fast, lastLen = fastRefresh, n
			} else {
				fast, lastLen = 2*fast, n
			}
			if !tab.cfg.NoRefresh && fast < tab.cfg.RefreshInterval/2 {
				refreshT.reset(clock, fast/2+tab.randDuration(fast/2))
			}
		case <-revalT.c():
			if !revalRunning {
				if e := tab.nodeToRevalidate(); e != nil {
					revalRunning = true
					wg.Add(1)
					go func() {
						defer wg.Done()
						revalDone <- tab.revalidate(tab.ctx, e)
					}()
				}
			}
			resetReval()
		case r := <-revalDone:
			revalRunning = false
			tab.handleRevalidation(r)
		}
	}
}

// fastRefresh is the wait after a refresh that added nodes to the table,
// before the next one. A new node's first refresh finds most of a network
// but seldom every node its far buckets could hold; refreshing again while
// that still finds nodes fills the table in minutes rather than in several
// periodic intervals, and costs a settled node (or one alone) nothing
// after a few doublings.
const fastRefresh = 10 * time.Second

func (tab *Table) randDuration(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return time.Duration(tab.rnd.Int64N(int64(max)))
}

// doRefresh seeds the table from the database and the bootnodes, then
// looks up our own ID (to find our neighbours, and be found by them) and
// three random targets (to fill the far buckets).
func (tab *Table) doRefresh(ctx context.Context) {
	seeds := tab.db.QuerySeeds(seedCount, seedMaxAge)
	seeds = append(seeds, tab.cfg.Bootnodes...)
	for _, n := range seeds {
		tab.addFoundNode(n)
	}
	if len(seeds) > 0 {
		tab.log.Debug("Seeded table", "seeds", len(seeds), "nodes", tab.len())
	}
	self := tab.net.self()
	tab.net.lookup(ctx, v4wire.EncodePubkey(self.Pubkey()), false)
	for range 3 {
		if ctx.Err() != nil {
			return
		}
		tab.net.lookup(ctx, randomTarget(), false)
	}
}

// nodeToRevalidate picks the entry seen alive least recently (never-checked
// nodes first), skipping those seen within RevalidateMinAge.
func (tab *Table) nodeToRevalidate() *tableNode {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	cutoff := tab.now().Add(-tab.cfg.RevalidateMinAge)
	var best *tableNode
	for _, b := range tab.buckets {
		for _, e := range b.entries {
			if e.revalidating || e.lastSeen.After(cutoff) {
				continue
			}
			if best == nil || e.lastSeen.Before(best.lastSeen) ||
				(e.lastSeen.Equal(best.lastSeen) && e.addedAt.Before(best.addedAt)) {
				best = e
			}
		}
	}
	if best != nil {
		best.revalidating = true
	}
	return best
}

type revalResult struct {
	e      *tableNode
	n      *enode.Node // the node pinged
	alive  bool
	newRec *enode.Node // a newer record, when the pong announced one
}

// revalidate pings e's node, and fetches its record when the pong carries
// a higher sequence number than the record we hold.
func (tab *Table) revalidate(ctx context.Context, e *tableNode) revalResult {
	tab.mu.Lock()
	n := e.n
	tab.mu.Unlock()
	r := revalResult{e: e, n: n}
	seq, err := tab.net.ping(ctx, n)
	if err != nil {
		return r
	}
	r.alive = true
	if seq > n.Seq() {
		if rn, err := tab.net.requestENR(ctx, n); err == nil {
			r.newRec = rn
		}
	}
	return r
}

func (tab *Table) handleRevalidation(r revalResult) {
	if tab.ctx.Err() != nil {
		return // shutting down: the failure is ours
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := tab.bucket(r.n.ID())
	e := r.e
	e.revalidating = false
	if !slices.Contains(b.entries, e) {
		return // replaced meanwhile
	}
	if r.alive {
		e.lastSeen = tab.now()
		e.livenessChecks++
		if r.newRec != nil {
			tab.maybeUpdateRecord(e, r.newRec)
		}
		tab.db.UpdateNode(e.n)
		return
	}
	e.livenessChecks /= 3
	if e.livenessChecks <= 0 {
		tab.log.Debug("Removed dead node", "id", e.n.ID().TerminalString(), "ip", e.n.IP())
		tab.replaceEntry(b, e)
	}
}

// nodesByDistance is a list of nodes ordered by distance to target.
type nodesByDistance struct {
	target  enode.ID
	entries []*enode.Node
}

// push inserts n in order, keeping at most max entries.
func (h *nodesByDistance) push(n *enode.Node, max int) {
	i, _ := slices.BinarySearchFunc(h.entries, n, func(a, b *enode.Node) int {
		return enode.DistCmp(h.target, a.ID(), b.ID())
	})
	if i >= max {
		return
	}
	h.entries = slices.Insert(h.entries, i, n)
	if len(h.entries) > max {
		h.entries = h.entries[:max]
	}
}

func (h *nodesByDistance) remove(id enode.ID) {
	h.entries = slices.DeleteFunc(h.entries, func(n *enode.Node) bool { return n.ID() == id })
}

// stoppedTimer wraps a dial.Timer that may be absent: its channel is nil
// (never ready) until reset.
type stoppedTimer struct{ t dial.Timer }

func (s *stoppedTimer) reset(clock dial.Clock, d time.Duration) {
	s.stop()
	s.t = clock.NewTimer(d)
}

func (s *stoppedTimer) stop() {
	if s.t != nil {
		s.t.Stop()
		s.t = nil
	}
}

func (s *stoppedTimer) c() <-chan time.Time {
	if s.t == nil {
		return nil
	}
	return s.t.C()
}
