package btcpeer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Peer is one connection speaking the chain protocol. Make it with New, run
// it with Run; every other method is safe to call from any goroutine,
// including from the Handler and OnMisbehavior, and none of them blocks.
type Peer struct {
	cfg     Config
	conn    p2p.Conn
	inbound bool
	log     *slog.Logger
	clock   p2p.Clock

	queue     *sendQueue
	readCh    chan inMsg        // reader -> loop
	handlerCh chan wire.Message // loop -> handler
	armCh     chan *expectation // writer -> loop, just before a request is written

	started  atomic.Bool
	closing  chan struct{} // closed by disconnect
	discOnce sync.Once
	discErr  *DisconnectError // written once, before closing is closed
	done     chan struct{}    // closed when Run has returned

	ready  chan struct{} // closed by the loop when the handshake is done
	remote remoteInfo    // written by the loop before ready is closed; read-only after

	// pver is the negotiated version, 0 until the peer's version arrived.
	// The reader sets it (before it decodes anything that follows version);
	// the writer reads it.
	pver atomic.Uint32

	// State the loop or the reader sets and anyone may read.
	sendHeaders   atomic.Bool
	wantsAddrV2   atomic.Bool
	wtxidRelay    atomic.Bool
	feeFilter     atomic.Int64
	cmpctAnnounce atomic.Bool
	cmpctVersion  atomic.Uint64
	pingRTT       atomic.Int64 // nanoseconds; 0 until the first pong
	score         atomic.Int64
	stats         []counters // indexed by code
	createdAt     time.Time
}

// remoteInfo is what the peer's version message said.
type remoteInfo struct {
	version     int32
	services    wire.ServiceFlag
	userAgent   string
	startHeight int32
	relay       bool
	readyAt     time.Time
}

type counters struct {
	msgsIn, bytesIn, msgsOut, bytesOut atomic.Uint64
}

// inMsg is a decoded message on its way from the reader to the loop.
type inMsg struct {
	msg  wire.Message
	cmd  string
	size int       // payload bytes
	at   time.Time // when the reader had it
}

// New returns a peer over conn, which must carry the chain protocol's
// command table (Commands). inbound says who dialled: an outbound peer sends
// version first and must offer Config.RequiredServices. The peer owns conn
// and closes it when it ends.
func New(conn p2p.Conn, inbound bool, cfg Config) *Peer {
	cfg = cfg.withDefaults()
	p := &Peer{
		cfg:       cfg,
		conn:      conn,
		inbound:   inbound,
		clock:     cfg.Clock,
		queue:     newSendQueue(cfg.ControlQueueSize, cfg.DataQueueSize),
		readCh:    make(chan inMsg),
		handlerCh: make(chan wire.Message),
		armCh:     make(chan *expectation),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
		ready:     make(chan struct{}),
		stats:     make([]counters, len(commands)),
		createdAt: cfg.Clock.Now(),
	}
	addr := ""
	if a := conn.RemoteAddr(); a != nil {
		addr = a.String()
	}
	p.log = cfg.Logger.With("peer", addr, "inbound", inbound)
	return p
}

// Run runs the peer until it disconnects: the handshake, then messages to
// the Handler. Cancelling ctx disconnects it with p2p.DiscQuitting. Run
// returns only after every goroutine of the peer has stopped and the
// connection is closed; the error is the *DisconnectError that ended it.
func (p *Peer) Run(ctx context.Context) error {
	if !p.started.CompareAndSwap(false, true) {
		return errors.New("btcpeer: Run called twice")
	}
	var wg sync.WaitGroup
	wg.Go(p.readLoop)
	wg.Go(p.writeLoop)
	wg.Go(p.handleLoop)
	p.loop(ctx)
	p.queue.close()
	p.conn.Close(p.discErr.Reason)
	wg.Wait()
	p.log.Debug("peer ended", "err", p.discErr)
	close(p.done)
	return p.discErr
}

// Ready is closed when the handshake has completed.
func (p *Peer) Ready() <-chan struct{} { return p.ready }

// Closing is closed as soon as the peer starts to disconnect.
func (p *Peer) Closing() <-chan struct{} { return p.closing }

// Done is closed when Run has returned.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err returns why the peer disconnected, or nil while it has not.
func (p *Peer) Err() error {
	select {
	case <-p.closing:
		return p.discErr
	default:
		return nil
	}
}

// Disconnect ends the peer. reason is recorded (the first reason wins); a
// p2p.DiscReason in its chain becomes the DisconnectError's Reason, nil
// means p2p.DiscRequested. It does not wait: use Done.
func (p *Peer) Disconnect(reason error) {
	var de *DisconnectError
	switch {
	case reason == nil:
		de = discErr(p2p.DiscRequested, nil)
	case errors.As(reason, &de):
	default:
		var r p2p.DiscReason
		if !errors.As(reason, &r) {
			r = p2p.DiscRequested
		}
		de = discErr(r, reason)
	}
	p.disconnect(de)
}

func (p *Peer) disconnect(e *DisconnectError) {
	p.discOnce.Do(func() {
		p.discErr = e
		close(p.closing)
		p.log.Debug("disconnecting", "reason", e)
	})
}

func (p *Peer) isClosing() bool {
	select {
	case <-p.closing:
		return true
	default:
		return false
	}
}

// Misbehaving adds points to the peer's misbehaviour score, tells
// Config.OnMisbehavior, and disconnects the peer when the score reaches
// Config.BanThreshold. The ban decision is the caller's.
func (p *Peer) Misbehaving(points int, reason string) {
	if points <= 0 {
		return
	}
	score := int(p.score.Add(int64(points)))
	th := p.cfg.BanThreshold
	reached := score >= th && score-points < th
	p.log.Warn("misbehaving", "points", points, "score", score, "reason", reason)
	if score >= th {
		p.disconnect(discErr(p2p.DiscProtocolError, fmt.Errorf("%w: %d: %s", ErrBanScore, score, reason)))
	}
	if p.cfg.OnMisbehavior != nil {
		p.cfg.OnMisbehavior(p, Misbehavior{Points: points, Score: score, Reason: reason, Threshold: reached})
	}
}

// violation ends the peer for err and scores it.
func (p *Peer) violation(reason p2p.DiscReason, err error, points int) {
	p.disconnect(discErr(reason, err))
	p.Misbehaving(points, err.Error())
}

// Send queues msg for the peer. It never blocks: a full data queue drops the
// message and returns ErrSendQueueFull. Requests (getheaders, getdata,
// getblocks) arm a stall deadline for their response unless
// Config.NoStallDetection is set. Data messages queued before the handshake
// completes wait for it.
func (p *Peer) Send(msg wire.Message) error { return p.QueueMessage(msg, nil) }

// QueueMessage is Send with a done channel, which receives nil once the
// message is written, or the error that kept it from being written. done
// should have room for one value: the peer never blocks on it. When
// QueueMessage itself returns an error, done receives nothing.
func (p *Peer) QueueMessage(msg wire.Message, done chan<- error) error {
	var exp *expectation
	if !p.cfg.NoStallDetection {
		exp = p.defaultExpectation(msg, 0)
	}
	return p.queueData(msg, done, exp)
}

// Request queues msg like Send and arms a deadline: a response with one of
// the given commands must arrive within timeout of the write, or the peer is
// stalling (ErrStalled, ScoreStall points, disconnect). With no commands
// the defaults for msg's command apply (getheaders: headers; getdata: one
// block, tx or notfound per item; getblocks: inv). timeout 0 means
// Config.StallTimeout, or HeadersTimeout for getheaders. The clock stops
// while the peer waits for our handler (see the package doc).
func (p *Peer) Request(msg wire.Message, timeout time.Duration, responses ...string) error {
	exp := p.defaultExpectation(msg, timeout)
	if len(responses) > 0 {
		if timeout <= 0 {
			timeout = p.cfg.StallTimeout
		}
		exp = &expectation{cmds: responses, count: 1, timeout: timeout}
	}
	return p.queueData(msg, nil, exp)
}

// defaultExpectation is btcd's table of responses a request waits for.
// mempool is left out: a peer with an empty mempool sends nothing back.
func (p *Peer) defaultExpectation(msg wire.Message, timeout time.Duration) *expectation {
	to := func(d time.Duration) time.Duration {
		if timeout > 0 {
			return timeout
		}
		return d
	}
	switch m := msg.(type) {
	case *wire.MsgGetHeaders:
		return &expectation{cmds: []string{wire.CmdHeaders}, count: 1, timeout: to(p.cfg.HeadersTimeout)}
	case *wire.MsgGetBlocks:
		return &expectation{cmds: []string{wire.CmdInv}, count: 1, timeout: to(p.cfg.StallTimeout)}
	case *wire.MsgGetData:
		n := 0
		for _, iv := range m.InvList {
			switch iv.Type &^ wire.InvWitnessFlag {
			case wire.InvTypeBlock, wire.InvTypeTx, wire.InvTypeWTx:
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return &expectation{cmds: []string{wire.CmdBlock, wire.CmdTx, wire.CmdNotFound}, count: n, timeout: to(p.cfg.StallTimeout)}
	}
	return nil
}

func (p *Peer) queueData(msg wire.Message, done chan<- error, exp *expectation) error {
	code, ok := commandCodes[msg.Command()]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownCommand, msg.Command())
	}
	err := p.queue.push(&outMsg{msg: msg, code: code, done: done, expect: exp}, false)
	if o := p.cfg.Observer; o != nil && errors.Is(err, ErrSendQueueFull) {
		o.Dropped(queueSend)
	}
	return err
}

// pushControl queues a handshake or liveness message. A full control queue
// means the peer is not reading what we must send: it is disconnected.
func (p *Peer) pushControl(msg wire.Message) {
	err := p.queue.push(&outMsg{msg: msg, code: commandCodes[msg.Command()], control: true}, true)
	if errors.Is(err, ErrControlQueueFull) {
		p.disconnect(discErr(p2p.DiscNetworkError, err))
	}
}

// negotiated returns the version to encode and decode with: the negotiated
// one, or ours before the peer's version arrived.
func (p *Peer) negotiated() uint32 {
	if v := p.pver.Load(); v != 0 {
		return v
	}
	return p.cfg.ProtocolVersion
}

// readLoop reads and decodes messages and hands them to the loop.
func (p *Peer) readLoop() {
	for {
		m, err := p.conn.ReadMsg()
		if err != nil {
			p.readFailed(err)
			return
		}
		at := p.clock.Now()
		if m.Code >= uint64(len(commands)) {
			p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: code %d from the transport", ErrMalformed, m.Code), ScoreMalformed)
			return
		}
		cmd := commands[m.Code]
		msg := wire.MakeEmptyMessage(cmd)
		// Witness encoding reads both forms (Core's rule: an empty input
		// list followed by a flag byte marks the extended form).
		if err := msg.Decode(m.Payload, p.negotiated(), wire.WitnessEncoding); err != nil {
			p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: %s: %w", ErrMalformed, cmd, err), ScoreMalformed)
			return
		}
		c := &p.stats[m.Code]
		c.msgsIn.Add(1)
		c.bytesIn.Add(uint64(len(m.Payload)) + wire.MessageHeaderSize)
		if o := p.cfg.Observer; o != nil {
			o.MsgIn(observedProtocol, cmd, len(m.Payload))
		}
		if v, ok := msg.(*wire.MsgVersion); ok && v.ProtocolVersion > 0 {
			// Set here, not in the loop, so that what follows version is
			// decoded with the negotiated version.
			p.pver.CompareAndSwap(0, min(p.cfg.ProtocolVersion, uint32(v.ProtocolVersion)))
		}
		select {
		case p.readCh <- inMsg{msg: msg, cmd: cmd, size: len(m.Payload), at: at}:
		case <-p.closing:
			return
		}
	}
}

// readFailed classifies a read error into a disconnect reason and score.
func (p *Peer) readFailed(err error) {
	if p.isClosing() {
		return // our own Close ended the read
	}
	var me *wire.MessageError
	switch {
	case errors.Is(err, p2p.ErrMsgTooLarge), errors.As(err, &me):
		p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: %w", ErrMalformed, err), ScoreMalformed)
	case errors.Is(err, io.ErrUnexpectedEOF):
		p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: %w", ErrTruncated, err), ScoreTruncated)
	default:
		p.disconnect(discErr(p2p.DiscNetworkError, fmt.Errorf("%w: %w", ErrConnection, err)))
	}
}

// writeLoop writes queued messages, control first.
func (p *Peer) writeLoop() {
	for {
		m := p.queue.next()
		if m == nil {
			return
		}
		enc := wire.BaseEncoding
		if !m.control && p.remote.services.Has(wire.SFNodeWitness) {
			// Data is only taken after the handshake, so remote is set.
			enc = wire.WitnessEncoding
		}
		payload, err := m.msg.Encode(nil, p.negotiated(), enc)
		if err != nil {
			p.log.Error("cannot encode message", "cmd", m.msg.Command(), "err", err)
			m.finish(err)
			continue
		}
		if m.expect != nil {
			// Armed before the write, so the response cannot beat it.
			select {
			case p.armCh <- m.expect:
			case <-p.closing:
				m.finish(ErrPeerClosed)
				return
			}
		}
		p.conn.SetWriteDeadline(p.clock.Now().Add(p.cfg.WriteTimeout))
		if err := p.conn.WriteMsg(p2p.Msg{Code: m.code, Payload: payload}); err != nil {
			m.finish(err)
			if errors.Is(err, p2p.ErrMsgTooLarge) {
				// Refused before anything was written: our mistake, and
				// the connection is intact.
				p.log.Error("message too large to send", "cmd", m.msg.Command(), "err", err)
				continue
			}
			if !p.isClosing() {
				p.disconnect(discErr(p2p.DiscNetworkError, fmt.Errorf("%w: writing %s: %w", ErrConnection, m.msg.Command(), err)))
			}
			return
		}
		c := &p.stats[m.code]
		c.msgsOut.Add(1)
		c.bytesOut.Add(uint64(len(payload)) + wire.MessageHeaderSize)
		if o := p.cfg.Observer; o != nil {
			o.MsgOut(observedProtocol, commands[m.code], len(payload))
		}
		m.finish(nil)
	}
}

// handleLoop calls the Handler for each message of the inbox.
func (p *Peer) handleLoop() {
	for {
		select {
		case msg := <-p.handlerCh:
			if p.cfg.Handler != nil {
				p.cfg.Handler.OnMessage(p, msg)
			}
		case <-p.closing:
			return
		}
	}
}

// netAddress converts a connection address for version's address fields.
func netAddress(a net.Addr, services wire.ServiceFlag) wire.NetAddress {
	na := wire.NetAddress{Services: services, IP: netip.IPv6Unspecified()}
	if a == nil {
		return na
	}
	if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		na.IP, na.Port = ap.Addr().Unmap(), ap.Port()
	}
	return na
}

// nonce returns a random non-zero nonce (zero means "none" in pings).
func nonce() uint64 {
	for {
		if n := rand.Uint64(); n != 0 {
			return n
		}
	}
}
