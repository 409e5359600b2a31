package tlsconn

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

// Protocol is a protocol Host runs on each peer that shares it. It is
// p2p/server's Protocol (name, version, length, Run) with the command table
// the envelope needs: Length is len(Commands).
type Protocol struct {
	Name    string
	Version uint
	// Commands is the command table: the protocol's code i travels as
	// Commands[i]. See ProtocolSpec for reserved commands.
	Commands []string
	// Run runs the protocol with one peer. rw's codes are the protocol's
	// own (0 to len(Commands)-1). The peer is disconnected when Run returns;
	// Run must return once rw.ReadMsg fails.
	Run func(p *Peer, rw p2p.MsgReadWriter) error
}

// Spec returns the protocol's name, version and commands.
func (p Protocol) Spec() ProtocolSpec {
	return ProtocolSpec{Name: p.Name, Version: p.Version, Commands: p.Commands}
}

// Defaults of a peer's protocol inboxes.
const (
	// DefaultInboxSize bounds the messages waiting for one protocol of one
	// peer.
	DefaultInboxSize = 64
	// DefaultQueueTimeout is how long a message may wait for room in a full
	// inbox before the peer is dropped (p2p/server's default).
	DefaultQueueTimeout = 10 * time.Second
)

// ErrQueueStalled ends a peer whose protocol took nothing from its full
// inbox for the queue timeout.
var ErrQueueStalled = fmt.Errorf("tlsconn: protocol inbox stalled: %w", p2p.DiscSubprotocolError)

// errProtocolReturned ends a peer whose protocol's Run returned nil; the
// peer is told p2p.DiscQuitting, as go-ethereum and p2p/server do.
var errProtocolReturned = fmt.Errorf("tlsconn: protocol returned: %w", p2p.DiscQuitting)

// Peer is a connected peer running protocols over a Conn. Its methods
// mirror p2p/server's Peer (ID, Name, Caps, Inbound, RemoteAddr, LocalAddr,
// Log, Done, Disconnect), so that a protocol written against those methods
// runs under either.
//
// A peer runs one goroutine that reads the Conn and hands each message to
// its protocol's bounded inbox, and one goroutine per protocol's Run. When
// an inbox is full the reader waits for room (backpressure: the Conn's
// queue fills, then the socket's window closes) for up to the queue
// timeout, then ends the peer with ErrQueueStalled; messages are never
// dropped, as in p2p/server. Pings are answered by the Conn's own
// goroutines whatever the protocols do, so a slow protocol does not get an
// honest peer dropped for silence.
type Peer struct {
	conn    *Conn
	log     *slog.Logger
	protos  []*protoRW
	closing chan struct{} // closed when the peer starts ending
	discCh  chan error    // Disconnect requests; cap 1
	protoCh chan error    // protocol ends; cap len(protos)
	wg      sync.WaitGroup

	queueTimeout time.Duration
	stalls       *atomic.Uint64 // the host's counter
	obs          p2p.Observer   // the host's; nil: none

	once sync.Once
	err  error // why the peer ended; set before closing is closed
}

// protoRW is a protocol's slice of the connection.
type protoRW struct {
	Shared
	run  func(p *Peer, rw p2p.MsgReadWriter) error
	peer *Peer
	in   chan p2p.Msg
}

// newPeer matches the Conn's shared protocols with the local Protocols.
func newPeer(c *Conn, protocols []Protocol, inbox int, queueTimeout time.Duration, stalls *atomic.Uint64, obs p2p.Observer, log *slog.Logger) *Peer {
	p := &Peer{
		queueTimeout: queueTimeout,
		stalls:       stalls,
		obs:          obs,
		conn:         c,
		log:          log.With("peer", c.ID().TerminalString()),
		closing:      make(chan struct{}),
		discCh:       make(chan error, 1),
	}
	for _, s := range c.Shared() {
		for _, proto := range protocols {
			if proto.Name == s.Name && proto.Version == s.Version {
				p.protos = append(p.protos, &protoRW{Shared: s, run: proto.Run, peer: p, in: make(chan p2p.Msg, inbox)})
				break
			}
		}
	}
	p.protoCh = make(chan error, len(p.protos))
	return p
}

// ID returns the peer's node ID.
func (p *Peer) ID() enode.ID { return p.conn.ID() }

// Inbound reports whether the peer dialled us.
func (p *Peer) Inbound() bool { return p.conn.Inbound() }

// RemoteAddr returns the peer's address.
func (p *Peer) RemoteAddr() net.Addr { return p.conn.RemoteAddr() }

// Version returns the peer's version message (start height, services, user
// agent).
func (p *Peer) Version() wire.MsgVersion { return p.conn.RemoteVersion() }

// Shared returns the protocols both sides run.
func (p *Peer) Shared() []Shared { return p.conn.Shared() }

// RTT returns the last measured ping round trip.
func (p *Peer) RTT() time.Duration { return p.conn.RTT() }

// Conn returns the peer's connection.
func (p *Peer) Conn() *Conn { return p.conn }

// Name returns the user agent the peer announced in version.
func (p *Peer) Name() string { return p.conn.RemoteVersion().UserAgent }

// Caps returns the protocols the peer announced.
func (p *Peer) Caps() []Cap { return p.conn.RemoteCaps() }

// LocalAddr returns our end's address.
func (p *Peer) LocalAddr() net.Addr { return p.conn.LocalAddr() }

// Log returns the peer's logger, with its ID attached.
func (p *Peer) Log() *slog.Logger { return p.log }

// Done returns a channel closed when the peer starts ending.
func (p *Peer) Done() <-chan struct{} { return p.closing }

// Disconnect asks the peer to end with reason, which is sent to it. It
// does not wait.
func (p *Peer) Disconnect(reason p2p.DiscReason) {
	select {
	case p.discCh <- reason:
	default:
	}
}

// run runs the protocols until the connection fails, a protocol returns or
// Disconnect is called, then closes the connection and waits for every
// goroutine. It returns why the peer ended.
func (p *Peer) run() error {
	readErr := make(chan error, 1)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		readErr <- p.readLoop()
	}()
	for _, rw := range p.protos {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			err := rw.run(p, rw)
			if err == nil {
				err = errProtocolReturned
			}
			p.protoCh <- fmt.Errorf("protocol %v: %w", rw.Cap(), err)
		}()
	}
	var err error
	select {
	case err = <-readErr:
	case err = <-p.protoCh:
	case err = <-p.discCh:
	}
	p.once.Do(func() { p.err = err })
	close(p.closing)
	p.conn.Close(err)
	p.wg.Wait()
	return err
}

// readLoop routes messages to their protocols' inboxes.
func (p *Peer) readLoop() error {
	for {
		msg, err := p.conn.ReadMsg()
		if err != nil {
			return err
		}
		rw := p.route(msg.Code)
		if rw == nil {
			// The Conn only delivers codes of shared protocols.
			return fmt.Errorf("%w: code %d has no protocol", ErrProtocol, msg.Code)
		}
		msg.Code -= rw.Offset
		if p.obs != nil {
			p.obs.MsgIn(rw.Name, rw.Commands[msg.Code], len(msg.Payload))
		}
		if err := p.deliver(rw, msg); err != nil {
			return err
		}
	}
}

// deliver queues msg for its protocol, waiting up to the queue timeout for
// room.
func (p *Peer) deliver(rw *protoRW, msg p2p.Msg) error {
	select {
	case rw.in <- msg:
		return nil
	case <-p.closing:
		return ErrClosed
	default:
	}
	t := time.NewTimer(p.queueTimeout)
	defer t.Stop()
	select {
	case rw.in <- msg:
		return nil
	case <-p.closing:
		return ErrClosed
	case <-t.C:
		p.stalls.Add(1)
		if p.obs != nil {
			p.obs.Dropped(rw.Name + " inbox")
		}
		return fmt.Errorf("%w: %v, %d messages waiting", ErrQueueStalled, rw.Cap(), len(rw.in))
	}
}

func (p *Peer) route(code uint64) *protoRW {
	for _, rw := range p.protos {
		if code >= rw.Offset && code < rw.Offset+rw.Length() {
			return rw
		}
	}
	return nil
}

// ReadMsg returns the protocol's next message.
func (rw *protoRW) ReadMsg() (p2p.Msg, error) {
	select {
	case msg := <-rw.in:
		return msg, nil
	case <-rw.peer.closing:
		return p2p.Msg{}, fmt.Errorf("%w: %w", ErrClosed, rw.peer.err)
	}
}

// WriteMsg sends a message of the protocol.
func (rw *protoRW) WriteMsg(msg p2p.Msg) error {
	if msg.Code >= rw.Length() {
		return fmt.Errorf("%w: %v code %d (has %d)", ErrUnknownCode, rw.Cap(), msg.Code, rw.Length())
	}
	code := msg.Code
	msg.Code += rw.Offset
	err := rw.peer.conn.WriteMsg(msg)
	if o := rw.peer.obs; o != nil && err == nil {
		o.MsgOut(rw.Name, rw.Commands[code], len(msg.Payload))
	}
	return err
}
