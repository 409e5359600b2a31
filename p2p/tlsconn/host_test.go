package tlsconn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/tlsconn/peerlist"
)

// helloProto is the protocol of the host tests: each side sends its node ID
// once, then reads until the peer ends. Received IDs go to the recorder.
type helloRecorder struct {
	mu   sync.Mutex // guards seen
	seen map[enode.ID]int
}

func (r *helloRecorder) count(id enode.ID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[id]
}

func helloProto(self enode.ID, rec *helloRecorder) Protocol {
	return Protocol{
		Name: "hello", Version: 1, Commands: []string{"hello", "data"},
		Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			if err := rw.WriteMsg(p2p.Msg{Code: 0, Payload: self[:]}); err != nil {
				return err
			}
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				if msg.Code == 0 && rec != nil {
					rec.mu.Lock()
					if rec.seen == nil {
						rec.seen = map[enode.ID]int{}
					}
					rec.seen[enode.ID(msg.Payload)]++
					rec.mu.Unlock()
				}
			}
		},
	}
}

type testHost struct {
	*Host
	dir  string
	rec  *helloRecorder
	node *certs.Node
}

// fastHost shortens the timers of a test host.
func fastHost(c *HostConfig) {
	c.StaticBackoff = 20 * time.Millisecond
	c.StaticBackoffMax = 200 * time.Millisecond
}

// startHost starts a host on 127.0.0.1 for the node directory dir.
func startHost(t testing.TB, dir, listen string, peers []peerlist.Peer, mods ...func(*HostConfig)) *testHost {
	t.Helper()
	node, err := certs.LoadNode(dir)
	if err != nil {
		t.Fatal(err)
	}
	th := &testHost{dir: dir, rec: &helloRecorder{}, node: node}
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	cfg := HostConfig{
		CertsDir:   dir,
		ListenAddr: listen,
		Peers:      peers,
		Protocols:  []Protocol{helloProto(node.ID, th.rec)},
		Logger:     testLogger(t).With("node", node.ID.TerminalString()),
	}
	fastHost(&cfg)
	for _, m := range mods {
		m(&cfg)
	}
	if th.Host, err = NewHost(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { th.Close() })
	return th
}

func (th *testHost) entry(withID bool) peerlist.Peer {
	p := peerlist.Peer{Addr: th.Addr().String()}
	if withID {
		p.ID = th.ID()
	}
	return p
}

func (th *testHost) connected(id enode.ID) bool {
	return slices.ContainsFunc(th.Peers(), func(p PeerInfo) bool { return p.ID == id })
}

func peerIDs(h *Host) []enode.ID {
	var ids []enode.ID
	for _, p := range h.Peers() {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestHostNetwork runs ten nodes that all list each other (themselves
// included, half the entries with IDs): every pair ends with exactly one
// connection, over which the hello protocol runs.
func TestHostNetwork(t *testing.T) {
	const n = 10
	ca := newTestCA(t)
	hosts := make([]*testHost, n)
	for i := range hosts {
		_, dir := ca.node(t, certs.Options{})
		hosts[i] = startHost(t, dir, "", nil)
	}
	var list []peerlist.Peer
	for i, h := range hosts {
		list = append(list, h.entry(i%2 == 0))
	}
	for _, h := range hosts {
		if err := h.UpdatePeers(list); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Minute, "a full mesh", func() bool {
		for _, h := range hosts {
			if len(h.Peers()) != n-1 {
				return false
			}
			for _, o := range hosts {
				if o != h && h.rec.count(o.ID()) == 0 {
					return false
				}
			}
		}
		return true
	})
	for i, h := range hosts {
		// Each pair kept the connection both sides agreed on.
		for _, p := range h.Peers() {
			j := slices.IndexFunc(hosts, func(o *testHost) bool { return o.ID() == p.ID })
			if j < 0 {
				t.Fatalf("host %d has unknown peer %v", i, p.ID)
			}
			if !hosts[j].connected(h.ID()) {
				t.Errorf("host %d has %d, but not the other way round", i, j)
			}
			if p.UserAgent != DefaultUserAgent || len(p.Protocols) != 1 {
				t.Errorf("host %d: peer %d: %+v", i, j, p)
			}
		}
		st := h.Stats()
		if st.Transport.InboundHandshakes+st.Transport.OutboundHandshakes < n-1 {
			t.Errorf("host %d: stats %+v", i, st.Transport)
		}
		for r, c := range st.Transport.Refused {
			switch r {
			case ReasonSelf, ReasonAlreadyConnected, ReasonRemoteRefused, ReasonNetwork:
			default:
				t.Errorf("host %d: unexpected refusals %v: %+v", i, r, c)
			}
		}
	}
}

// TestHostRefusals: nodes with a certificate of another CA, a self-signed
// one, a revoked one and an expired one are refused when they dial an
// honest node and when it dials them, each counted under its reason. The
// bad nodes trust the honest network's ca.crt, as an intruder who copied
// it would, so that they present their certificate; the honest node's
// refusal reaches them as a TLS alert ("refused by peer").
func TestHostRefusals(t *testing.T) {
	ca := newTestCA(t)
	other := newTestCA(t)
	expired := certs.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}
	cases := []struct {
		name   string
		reason Reason
		make   func(t *testing.T, goodDir string) string
	}{
		{"other CA", ReasonUnknownCA, func(t *testing.T, _ string) string {
			_, dir := other.node(t, certs.Options{})
			copyFile(t, filepath.Join(ca.dir, certs.CACertFile), filepath.Join(dir, certs.CACertFile))
			return dir
		}},
		{"self-signed", ReasonUnknownCA, func(t *testing.T, _ string) string { return selfSignedNode(t, ca) }},
		{"revoked", ReasonRevoked, func(t *testing.T, goodDir string) string {
			_, dir := ca.node(t, certs.Options{})
			ca.revoke(t, dir, goodDir)
			return dir
		}},
		{"expired", ReasonExpired, func(t *testing.T, _ string) string {
			_, dir := ca.node(t, expired)
			return dir
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, goodDir := ca.node(t, certs.Options{})
			badDir := tc.make(t, goodDir)
			good := startHost(t, goodDir, "", nil)
			bad := startHost(t, badDir, "", []peerlist.Peer{good.entry(false)})
			if err := good.UpdatePeers([]peerlist.Peer{bad.entry(false)}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, time.Minute, "refusals in both directions", func() bool {
				st := good.Stats().Transport.Refused[tc.reason]
				return st.Inbound > 0 && st.Outbound > 0 &&
					bad.Stats().Transport.Refused[ReasonRemoteRefused].Outbound > 0
			})
			if len(good.Peers()) != 0 || len(bad.Peers()) != 0 {
				t.Errorf("peers: honest %v, bad %v", good.Peers(), bad.Peers())
			}
			for r, n := range good.Stats().Transport.Refused {
				if r != tc.reason && r != ReasonRemoteRefused && r != ReasonNetwork {
					t.Errorf("honest node counted %v: %+v", r, n)
				}
			}
		})
	}

	// A node that trusts only its own CA refuses the honest network too.
	t.Run("foreign network", func(t *testing.T) {
		_, goodDir := ca.node(t, certs.Options{})
		_, foreignDir := other.node(t, certs.Options{})
		good := startHost(t, goodDir, "", nil)
		foreign := startHost(t, foreignDir, "", []peerlist.Peer{good.entry(false)})
		waitFor(t, time.Minute, "refusal", func() bool {
			return foreign.Stats().Transport.Refused[ReasonUnknownCA].Outbound > 0 &&
				good.Stats().Transport.Refused[ReasonRemoteRefused].Inbound > 0
		})
	})

	// A listed ID that the certificate does not match.
	t.Run("unexpected ID", func(t *testing.T) {
		_, goodDir := ca.node(t, certs.Options{})
		_, peerDir := ca.node(t, certs.Options{})
		good := startHost(t, goodDir, "", nil)
		peer := startHost(t, peerDir, "", nil)
		good.UpdatePeers([]peerlist.Peer{{Addr: peer.Addr().String(), ID: enode.ID{1, 2, 3}}})
		waitFor(t, time.Minute, "refusal", func() bool {
			return good.Stats().Transport.Refused[ReasonUnexpectedID].Outbound > 0 &&
				peer.Stats().Transport.Refused[ReasonRemoteRefused].Inbound > 0
		})
		if len(good.Peers()) != 0 {
			t.Error("connected to the wrong node")
		}
	})
}

// TestHostRestart: a node closed and restarted on the same address is
// reconnected by the nodes that list it within the backoff bound.
func TestHostRestart(t *testing.T) {
	ca := newTestCA(t)
	var hosts []*testHost
	for range 3 {
		_, dir := ca.node(t, certs.Options{})
		hosts = append(hosts, startHost(t, dir, "", nil))
	}
	var list []peerlist.Peer
	for _, h := range hosts {
		list = append(list, h.entry(false))
	}
	for _, h := range hosts {
		h.UpdatePeers(list)
	}
	mesh := func() bool {
		for _, h := range hosts {
			if len(h.Peers()) != len(hosts)-1 {
				return false
			}
		}
		return true
	}
	waitFor(t, time.Minute, "a full mesh", mesh)

	// Restart the last node; it lists nobody, so only the others' redials
	// can bring it back.
	last := hosts[2]
	addr := last.Addr().String()
	last.Close()
	waitFor(t, time.Minute, "the others to notice", func() bool {
		return !hosts[0].connected(last.ID()) && !hosts[1].connected(last.ID())
	})
	start := time.Now()
	hosts[2] = startHost(t, last.dir, addr, nil)
	waitFor(t, time.Minute, "reconnection", mesh)
	// The backoff is at most 200 ms; allow for the handshakes on a busy
	// machine.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("reconnected after %v", d)
	}
}

// stallProxy forwards TCP connections to a target until stall is called,
// after which the existing links stop moving bytes in both directions
// without closing (a dead link: cable cut, peer frozen). New connections
// are still forwarded.
type stallProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex // guards stall, conns
	stall  chan struct{}
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newStallProxy(t testing.TB, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target, stall: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *stallProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		d, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, d)
		stall := p.stall
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, d, stall)
		go p.pipe(d, c, stall)
	}
}

func (p *stallProxy) pipe(dst, src net.Conn, stall chan struct{}) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-stall:
			// Swallow everything from now on.
			for err == nil {
				_, err = src.Read(buf)
			}
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// stallAll stalls the links open now.
func (p *stallProxy) stallAll() {
	p.mu.Lock()
	close(p.stall)
	p.stall = make(chan struct{})
	p.mu.Unlock()
}

func (p *stallProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestHostHeartbeat: when a link stalls, both ends notice within
// PingInterval+PongTimeout and the dialling side reconnects.
func TestHostHeartbeat(t *testing.T) {
	ca := newTestCA(t)
	_, dirA := ca.node(t, certs.Options{})
	_, dirB := ca.node(t, certs.Options{})
	heartbeat := func(c *HostConfig) {
		c.Transport.PingInterval = 200 * time.Millisecond
		c.Transport.PongTimeout = 400 * time.Millisecond
	}
	b := startHost(t, dirB, "", nil, heartbeat)
	proxy := newStallProxy(t, b.Addr().String())
	a := startHost(t, dirA, "", []peerlist.Peer{{Addr: proxy.ln.Addr().String(), ID: b.ID()}}, heartbeat)
	waitFor(t, time.Minute, "connection", func() bool { return a.connected(b.ID()) && b.connected(a.ID()) })
	// Idle for several ping intervals: pings keep the link up.
	time.Sleep(time.Second)
	if !a.connected(b.ID()) || a.Stats().Transport.HeartbeatTimeouts != 0 {
		t.Fatal("an idle healthy link was dropped")
	}
	if rtt := a.Peers()[0].RTT; rtt <= 0 {
		t.Errorf("no RTT measured")
	}

	proxy.stallAll()
	start := time.Now()
	waitFor(t, time.Minute, "both sides to drop the dead link", func() bool {
		return a.Stats().Transport.HeartbeatTimeouts > 0 && b.Stats().Transport.HeartbeatTimeouts > 0
	})
	// Bound: 600 ms of silence, detected within 1/8 of it, plus scheduling.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("dead link noticed after %v", d)
	}
	waitFor(t, time.Minute, "reconnection through the proxy", func() bool {
		return a.connected(b.ID()) && b.connected(a.ID())
	})
}

// TestHostUpdatePeers: reloading the list drops removed peers and dials new
// ones; reloading the same list changes nothing.
func TestHostUpdatePeers(t *testing.T) {
	ca := newTestCA(t)
	var hs []*testHost
	for range 3 {
		_, dir := ca.node(t, certs.Options{})
		hs = append(hs, startHost(t, dir, "", nil))
	}
	a, b, c := hs[0], hs[1], hs[2]
	if err := a.UpdatePeers([]peerlist.Peer{b.entry(false)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "a–b", func() bool { return a.connected(b.ID()) })
	since := a.Peers()[0].Since
	if err := a.UpdatePeers([]peerlist.Peer{b.entry(false)}); err != nil {
		t.Fatal(err)
	}
	if err := a.UpdatePeers([]peerlist.Peer{c.entry(true)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "a–c without a–b", func() bool {
		ids := peerIDs(a.Host)
		return len(ids) == 1 && ids[0] == c.ID() && !b.connected(a.ID())
	})
	// b was connected until the second change: the first was a no-op.
	if since.IsZero() {
		t.Error("no connection time")
	}
	// Back to b, pinned by ID this time.
	if err := a.UpdatePeers([]peerlist.Peer{b.entry(true), c.entry(true)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "a–b and a–c", func() bool { return len(a.Peers()) == 2 })
	if err := a.UpdatePeers([]peerlist.Peer{{Addr: "no-such-host.invalid:1"}}); err == nil {
		t.Error("unresolvable host accepted")
	}
	if len(a.Peers()) != 2 {
		t.Error("a failed update changed the peers")
	}
}

var (
	_ = errors.New
	_ = fmt.Sprint
	_ = io.EOF
)

// TestHostDuplicateKeepsProtocols: nodes that list each other dial each
// other at once; the connection both keep runs its protocols only after
// the duplicate's have ended, so a protocol that refuses a second session
// with one node (as topic and status do) never refuses the kept one.
func TestHostDuplicateKeepsProtocols(t *testing.T) {
	ca := newTestCA(t)
	var refused atomic.Int64
	exclusive := func() Protocol {
		var mu sync.Mutex
		running := map[enode.ID]bool{}
		return Protocol{Name: "excl", Version: 1, Commands: []string{"excl"}, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
			mu.Lock()
			if running[p.ID()] {
				mu.Unlock()
				refused.Add(1)
				return fmt.Errorf("already running: %w", p2p.DiscAlreadyConnected)
			}
			running[p.ID()] = true
			mu.Unlock()
			defer func() {
				mu.Lock()
				delete(running, p.ID())
				mu.Unlock()
			}()
			for {
				if _, err := rw.ReadMsg(); err != nil {
					return err
				}
			}
		}}
	}
	withExclusive := func(c *HostConfig) { c.Protocols = []Protocol{exclusive()} }
	for round := range 10 {
		_, da := ca.node(t, certs.Options{})
		_, db := ca.node(t, certs.Options{})
		a := startHost(t, da, "", nil, withExclusive)
		b := startHost(t, db, "", nil, withExclusive)
		list := []peerlist.Peer{a.entry(true), b.entry(true)}
		var wg sync.WaitGroup
		for _, h := range []*testHost{a, b} {
			wg.Go(func() {
				if err := h.UpdatePeers(list); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		waitFor(t, time.Minute, "the pair connected", func() bool { return a.connected(b.ID()) && b.connected(a.ID()) })
		time.Sleep(200 * time.Millisecond)
		if !a.connected(b.ID()) || !b.connected(a.ID()) {
			t.Fatalf("round %d: the pair lost its connection", round)
		}
		a.Close()
		b.Close()
	}
	if n := refused.Load(); n != 0 {
		t.Fatalf("the protocol was refused %d times: a kept connection ran beside its duplicate", n)
	}
}
