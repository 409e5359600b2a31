package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Errors a protocol sees from its MsgReadWriter.
var (
	// ErrPeerClosed is returned by reads and writes once the peer is
	// disconnecting.
	ErrPeerClosed = errors.New("server: peer disconnected")
	// ErrInvalidCode means a protocol wrote a code outside 0..Length-1;
	// nothing was sent and the peer stays connected.
	ErrInvalidCode = errors.New("server: message code out of the protocol's range")
	// ErrQueueStalled ends a peer whose messages for a protocol waited
	// Config.QueueTimeout for room in its full inbound queue.
	ErrQueueStalled = errors.New("server: protocol inbound queue stalled")
	// ErrUnknownCode ends a peer that sent a code no matched protocol owns.
	ErrUnknownCode = errors.New("server: message code owned by no protocol")
)

// Peer is a connected peer, as its protocols see it. Its methods are safe
// for concurrent use.
//
// A peer runs these goroutines, all ended and waited for before the server
// reports it dropped: the owner (which waits for the first cause to end,
// then closes the session), a reader that reads every message and hands it
// to its protocol's queue, a keepalive loop when the session has one, and
// one goroutine per matched protocol running Protocol.Run.
//
// Writes: every frame goes out under one write token (a channel of size 1),
// held by the protocol goroutine or keepalive loop that writes, with
// Config.WriteTimeout as the write deadline, so frames never interleave and
// a peer that stops reading costs a writer at most the timeout. A failed
// write ends the peer.
//
// Reads: each protocol has an inbound queue of Config.ProtocolQueue
// messages. When it is full the reader waits (TCP flow control then slows
// the sender) for up to Config.QueueTimeout; if the protocol has taken
// nothing by then the peer is disconnected with p2p.DiscSubprotocolError.
// Both are counted (Stats.QueueFull, Stats.QueueStalls); a stall also
// reports the message that found no room to Config.Observer as dropped. Messages are never
// dropped: a request/response protocol cannot survive losing one, and a
// peer that floods us is better cut than silently thinned. The keepalive
// does not depend on the reader's progress: Pings go out from their own
// loop, so a slow protocol does not get an honest peer dropped for silence.
type Peer struct {
	conn      p2p.Conn
	ka        Keepalive // nil when the session has none
	id        enode.ID
	name      string
	caps      []Cap
	inbound   bool
	transport string
	codeBase  uint64
	since     time.Time
	dialPeer  dial.Peer
	protos    []*protoRW
	cfg       *peerConfig
	log       *slog.Logger

	wtoken  chan struct{} // write token: one frame at a time
	closing chan struct{} // closed when the owner starts shutting down
	gone    chan struct{} // closed when the server is done with the peer
	ends    chan endCause // cap 1: the first cause wins
	wg      sync.WaitGroup
}

// peerConfig is what every peer of a server shares.
type peerConfig struct {
	pingInterval time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration
	queueSize    int
	queueTimeout time.Duration
	clock        dial.Clock
	stats        *counters
	obs          p2p.Observer // nil: none
}

// endCause is why a peer ends.
type endCause struct {
	reason p2p.DiscReason
	remote bool // the peer sent Disconnect
	err    error
}

// protoRW is one protocol's slice of the session.
type protoRW struct {
	match
	p  *Peer
	in chan p2p.Msg
}

var _ p2p.MsgReadWriter = (*protoRW)(nil)

func newPeer(sess *Session, transport string, inbound bool, dp dial.Peer, ms []match, cfg *peerConfig, log *slog.Logger) *Peer {
	p := &Peer{
		conn:      sess.Conn,
		id:        sess.ID,
		name:      sess.Name,
		caps:      sess.Caps,
		inbound:   inbound,
		transport: transport,
		codeBase:  sess.CodeBase,
		since:     cfg.clock.Now(),
		dialPeer:  dp,
		cfg:       cfg,
		wtoken:    make(chan struct{}, 1),
		closing:   make(chan struct{}),
		gone:      make(chan struct{}),
		ends:      make(chan endCause, 1),
	}
	p.ka, _ = sess.Conn.(Keepalive)
	p.log = log.With("peer", p.id.TerminalString(), "addr", p.conn.RemoteAddr().String(), "inbound", inbound)
	for _, m := range ms {
		p.protos = append(p.protos, &protoRW{match: m, p: p, in: make(chan p2p.Msg, cfg.queueSize)})
	}
	return p
}

// ID returns the peer's node ID.
func (p *Peer) ID() enode.ID { return p.id }

// Name returns the client name the peer announced.
func (p *Peer) Name() string { return p.name }

// Caps returns the capabilities the peer offered.
func (p *Peer) Caps() []Cap { return append([]Cap(nil), p.caps...) }

// Inbound reports whether the peer connected to us.
func (p *Peer) Inbound() bool { return p.inbound }

// RemoteAddr returns the peer's address.
func (p *Peer) RemoteAddr() net.Addr { return p.conn.RemoteAddr() }

// LocalAddr returns our end's address.
func (p *Peer) LocalAddr() net.Addr { return p.conn.LocalAddr() }

// Log returns the peer's logger, with its ID and address attached.
func (p *Peer) Log() *slog.Logger { return p.log }

// Done is closed when the peer starts disconnecting.
func (p *Peer) Done() <-chan struct{} { return p.closing }

// Disconnect ends the connection with reason. It returns at once; the
// peer's goroutines end soon after.
func (p *Peer) Disconnect(reason p2p.DiscReason) {
	p.end(endCause{reason: reason, err: fmt.Errorf("server: disconnect requested: %w", reason)})
}

func (p *Peer) end(c endCause) {
	select {
	case p.ends <- c:
	default: // a cause is already pending; the first one wins
	}
}

// run runs the peer until the first cause to end it, then closes the
// session, waits for every goroutine of the peer, and returns the cause.
func (p *Peer) run() endCause {
	if p.ka != nil {
		p.ka.SetIdleTimeout(p.cfg.readTimeout)
		p.wg.Add(1)
		go p.keepaliveLoop()
	}
	p.wg.Add(1 + len(p.protos))
	go p.readLoop()
	for _, pr := range p.protos {
		go p.runProtocol(pr)
	}
	cause := <-p.ends
	close(p.closing)
	p.conn.Close(cause.reason)
	p.wg.Wait()
	return cause
}

func (p *Peer) runProtocol(pr *protoRW) {
	defer p.wg.Done()
	err := pr.Run(p, pr)
	if err == nil {
		err = ErrProtocolReturned
	}
	p.end(endCause{reason: p2p.DiscReasonOf(err), err: fmt.Errorf("protocol %s: %w", pr.Cap(), err)})
}

func (p *Peer) readLoop() {
	defer p.wg.Done()
	for {
		if p.ka == nil {
			p.conn.SetReadDeadline(p.cfg.clock.Now().Add(p.cfg.readTimeout))
		}
		msg, err := p.conn.ReadMsg()
		if err != nil {
			p.end(readCause(err))
			return
		}
		pr := p.protoFor(msg.Code)
		if pr == nil {
			p.end(endCause{reason: p2p.DiscProtocolError, err: fmt.Errorf("%w: %d", ErrUnknownCode, msg.Code)})
			return
		}
		msg.Code -= pr.offset
		if o := p.cfg.obs; o != nil {
			o.MsgIn(pr.Name, pr.command(msg.Code), len(msg.Payload))
		}
		if !p.deliver(pr, msg) {
			return
		}
	}
}

// readCause classifies a read error.
func readCause(err error) endCause {
	var rr interface{ RemoteReason() p2p.DiscReason }
	switch {
	case errors.As(err, &rr):
		return endCause{reason: rr.RemoteReason(), remote: true, err: err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return endCause{reason: p2p.DiscReadTimeout, err: err}
	case errors.Is(err, p2p.ErrMsgTooLarge):
		return endCause{reason: p2p.DiscProtocolError, err: err}
	}
	return endCause{reason: p2p.DiscNetworkError, err: err}
}

func (p *Peer) protoFor(code uint64) *protoRW {
	for _, pr := range p.protos {
		if code >= pr.offset && code-pr.offset < pr.Length {
			return pr
		}
	}
	return nil
}

// deliver queues msg for its protocol; see Peer for what happens when the
// queue is full. It returns false when the reader must stop.
func (p *Peer) deliver(pr *protoRW, msg p2p.Msg) bool {
	select {
	case pr.in <- msg:
		return true
	case <-p.closing:
		return false
	default:
	}
	p.cfg.stats.queueFull.Add(1)
	t := p.cfg.clock.NewTimer(p.cfg.queueTimeout)
	defer t.Stop()
	select {
	case pr.in <- msg:
		return true
	case <-p.closing:
		return false
	case <-t.C():
		p.cfg.stats.queueStalls.Add(1)
		if o := p.cfg.obs; o != nil {
			o.Dropped(inboxQueue(pr.Name))
		}
		p.end(endCause{reason: p2p.DiscSubprotocolError, err: fmt.Errorf("%w: %s, %d messages waiting", ErrQueueStalled, pr.Cap(), len(pr.in))})
		return false
	}
}

// keepaliveLoop sends a Ping every pingInterval (none when it is zero) and
// answers the peer's Pings.
func (p *Peer) keepaliveLoop() {
	defer p.wg.Done()
	var (
		t     dial.Timer
		tick  <-chan time.Time
		reset = func() {
			if p.cfg.pingInterval > 0 {
				t = p.cfg.clock.NewTimer(p.cfg.pingInterval)
				tick = t.C()
			}
		}
	)
	reset()
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		select {
		case <-tick:
			if p.write(p.ka.SendPing) != nil {
				return
			}
			reset()
		case <-p.ka.PingReceived():
			if p.write(p.ka.SendPong) != nil {
				return
			}
		case <-p.closing:
			return
		}
	}
}

// write runs send holding the write token, under the write deadline. A
// failure other than a refused oversized message ends the peer.
func (p *Peer) write(send func() error) error {
	select {
	case p.wtoken <- struct{}{}:
	case <-p.closing:
		return ErrPeerClosed
	}
	defer func() { <-p.wtoken }()
	select {
	case <-p.closing:
		return ErrPeerClosed
	default:
	}
	p.conn.SetWriteDeadline(p.cfg.clock.Now().Add(p.cfg.writeTimeout))
	err := send()
	if err != nil && !errors.Is(err, p2p.ErrMsgTooLarge) {
		p.end(endCause{reason: p2p.DiscNetworkError, err: fmt.Errorf("server: write: %w", err)})
	}
	return err
}

// ReadMsg returns the protocol's next message, codes from 0.
func (pr *protoRW) ReadMsg() (p2p.Msg, error) {
	select {
	case m := <-pr.in:
		return m, nil
	case <-pr.p.closing:
		return p2p.Msg{}, ErrPeerClosed
	}
}

// WriteMsg sends msg, whose code is the protocol's own. It is safe for
// concurrent use.
func (pr *protoRW) WriteMsg(msg p2p.Msg) error {
	if msg.Code >= pr.Length {
		return fmt.Errorf("%w: %s code %d, length %d", ErrInvalidCode, pr.Cap(), msg.Code, pr.Length)
	}
	code := msg.Code
	msg.Code += pr.offset
	err := pr.p.write(func() error { return pr.p.conn.WriteMsg(msg) })
	if o := pr.p.cfg.obs; o != nil && err == nil {
		o.MsgOut(pr.Name, pr.command(code), len(msg.Payload))
	}
	return err
}

// PeerInfo describes a connected peer.
type PeerInfo struct {
	ID      enode.ID
	Name    string // client name from the handshake
	Caps    []Cap  // capabilities the peer offered
	Running []ProtocolInfo
	// RemoteAddr and LocalAddr are the connection's endpoints.
	RemoteAddr string
	LocalAddr  string
	Inbound    bool
	Static     bool
	Transport  string
	Since      time.Time
}

// ProtocolInfo is a protocol running with a peer and where its codes sit
// on the wire.
type ProtocolInfo struct {
	Name    string
	Version uint
	Offset  uint64 // wire code of the protocol's code 0
	Length  uint64
}

// Info returns a description of the peer.
func (p *Peer) Info() PeerInfo {
	info := PeerInfo{
		ID: p.id, Name: p.name, Caps: p.Caps(),
		RemoteAddr: p.conn.RemoteAddr().String(), LocalAddr: p.conn.LocalAddr().String(),
		Inbound: p.inbound, Transport: p.transport, Since: p.since,
	}
	for _, pr := range p.protos {
		info.Running = append(info.Running, ProtocolInfo{Name: pr.Name, Version: pr.Version, Offset: p.codeBase + pr.offset, Length: pr.Length})
	}
	return info
}

// counters are the server's metrics; every field is updated atomically.
type counters struct {
	accepted, inboundRefused, handshakeSlotsFull    atomic.Uint64
	handshakes, handshakeErrors, handshakeTimeouts  atomic.Uint64
	uselessPeers, peersRefused, peersAdded, dropped atomic.Uint64
	queueFull, queueStalls, eventsDropped           atomic.Uint64
}
