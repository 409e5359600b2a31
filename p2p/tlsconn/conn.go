package tlsconn

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

// Conn is an authenticated connection of the permissioned profile: TLS 1.3
// with both certificates verified, the Bitcoin envelope inside, version,
// verack and caps exchanged. It is a p2p.Conn whose code space is the
// concatenation of the shared protocols' command tables (see Shared).
//
// Two goroutines run for each Conn until Close: the reader, which reads
// envelopes, answers pings and queues the other messages for ReadMsg; and
// the heartbeat, which pings the peer every PingInterval and sends the
// pongs the reader asks for. ReadMsg and WriteMsg are safe for concurrent
// use by several goroutines.
type Conn struct {
	tc      *tls.Conn
	raw     net.Conn
	net     wire.BitcoinNet
	id      enode.ID
	inbound bool
	version wire.MsgVersion
	caps    []Cap
	shared  []Shared
	// commands is the flat command table: code i travels as commands[i].
	commands []string
	// codes maps the commands the peer may send to codes; reserved commands
	// are not in it.
	codes   map[string]uint64
	check   bool // checksums computed and verified after the handshake
	maxSize uint32
	now     func() time.Time
	log     *slog.Logger
	stats   *counters // the transport's

	pingInterval time.Duration
	writeTimeout time.Duration

	// Read side: fr and dr belong to the reader goroutine (to the handshake
	// before it starts).
	fr *frameReader
	dr *deadlineReader
	// buffers holds payload buffers that protocols handed back with
	// p2p.Msg.Release; the reader fills them before allocating new ones.
	buffers *p2p.BufferPool

	// wsem is the write lock (held by sending a token, released by taking
	// it back): it guards wbuf, werr and every write to tc, one envelope at
	// a time. A channel rather than a mutex so that a writer waiting behind
	// a stuck write can give up when the connection ends.
	wsem chan struct{}
	wbuf []byte
	werr error // sticky: a write may have been partial
	// userWD is the write deadline set with SetWriteDeadline, as Unix
	// nanoseconds (0: none). Atomic so that it can be changed while a write
	// holds wsem.
	userWD atomic.Int64

	// The receive queue between the reader and ReadMsg. qmu guards the q*
	// fields and rdl.
	qmu       sync.Mutex
	qbuf      []p2p.Msg // ring, grown up to qmax
	qmax      int
	qhead     int
	qlen      int
	qbytes    int
	qmaxBytes int
	qerr      error     // set when the reader ends; delivered after the queued messages
	rdl       time.Time // read deadline of ReadMsg
	qwaiting  int       // ReadMsg calls waiting for a message
	qfull     bool      // the reader waits for room
	notEmpty  chan struct{}
	notFull   chan struct{}
	rdlChange chan struct{}

	// Heartbeat state.
	pongReq chan uint64 // nonces to answer; cap 1, a newer ping is dropped when full
	// With an external keepalive (p2p/server), the reader records the
	// last ping's nonce and signals pingCh instead.
	external  bool
	lastPing  atomic.Uint64
	pingCh    chan struct{}
	pingNonce atomic.Uint64
	pingSent  atomic.Int64 // Unix nanoseconds
	rtt       atomic.Int64 // nanoseconds, 0 until the first pong

	unknownMsgs  atomic.Uint64
	unknownBytes atomic.Uint64
	queueStalls  atomic.Uint64
	pongsDropped atomic.Uint64
	obs          p2p.Observer // the transport's; nil: none

	quit      chan struct{} // closed when the connection ends
	closeOnce sync.Once
	closed    atomic.Bool // Close was called
	endErr    error       // why the connection ended; set before quit is closed
	wg        sync.WaitGroup
}

var _ p2p.Conn = (*Conn)(nil)

// Queue names of the messages a Conn reports to Config.Observer as dropped.
const (
	queueUnknown = "unknown command" // skipped: no shared protocol owns it
	queuePong    = "tls pong"        // a ping left unanswered: a pong was waiting
)

// ConnStats counts what a Conn did not deliver.
type ConnStats struct {
	// UnknownMessages and UnknownBytes count well-formed messages whose
	// command belongs to no shared protocol (skipped, as Core skips unknown
	// commands).
	UnknownMessages, UnknownBytes uint64
	// QueueStalls counts the times the reader found the receive queue full
	// and stopped reading until ReadMsg made room.
	QueueStalls uint64
	// PongsDropped counts pings not answered because a pong was already
	// waiting to be sent.
	PongsDropped uint64
}

// deadlineReader is the reader's view of the TLS stream: before each read it
// pushes the socket's read deadline idle into the future (at most every
// idle/8), so that a read times out only when nothing has arrived for idle.
// idle is 0 during the handshake, whose deadline stays untouched.
type deadlineReader struct {
	c    *tls.Conn
	idle atomic.Int64 // nanoseconds; set by SetIdleTimeout from any goroutine
	last time.Time    // when the deadline was last pushed; the reader's
	set  bool         // a deadline is set on the socket
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	if idle := time.Duration(d.idle.Load()); idle > 0 {
		if now := time.Now(); !d.set || now.Sub(d.last) > idle/8 {
			d.c.SetReadDeadline(now.Add(idle))
			d.last, d.set = now, true
		}
	} else if d.set {
		d.c.SetReadDeadline(time.Time{})
		d.set = false
	}
	return d.c.Read(p)
}

// ID returns the peer's node ID, from its verified certificate.
func (c *Conn) ID() enode.ID { return c.id }

// Inbound reports whether the peer dialled us.
func (c *Conn) Inbound() bool { return c.inbound }

// RemoteVersion returns the peer's version message.
func (c *Conn) RemoteVersion() wire.MsgVersion { return c.version }

// RemoteCaps returns the protocols the peer announced in caps.
func (c *Conn) RemoteCaps() []Cap { return append([]Cap(nil), c.caps...) }

// Shared returns the protocols both sides run, with their place in the code
// space, sorted by name.
func (c *Conn) Shared() []Shared { return append([]Shared(nil), c.shared...) }

// Command returns the envelope command of a code, or "" for a code outside
// the table.
func (c *Conn) Command(code uint64) string {
	if code >= uint64(len(c.commands)) {
		return ""
	}
	return c.commands[code]
}

// Checksums reports whether envelopes carry verified checksums (false when
// both sides agreed to leave them to TLS).
func (c *Conn) Checksums() bool { return c.check }

// ConnectionState returns the TLS state of the connection.
func (c *Conn) ConnectionState() tls.ConnectionState { return c.tc.ConnectionState() }

// RTT returns the round-trip time of the last answered ping, 0 before the
// first pong.
func (c *Conn) RTT() time.Duration { return time.Duration(c.rtt.Load()) }

// Stats returns the connection's counters. It is safe to call from any
// goroutine.
func (c *Conn) Stats() ConnStats {
	return ConnStats{
		UnknownMessages: c.unknownMsgs.Load(),
		UnknownBytes:    c.unknownBytes.Load(),
		QueueStalls:     c.queueStalls.Load(),
		PongsDropped:    c.pongsDropped.Load(),
	}
}

// Done returns a channel closed when the connection has ended, by Close or
// because the peer left, the link died or a read failed. Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.quit }

// Err returns why the connection ended, nil while it is up.
func (c *Conn) Err() error {
	select {
	case <-c.quit:
		return c.endErr
	default:
		return nil
	}
}

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.raw.RemoteAddr() }

// LocalAddr returns the local address.
func (c *Conn) LocalAddr() net.Addr { return c.raw.LocalAddr() }

// start runs the goroutines; the handshake is over. heartbeat starts the
// Conn's own pings; without it the owner drives them (Keepalive).
func (c *Conn) start(idle time.Duration, heartbeat bool) {
	c.dr.idle.Store(int64(idle))
	c.external = !heartbeat
	c.wg.Add(1)
	go c.readLoop()
	if heartbeat {
		c.wg.Add(1)
		go c.heartbeat()
	}
}

// ReadMsg returns the next message of a shared protocol. Messages that
// arrived before the peer left are delivered before the error.
func (c *Conn) ReadMsg() (p2p.Msg, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if c.closed.Load() {
			return p2p.Msg{}, ErrClosed
		}
		c.qmu.Lock()
		if c.qlen > 0 {
			msg := c.qbuf[c.qhead]
			c.qbuf[c.qhead] = p2p.Msg{}
			c.qhead = (c.qhead + 1) % len(c.qbuf)
			c.qlen--
			c.qbytes -= len(msg.Payload)
			wakeReader := c.qfull
			c.qfull = false
			more := c.qlen > 0 && c.qwaiting > 0
			c.qmu.Unlock()
			if wakeReader {
				signal(c.notFull)
			}
			if more {
				signal(c.notEmpty)
			}
			return msg, nil
		}
		if c.qerr != nil {
			err := c.qerr
			c.qmu.Unlock()
			return p2p.Msg{}, err
		}
		dl := c.rdl
		if !dl.IsZero() && !time.Now().Before(dl) {
			c.qmu.Unlock()
			return p2p.Msg{}, fmt.Errorf("tlsconn: read: %w", os.ErrDeadlineExceeded)
		}
		c.qwaiting++
		c.qmu.Unlock()
		var expired <-chan time.Time
		if !dl.IsZero() {
			if timer == nil {
				timer = time.NewTimer(time.Until(dl))
			} else {
				timer.Reset(time.Until(dl))
			}
			expired = timer.C
		}
		select {
		case <-c.notEmpty:
		case <-expired:
		case <-c.rdlChange:
		case <-c.quit:
		}
		c.qmu.Lock()
		c.qwaiting--
		c.qmu.Unlock()
	}
}

// signal wakes the waiter of ch, if any, without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// SetReadDeadline sets the deadline of ReadMsg. It applies to the receive
// queue, not to the socket, so a timeout never cuts a message and the Conn
// stays usable.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.qmu.Lock()
	c.rdl = t
	waiting := c.qwaiting > 0
	c.qmu.Unlock()
	if waiting {
		signal(c.rdlChange)
	}
	return nil
}

// SetWriteDeadline sets the deadline of WriteMsg, also of a write in
// progress. A write cut by it leaves the Conn failed: part of a message may
// be on the wire, and TLS cannot resume.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if t.IsZero() {
		c.userWD.Store(0)
	} else {
		c.userWD.Store(max(t.UnixNano(), 1))
	}
	return c.tc.SetWriteDeadline(t)
}

// push queues a message for ReadMsg, waiting while the queue is full. It
// returns false when the connection has ended.
func (c *Conn) push(msg p2p.Msg) bool {
	c.qmu.Lock()
	if c.qlen == len(c.qbuf) && len(c.qbuf) < c.qmax {
		c.growQueue()
	}
	for c.qlen == len(c.qbuf) || (c.qlen > 0 && c.qbytes+len(msg.Payload) > c.qmaxBytes) {
		if c.qerr != nil {
			c.qmu.Unlock()
			return false
		}
		c.qfull = true
		c.qmu.Unlock()
		c.queueStalls.Add(1)
		select {
		case <-c.notFull:
		case <-c.quit:
			return false
		}
		c.qmu.Lock()
	}
	if c.qerr != nil {
		c.qmu.Unlock()
		return false
	}
	c.qbuf[(c.qhead+c.qlen)%len(c.qbuf)] = msg
	c.qlen++
	c.qbytes += len(msg.Payload)
	wake := c.qwaiting > 0
	c.qmu.Unlock()
	if wake {
		signal(c.notEmpty)
	}
	return true
}

// growQueue doubles the ring, up to qmax. c.qmu is held.
func (c *Conn) growQueue() {
	nb := make([]p2p.Msg, min(max(2*len(c.qbuf), 16), c.qmax))
	for i := range c.qlen {
		nb[i] = c.qbuf[(c.qhead+i)%len(c.qbuf)]
	}
	c.qbuf, c.qhead = nb, 0
}

// readLoop reads until the connection fails or is closed.
func (c *Conn) readLoop() {
	defer c.wg.Done()
	for {
		msg, ok, err := c.readOne()
		if err != nil {
			if errors.Is(err, ErrHeartbeatTimeout) {
				c.stats.heartbeat.Add(1)
				c.log.Info("Link dead: heartbeat timeout", "peer", c.id.TerminalString(), "addr", c.RemoteAddr())
			}
			c.end(err, false)
			return
		}
		if ok && !c.push(msg) {
			return
		}
	}
}

// readOne reads one envelope and handles it: a message of a shared protocol
// is returned with ok; pings, pongs and unknown commands are handled here.
func (c *Conn) readOne() (msg p2p.Msg, ok bool, err error) {
	h, err := c.fr.readHeader()
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) && !c.closed.Load() {
			return msg, false, fmt.Errorf("%w: nothing received for %v: %w", ErrHeartbeatTimeout, time.Duration(c.dr.idle.Load()), err)
		}
		return msg, false, err
	}
	switch h.cmd {
	case wire.CmdPing, wire.CmdPong:
		if h.length != 8 {
			return msg, false, fmt.Errorf("%w: %s of %d bytes", ErrProtocol, h.cmd, h.length)
		}
		p, err := c.fr.readPayload(h, c.check)
		if err != nil {
			return msg, false, c.readErr(err)
		}
		nonce := binary.LittleEndian.Uint64(p)
		if h.cmd == wire.CmdPing {
			if c.external {
				c.lastPing.Store(nonce)
				signal(c.pingCh)
			} else {
				select {
				case c.pongReq <- nonce:
				default:
					c.pongsDropped.Add(1)
					if c.obs != nil {
						c.obs.Dropped(queuePong)
					}
				}
			}
		} else if nonce == c.pingNonce.Load() {
			if sent := c.pingSent.Swap(0); sent != 0 {
				c.rtt.Store(max(time.Now().UnixNano()-sent, 1))
			}
		}
		return msg, false, nil
	case CmdDisconnect:
		return msg, false, c.readErr(readDisconnect(c.fr, h, c.check))
	case wire.CmdVersion, wire.CmdVerAck, CmdCaps:
		return msg, false, fmt.Errorf("%w: %s after the handshake", ErrProtocol, h.cmd)
	}
	code, known := c.codes[h.cmd]
	if !known {
		if err := c.fr.discard(h, c.check); err != nil {
			return msg, false, c.readErr(err)
		}
		c.unknownMsgs.Add(1)
		c.unknownBytes.Add(uint64(h.length) + wire.MessageHeaderSize)
		if c.obs != nil {
			c.obs.Dropped(queueUnknown)
		}
		return msg, false, nil
	}
	p, err := c.fr.readPayloadInto(c.buffers.Get(int(h.length)), c.buffers.Cap(int(h.length)), h, c.check)
	if err != nil {
		return msg, false, c.readErr(err)
	}
	return c.buffers.Msg(code, p, c.now()), true, nil
}

// readErr turns a timeout inside a message into the heartbeat error.
func (c *Conn) readErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) && !c.closed.Load() {
		return fmt.Errorf("%w: %w", ErrHeartbeatTimeout, err)
	}
	return err
}

// readDisconnect reads a disconnect message's payload and returns the error
// it means.
func readDisconnect(fr *frameReader, h header, check bool) error {
	if h.length != maxDisconnectPayload {
		return fmt.Errorf("%w: %w", ErrProtocol, errBadDisconnect)
	}
	p, err := fr.readPayload(h, check)
	if err != nil {
		return err
	}
	return &DisconnectError{Reason: p2p.DiscReason(p[0])}
}

// heartbeat pings the peer every PingInterval and sends the pongs the reader
// asks for. A ping may wait for a long write to finish; the reader's idle
// deadline, not this goroutine, decides that a link is dead.
func (c *Conn) heartbeat() {
	defer c.wg.Done()
	t := time.NewTicker(c.pingInterval)
	defer t.Stop()
	var b [8]byte
	for {
		var err error
		select {
		case <-c.quit:
			return
		case n := <-c.pongReq:
			binary.LittleEndian.PutUint64(b[:], n)
			err = c.write(wire.CmdPong, b[:])
		case <-t.C:
			err = c.SendPing()
		}
		if err != nil {
			c.end(err, false)
			return
		}
	}
}

// SetIdleTimeout sets how long the reader waits for any envelope (pings
// included) before it ends the connection with ErrHeartbeatTimeout; zero
// means forever. Setup sets PingInterval+PongTimeout; p2p/server calls it
// with its ReadTimeout.
func (c *Conn) SetIdleTimeout(d time.Duration) { c.dr.idle.Store(int64(max(d, 0))) }

// SendPing sends a ping with a fresh nonce. With the Conn's own heartbeat
// (Setup) there is no need to call it; p2p/server calls it every
// PingInterval on connections from Handshake.
func (c *Conn) SendPing() error {
	n := rand.Uint64()
	c.pingNonce.Store(n)
	c.pingSent.Store(time.Now().UnixNano())
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	return c.write(wire.CmdPing, b[:])
}

// SendPong answers the last ping received.
func (c *Conn) SendPong() error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], c.lastPing.Load())
	return c.write(wire.CmdPong, b[:])
}

// PingReceived signals pings to answer with SendPong, on connections from
// Handshake (the Conn answers by itself on those from Setup). A ping that
// arrives while one is pending is answered with the newer nonce.
func (c *Conn) PingReceived() <-chan struct{} { return c.pingCh }

// WriteMsg frames msg and writes it. A message over the size cap is refused
// with p2p.ErrMsgTooLarge before anything is written, and the Conn stays
// usable; after a failed write it does not.
func (c *Conn) WriteMsg(msg p2p.Msg) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if msg.Code >= uint64(len(c.commands)) {
		return fmt.Errorf("%w: %d (table has %d)", ErrUnknownCode, msg.Code, len(c.commands))
	}
	cmd := c.commands[msg.Code]
	if isReserved(cmd) {
		return fmt.Errorf("%w: %d is %q, which the transport reserves", ErrUnknownCode, msg.Code, cmd)
	}
	if uint64(len(msg.Payload)) > uint64(c.maxSize) {
		return fmt.Errorf("%w: %q payload %d > %d bytes", p2p.ErrMsgTooLarge, cmd, len(msg.Payload), c.maxSize)
	}
	return c.write(cmd, msg.Payload)
}

func (c *Conn) write(cmd string, payload []byte) error {
	select {
	case c.wsem <- struct{}{}:
	case <-c.quit:
		if c.closed.Load() {
			return ErrClosed
		}
		return fmt.Errorf("tlsconn: writing %q: %w", cmd, c.endErr)
	}
	defer func() { <-c.wsem }()
	if c.werr != nil {
		return c.werr
	}
	if c.writeTimeout > 0 && c.userWD.Load() == 0 {
		c.tc.SetWriteDeadline(time.Now().Add(c.writeTimeout))
	}
	var err error
	if c.wbuf, err = writeFrame(c.tc, c.wbuf, c.net, cmd, payload, c.check); err != nil {
		err = fmt.Errorf("tlsconn: writing %q: %w", cmd, err)
		if c.closed.Load() {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		c.werr = err
		return err
	}
	return nil
}

// disconnectTimeout bounds the best-effort write of a disconnect message.
const disconnectTimeout = 100 * time.Millisecond

// Close ends the connection and waits for its goroutines. When no write is
// in progress it first tells the peer reason in a disconnect message (best
// effort: a DiscReason is sent as is, other errors are mapped to one). TLS
// close_notify is not sent: it could block on a peer that does not read.
// Later calls return nil.
func (c *Conn) Close(reason error) error {
	err := c.end(reason, true)
	c.wg.Wait()
	return err
}

// end ends the connection once: it records why, sends a disconnect message
// when local is true, closes the socket (which unblocks the reader and any
// writer) and wakes ReadMsg callers. It does not wait for the goroutines,
// so they may call it.
func (c *Conn) end(why error, local bool) error {
	var err error
	c.closeOnce.Do(func() {
		if local {
			why = reasonErr(why)
			c.closed.Store(true)
			c.sendDisconnect(discReasonOf(why))
			why = fmt.Errorf("%w: %w", ErrClosed, why)
		}
		c.endErr = why
		err = c.raw.Close()
		c.qmu.Lock()
		c.qerr = why
		c.qmu.Unlock()
		close(c.quit)
	})
	return err
}

func reasonErr(err error) error {
	if err == nil {
		return p2p.DiscRequested
	}
	return err
}

func (c *Conn) sendDisconnect(r p2p.DiscReason) {
	select {
	case c.wsem <- struct{}{}:
	default:
		return
	}
	defer func() { <-c.wsem }()
	if c.werr != nil {
		return
	}
	c.tc.SetWriteDeadline(time.Now().Add(disconnectTimeout))
	c.werr = ErrClosed
	c.wbuf, _ = writeFrame(c.tc, c.wbuf, c.net, CmdDisconnect, []byte{byte(r)}, c.check)
}
