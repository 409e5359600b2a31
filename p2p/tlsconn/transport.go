package tlsconn

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

// Transport makes Conns: it runs the TLS handshake with the node's
// certificate, then version, verack and caps. One Transport serves every
// connection of a node; it is safe for concurrent use.
type Transport struct {
	cfg       Config
	id        enode.ID
	serverCfg *tls.Config
	caps      capsMsg
	nonces    nonceSet
	stats     counters
}

// NewTransport returns a Transport.
func NewTransport(cfg Config) (*Transport, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	leaf := cfg.Certificate.Leaf
	if leaf == nil {
		return nil, fmt.Errorf("%w: Certificate.Leaf is not set", ErrConfig)
	}
	id, err := certs.NodeID(leaf.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	t := &Transport{
		cfg:       cfg,
		id:        id,
		serverCfg: certs.ServerConfig(cfg.Certificate, cfg.Verifier),
		nonces:    nonceSet{m: map[uint64]struct{}{}},
	}
	if !cfg.Checksums {
		t.caps.Flags |= capsNoChecksum
	}
	for _, p := range cfg.Protocols {
		t.caps.Caps = append(t.caps.Caps, p.Cap())
	}
	return t, nil
}

// ID returns this node's ID.
func (t *Transport) ID() enode.ID { return t.id }

// Protocols returns the protocols the transport carries.
func (t *Transport) Protocols() []ProtocolSpec {
	return append([]ProtocolSpec(nil), t.cfg.Protocols...)
}

// Dial connects to addr over TCP and runs the handshake as the dialling
// side. expected is the node ID the peer must have, nil when only its
// address is known.
func (t *Transport) Dial(ctx context.Context, addr string, expected *enode.ID) (*Conn, error) {
	d := net.Dialer{Timeout: t.cfg.HandshakeTimeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		err = fmt.Errorf("tlsconn: dial %s: %w", addr, err)
		t.refused(false, nil, err, true)
		return nil, err
	}
	return t.Setup(ctx, raw, false, expected)
}

// Setup runs the handshake on raw: TLS 1.3 (as the server when inbound
// is true), then version, verack and caps, all within HandshakeTimeout.
// expected, for an outbound connection, is the node ID the peer must have.
// On success the Conn owns raw; on failure raw is closed, the refusal is
// counted by reason and logged, and the error wraps the reason's sentinel.
func (t *Transport) Setup(ctx context.Context, raw net.Conn, inbound bool, expected *enode.ID) (*Conn, error) {
	return t.setup(ctx, raw, inbound, expected, setupOpts{protocols: t.cfg.Protocols, caps: t.caps})
}

// setupOpts are what differs between Setup and the p2p/server Handshake.
type setupOpts struct {
	protocols []ProtocolSpec // offered, with their command tables
	caps      capsMsg        // the caps message sent
	// external: the owner drives liveness through the Keepalive methods;
	// no heartbeat goroutine, no idle deadline until SetIdleTimeout.
	external bool
}

func (t *Transport) setup(ctx context.Context, raw net.Conn, inbound bool, expected *enode.ID, opts setupOpts) (conn *Conn, err error) {
	hctx, cancel := context.WithTimeout(ctx, t.cfg.HandshakeTimeout)
	defer cancel()
	deadline, _ := hctx.Deadline()
	raw.SetDeadline(deadline)
	// A cancelled ctx unblocks the handshake's reads and writes at once.
	stop := context.AfterFunc(hctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if !stop() && err == nil {
			// The deadline fired as the handshake finished: the socket's
			// deadline is now in the past, so give up.
			conn.end(context.Cause(hctx), false)
			conn.wg.Wait()
			conn, err = nil, context.Cause(hctx)
		}
		if err != nil {
			// The socket's deadline is the handshake's: it may fire a moment
			// before the context's timer.
			timedOut := errors.Is(hctx.Err(), context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)
			if timedOut && ctx.Err() == nil && !errors.Is(err, ErrHandshakeTimeout) {
				err = fmt.Errorf("%w after %v: %w", ErrHandshakeTimeout, t.cfg.HandshakeTimeout, err)
			}
			raw.Close()
			t.refused(inbound, raw.RemoteAddr(), err, !opts.external)
			return
		}
		t.stats.accepted(inbound)
	}()

	var tc *tls.Conn
	if inbound {
		tc = tls.Server(raw, t.serverCfg)
	} else {
		tc = tls.Client(raw, certs.ClientConfig(t.cfg.Certificate, t.cfg.Verifier, expected))
	}
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, fmt.Errorf("tlsconn: TLS handshake with %v: %w", raw.RemoteAddr(), err)
	}
	id, err := certs.PeerID(tc.ConnectionState())
	if err != nil {
		return nil, err
	}
	if id == t.id {
		return nil, fmt.Errorf("%w: peer has our node ID %v", ErrSelf, id.TerminalString())
	}
	c := t.newConn(tc, raw, inbound, id)
	if err := t.exchange(c, opts); err != nil {
		if errors.Is(err, ErrRemoteRefused) || ReasonOf(err) == ReasonNetwork {
			return nil, err
		}
		// Tell the peer why, best effort.
		if wd := time.Now().Add(disconnectTimeout); wd.Before(deadline) {
			raw.SetWriteDeadline(wd)
		}
		writeFrame(tc, c.wbuf, c.net, CmdDisconnect, []byte{byte(discReasonOf(err))}, true)
		return nil, err
	}
	raw.SetDeadline(time.Time{})
	if opts.external {
		c.start(0, false)
	} else {
		c.start(t.cfg.PingInterval+t.cfg.PongTimeout, true)
	}
	t.cfg.Logger.Debug("Peer connected", "peer", id.TerminalString(), "addr", raw.RemoteAddr(),
		"inbound", inbound, "protocols", len(c.shared), "checksums", c.check)
	return c, nil
}

func (t *Transport) newConn(tc *tls.Conn, raw net.Conn, inbound bool, id enode.ID) *Conn {
	dr := &deadlineReader{c: tc}
	return &Conn{
		tc:           tc,
		raw:          raw,
		net:          t.cfg.Net,
		id:           id,
		inbound:      inbound,
		check:        true,
		maxSize:      t.cfg.MaxMessageSize,
		now:          t.cfg.Now,
		log:          t.cfg.Logger,
		stats:        &t.stats,
		obs:          t.cfg.Observer,
		pingInterval: t.cfg.PingInterval,
		writeTimeout: t.cfg.WriteTimeout,
		dr:           dr,
		buffers:      payloadBuffers,
		fr:           &frameReader{r: bufio.NewReaderSize(dr, readBufferSize), net: t.cfg.Net, maxSize: t.cfg.MaxMessageSize},
		wsem:         make(chan struct{}, 1),
		wbuf:         make([]byte, 0, 512),
		qmax:         t.cfg.QueueSize,
		qmaxBytes:    t.cfg.QueueBytes,
		notEmpty:     make(chan struct{}, 1),
		notFull:      make(chan struct{}, 1),
		rdlChange:    make(chan struct{}, 1),
		pongReq:      make(chan uint64, 1),
		pingCh:       make(chan struct{}, 1),
		quit:         make(chan struct{}),
	}
}

// exchange runs version, verack and caps, in Bitcoin's order: the dialling
// side sends version first; the listening side answers with its version,
// verack and caps in one write; the dialling side then sends verack and
// caps. Each side speaks only after the other's turn, so the exchange needs
// no buffering from the connection (net.Pipe, fault-injection wrappers) and
// costs the listener half a round trip over sending both versions at once.
func (t *Transport) exchange(c *Conn, opts setupOpts) error {
	nonce := t.nonces.add()
	defer t.nonces.remove(nonce)
	var height int32
	if t.cfg.BestHeight != nil {
		height = t.cfg.BestHeight()
	}
	ver := &wire.MsgVersion{
		ProtocolVersion: int32(t.cfg.ProtocolVersion),
		Services:        t.cfg.Services,
		Timestamp:       t.cfg.Now().Unix(),
		AddrRecv:        netAddress(c.raw.RemoteAddr()),
		AddrFrom:        netAddress(c.raw.LocalAddr()),
		Nonce:           nonce,
		UserAgent:       t.cfg.UserAgent,
		StartHeight:     height,
		Relay:           true,
	}
	ver.AddrFrom.Services = t.cfg.Services
	verPayload, err := ver.Encode(nil, t.cfg.ProtocolVersion, wire.BaseEncoding)
	if err != nil {
		return err
	}
	capsPayload, err := appendCaps(nil, opts.caps)
	if err != nil {
		return err
	}
	// ours is what this side sends at its turn after reading the peer's
	// version: the listener's version first.
	ours := c.wbuf[:0]
	if c.inbound {
		ours = appendFrame(ours, c.net, wire.CmdVersion, verPayload, true)
	} else if _, err := c.tc.Write(appendFrame(ours, c.net, wire.CmdVersion, verPayload, true)); err != nil {
		return fmt.Errorf("tlsconn: sending version: %w", err)
	}

	p, err := t.expect(c, wire.CmdVersion, (&wire.MsgVersion{}).MaxPayloadLength(0))
	if err != nil {
		return err
	}
	if err := c.version.Decode(p, t.cfg.ProtocolVersion, wire.BaseEncoding); err != nil {
		return fmt.Errorf("%w: version: %w", ErrProtocol, err)
	}
	if t.nonces.contains(c.version.Nonce) {
		return fmt.Errorf("%w: version nonce %x is ours", ErrSelf, c.version.Nonce)
	}
	if c.version.ProtocolVersion < 0 || uint32(c.version.ProtocolVersion) < t.cfg.MinProtocolVersion {
		return fmt.Errorf("%w: peer speaks %d, at least %d required", ErrIncompatibleVersion,
			c.version.ProtocolVersion, t.cfg.MinProtocolVersion)
	}

	ours = appendFrame(ours, c.net, wire.CmdVerAck, nil, true)
	ours = appendFrame(ours, c.net, CmdCaps, capsPayload, true)
	if _, err := c.tc.Write(ours); err != nil {
		return fmt.Errorf("tlsconn: sending verack and caps: %w", err)
	}

	if _, err := t.expect(c, wire.CmdVerAck, 0); err != nil {
		return err
	}
	p, err = t.expect(c, CmdCaps, maxCapsPayload)
	if err != nil {
		return err
	}
	remote, err := decodeCaps(p)
	if err != nil {
		return err
	}
	c.caps = remote.Caps
	c.shared = matchProtocols(opts.protocols, remote.Caps)
	if len(c.shared) == 0 {
		return fmt.Errorf("%w: peer runs %v", ErrNoSharedProtocol, remote.Caps)
	}
	c.codes = map[string]uint64{}
	for _, s := range c.shared {
		for i, cmd := range s.Commands {
			code := s.Offset + uint64(i)
			c.commands = append(c.commands, cmd)
			if !isReserved(cmd) {
				c.codes[cmd] = code
			}
		}
	}
	c.check = opts.caps.Flags&capsNoChecksum == 0 || remote.Flags&capsNoChecksum == 0
	return nil
}

// expect reads the next envelope, which must be cmd with a payload of at
// most max bytes. A disconnect message is the peer's refusal.
func (t *Transport) expect(c *Conn, cmd string, max uint32) ([]byte, error) {
	h, err := c.fr.readHeader()
	if err != nil {
		return nil, fmt.Errorf("tlsconn: waiting for %s: %w", cmd, err)
	}
	if h.cmd == CmdDisconnect {
		err := readDisconnect(c.fr, h, true)
		if errors.Is(err, ErrRemoteDisconnect) {
			return nil, fmt.Errorf("%w: %w", ErrRemoteRefused, err)
		}
		return nil, err
	}
	if h.cmd != cmd {
		return nil, fmt.Errorf("%w: got %q, want %q", ErrProtocol, h.cmd, cmd)
	}
	// Capped before reading: the handshake messages are small.
	if h.length > max {
		return nil, fmt.Errorf("%w: %s of %d bytes, at most %d", ErrProtocol, cmd, h.length, max)
	}
	p, err := c.fr.readPayload(h, true)
	if err != nil {
		if errors.Is(err, wire.ErrBadChecksum) {
			return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return nil, err
	}
	return p, nil
}

func netAddress(a net.Addr) wire.NetAddress {
	var ap netip.AddrPort
	if ta, ok := a.(*net.TCPAddr); ok {
		ap = ta.AddrPort()
	}
	return wire.NetAddress{IP: ap.Addr().Unmap(), Port: ap.Port()}
}

// refused counts and logs a failed handshake, and reports it to the
// observer when report is set (p2p/server reports its own).
func (t *Transport) refused(inbound bool, addr net.Addr, err error, report bool) {
	r := ReasonOf(err)
	t.stats.refused(inbound, r)
	if o := t.cfg.Observer; o != nil && report {
		o.HandshakeFailed(transportName, r.String())
	}
	level := slog.LevelDebug
	if r >= ReasonNoCertificate && r <= ReasonOldTLSVersion || r == ReasonSelf || r == ReasonWrongNetwork ||
		r == ReasonIncompatibleVersion || r == ReasonProtocol {
		level = slog.LevelInfo
	}
	t.cfg.Logger.Log(context.Background(), level, "Handshake failed",
		"addr", addr, "inbound", inbound, "reason", r.String(), "err", err)
}

// nonceSet holds the version nonces of handshakes in flight, to recognise a
// connection to ourselves.
type nonceSet struct {
	mu sync.Mutex // guards m
	m  map[uint64]struct{}
}

func (s *nonceSet) add() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		n := rand.Uint64()
		if _, dup := s.m[n]; !dup && n != 0 {
			s.m[n] = struct{}{}
			return n
		}
	}
}

func (s *nonceSet) remove(n uint64) {
	s.mu.Lock()
	delete(s.m, n)
	s.mu.Unlock()
}

func (s *nonceSet) contains(n uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[n]
	return ok
}

// Stats are a Transport's counters, for metrics.
type Stats struct {
	// Handshakes completed, by direction.
	InboundHandshakes, OutboundHandshakes uint64
	// HeartbeatTimeouts counts connections ended because nothing arrived
	// for PingInterval+PongTimeout.
	HeartbeatTimeouts uint64
	// Refused counts failed handshakes and refused admissions by reason,
	// inbound (the peer dialled us) and outbound.
	Refused map[Reason]Refusals
}

// Refusals is a pair of counters of one reason.
type Refusals struct{ Inbound, Outbound uint64 }

type counters struct {
	in, out   atomic.Uint64
	heartbeat atomic.Uint64
	reasons   [numReasons][2]atomic.Uint64 // [reason][inbound]
}

func (c *counters) accepted(inbound bool) {
	if inbound {
		c.in.Add(1)
	} else {
		c.out.Add(1)
	}
}

func (c *counters) refused(inbound bool, r Reason) {
	i := 0
	if inbound {
		i = 1
	}
	if r >= numReasons {
		r = ReasonOther
	}
	c.reasons[r][i].Add(1)
}

// Stats returns the transport's counters; reasons never seen are left out.
func (t *Transport) Stats() Stats {
	s := Stats{
		InboundHandshakes:  t.stats.in.Load(),
		OutboundHandshakes: t.stats.out.Load(),
		HeartbeatTimeouts:  t.stats.heartbeat.Load(),
		Refused:            map[Reason]Refusals{},
	}
	for r := range numReasons {
		in, out := t.stats.reasons[r][1].Load(), t.stats.reasons[r][0].Load()
		if in != 0 || out != 0 {
			s.Refused[r] = Refusals{Inbound: in, Outbound: out}
		}
	}
	return s
}

// countRefusal counts a refusal decided above the transport (admission to
// the peer set) under the same reasons.
func (t *Transport) countRefusal(inbound bool, err error) Reason {
	r := ReasonOf(err)
	t.stats.refused(inbound, r)
	if o := t.cfg.Observer; o != nil {
		o.HandshakeFailed(transportName, r.String())
	}
	return r
}
