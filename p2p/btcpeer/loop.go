package btcpeer

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// loopState is owned by the loop goroutine; nothing else touches it.
//
// Deadlines that measure the peer (handshake, idle, pong, requests) are kept
// in "peer time": the clock minus the time the loop spent paused because our
// handler was behind. While paused, peer time stands still, so waiting for
// us never counts against the peer.
type loopState struct {
	gotVersion, gotVerAck, sentVerAck, ready bool

	handshakeBy time.Time // peer time
	lastRecv    time.Time // peer time

	pingNonce    uint64    // outstanding ping, 0 if none
	pingSent     time.Time // real time, for the RTT
	pingSentPeer time.Time // peer time, for the pong deadline
	nextPing     time.Time // real time

	requests []*request

	inbox      []inMsg
	inboxBytes int

	paused      bool
	pausedSince time.Time // real time
	pausedTotal time.Duration
}

// request is an armed stall deadline.
type request struct {
	*expectation
	deadline time.Time // peer time
}

// peerTime converts a real time to peer time.
func (s *loopState) peerTime(now time.Time) time.Time {
	t := now.Add(-s.pausedTotal)
	if s.paused {
		t = t.Add(-now.Sub(s.pausedSince))
	}
	return t
}

func (p *Peer) loop(ctx context.Context) {
	now := p.clock.Now()
	s := &loopState{handshakeBy: now.Add(p.cfg.HandshakeTimeout), lastRecv: now}
	if v := p.cfg.Handshaken; v != nil {
		p.remote = remoteInfo{
			version:     v.ProtocolVersion,
			services:    v.Services,
			userAgent:   v.UserAgent,
			startHeight: v.StartHeight,
			relay:       v.Relay,
		}
		s.gotVersion, s.gotVerAck, s.sentVerAck = true, true, true
		p.maybeReady(s)
	} else if !p.inbound {
		p.sendVersion()
	}
	t := &loopTimer{}
	defer t.stop()
	for !p.isClosing() {
		p.rearm(s, t)
		var readCh chan inMsg
		if !s.paused {
			readCh = p.readCh
		}
		var handlerCh chan wire.Message
		var next wire.Message
		if len(s.inbox) > 0 {
			handlerCh, next = p.handlerCh, s.inbox[0].msg
		}
		select {
		case <-p.closing:
		case <-ctx.Done():
			p.disconnect(discErr(p2p.DiscQuitting, context.Cause(ctx)))
		case m := <-readCh:
			p.receive(s, m)
		case handlerCh <- next:
			p.dequeued(s)
		case exp := <-p.armCh:
			s.requests = append(s.requests, &request{expectation: exp, deadline: s.peerTime(p.clock.Now()).Add(exp.timeout)})
		case <-t.c():
			t.fired()
			p.check(s)
		}
	}
}

// loopTimer is the loop's one timer, set for the earliest deadline.
type loopTimer struct {
	t  p2p.Timer // nil when none is pending
	at time.Time // when t fires
}

func (t *loopTimer) c() <-chan time.Time {
	if t.t == nil {
		return nil
	}
	return t.t.C()
}

func (t *loopTimer) fired() { t.t, t.at = nil, time.Time{} }

func (t *loopTimer) stop() {
	if t.t != nil {
		t.t.Stop()
		t.fired()
	}
}

// rearm makes sure the timer fires no later than the earliest deadline. A
// deadline that moved later (the idle deadline, after every message) keeps
// the pending timer: it fires early, check finds nothing due, and rearm runs
// again. So a timer is made only when a deadline comes closer, not per
// message.
func (p *Peer) rearm(s *loopState, t *loopTimer) {
	var wake time.Time
	earliest := func(at time.Time) {
		if wake.IsZero() || at.Before(wake) {
			wake = at
		}
	}
	if !s.paused {
		// Peer-time deadlines, back in real time.
		real := func(pt time.Time) time.Time { return pt.Add(s.pausedTotal) }
		if !s.ready {
			earliest(real(s.handshakeBy))
		} else if p.ownsLiveness() {
			earliest(real(s.lastRecv.Add(p.cfg.IdleTimeout)))
		}
		if s.pingNonce != 0 {
			earliest(real(s.pingSentPeer.Add(p.cfg.PongTimeout)))
		}
		for _, r := range s.requests {
			earliest(real(r.deadline))
		}
	}
	if s.ready && p.ownsLiveness() {
		earliest(s.nextPing)
	}
	if wake.IsZero() || (t.t != nil && !wake.Before(t.at)) {
		return
	}
	t.stop()
	t.t, t.at = p.clock.NewTimer(max(wake.Sub(p.clock.Now()), 0)), wake
}

// check fires whatever deadline has passed.
func (p *Peer) check(s *loopState) {
	now := p.clock.Now()
	pt := s.peerTime(now)
	switch {
	case !s.ready && !pt.Before(s.handshakeBy):
		p.disconnect(discErr(p2p.DiscReadTimeout, fmt.Errorf("%w after %v", ErrHandshakeTimeout, p.cfg.HandshakeTimeout)))
		return
	case s.ready && p.ownsLiveness() && !pt.Before(s.lastRecv.Add(p.cfg.IdleTimeout)):
		p.disconnect(discErr(p2p.DiscReadTimeout, fmt.Errorf("%w: nothing for %v", ErrIdleTimeout, p.cfg.IdleTimeout)))
		return
	case s.pingNonce != 0 && !pt.Before(s.pingSentPeer.Add(p.cfg.PongTimeout)):
		p.disconnect(discErr(p2p.DiscReadTimeout, fmt.Errorf("%w: none for %v", ErrPingTimeout, p.cfg.PongTimeout)))
		return
	}
	for _, r := range s.requests {
		if !pt.Before(r.deadline) {
			p.violation(p2p.DiscReadTimeout, fmt.Errorf("%w: no %v within %v", ErrStalled, r.cmds, r.timeout), ScoreStall)
			return
		}
	}
	if s.ready && p.ownsLiveness() && !now.Before(s.nextPing) {
		// One ping at a time, as Core: the pong timeout covers a lost one.
		if s.pingNonce == 0 {
			p.sendPing(s, now)
		}
		s.nextPing = now.Add(p.cfg.PingInterval)
	}
}

func (p *Peer) sendPing(s *loopState, now time.Time) {
	s.pingNonce = nonce()
	s.pingSent = now
	s.pingSentPeer = s.peerTime(now)
	p.pushControl(&wire.MsgPing{Nonce: s.pingNonce})
}

// ownsLiveness reports whether this peer pings and times out on silence
// itself, rather than leaving that to the transport (Config.Handshaken).
func (p *Peer) ownsLiveness() bool { return p.cfg.Handshaken == nil }

// sendVersion queues our version message, its nonce remembered in the
// node's NonceSet first.
func (p *Peer) sendVersion() {
	n := nonce()
	p.cfg.Nonces.Add(n)
	height := int32(0)
	if p.cfg.BestHeight != nil {
		height = p.cfg.BestHeight()
	}
	p.pushControl(&wire.MsgVersion{
		ProtocolVersion: int32(p.cfg.ProtocolVersion),
		Services:        p.cfg.Services,
		Timestamp:       p.clock.Now().Unix(),
		AddrRecv:        netAddress(p.conn.RemoteAddr(), 0),
		// Core sends an empty address for itself: it cannot know how
		// others reach it.
		AddrFrom:    netAddress(nil, p.cfg.Services),
		Nonce:       n,
		UserAgent:   p.cfg.UserAgent,
		StartHeight: height,
		Relay:       !p.cfg.NoTxRelay,
	})
}

// receive handles one message from the reader.
func (p *Peer) receive(s *loopState, m inMsg) {
	// The loop's own now, not m.at: the reader may have held m through a
	// pause, and peer time is only defined for the present.
	pt := s.peerTime(p.clock.Now())
	s.lastRecv = pt
	switch msg := m.msg.(type) {
	case *wire.MsgVersion:
		p.onVersion(s, msg)
		return
	case *wire.MsgVerAck:
		p.onVerAck(s)
		return
	}
	if !s.gotVersion {
		p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: got %s", ErrNoVersion, m.cmd), ScoreProtocol)
		return
	}
	if !s.gotVerAck {
		// Between version and verack Core sends wtxidrelay, sendaddrv2
		// and sendtxrcncl (the last is not in our table: the transport
		// skips it). Anything else is ignored, as Core ignores it.
		switch m.msg.(type) {
		case *wire.MsgSendAddrV2:
			p.wantsAddrV2.Store(true)
		case *wire.MsgWTxIDRelay:
			if p.negotiated() >= wire.WTxIDRelayVersion {
				p.wtxidRelay.Store(true)
			}
		default:
			p.log.Debug("ignoring message before verack", "cmd", m.cmd)
		}
		return
	}
	switch msg := m.msg.(type) {
	case *wire.MsgPing:
		p.pushControl(&wire.MsgPong{Nonce: msg.Nonce})
	case *wire.MsgPong:
		if s.pingNonce != 0 && msg.Nonce == s.pingNonce {
			p.pingRTT.Store(int64(max(m.at.Sub(s.pingSent), 1)))
			s.pingNonce = 0
		}
	case *wire.MsgSendHeaders:
		p.sendHeaders.Store(true)
	case *wire.MsgSendAddrV2:
		p.violation(p2p.DiscProtocolError, ErrLateSendAddrV2, ScoreProtocol)
	case *wire.MsgWTxIDRelay:
		// BIP339: after verack it "MUST be ignored or treated as invalid".
		p.log.Debug("ignoring wtxidrelay after verack")
	case *wire.MsgFeeFilter:
		// Core ignores values outside the money range.
		if msg.MinFee >= 0 && msg.MinFee <= 21_000_000*100_000_000 {
			p.feeFilter.Store(msg.MinFee)
		}
	case *wire.MsgSendCmpct:
		p.cmpctAnnounce.Store(msg.Announce)
		p.cmpctVersion.Store(msg.Version)
	default:
		p.answer(s, m, pt)
		s.inbox = append(s.inbox, m)
		s.inboxBytes += m.size
		if len(s.inbox) >= p.cfg.InboxSize || s.inboxBytes >= p.cfg.InboxBytes {
			// Stop reading: the socket holds the peer back until the
			// handler catches up.
			s.paused, s.pausedSince = true, p.clock.Now()
		}
	}
}

// answer counts m against the oldest request waiting for its command.
func (p *Peer) answer(s *loopState, m inMsg, pt time.Time) {
	n := 1
	if nf, ok := m.msg.(*wire.MsgNotFound); ok {
		n = len(nf.InvList)
	}
	for i, r := range s.requests {
		if !slices.Contains(r.cmds, m.cmd) {
			continue
		}
		r.count -= n
		if r.count <= 0 {
			s.requests = slices.Delete(s.requests, i, i+1)
		} else {
			// Progress: the rest of a getdata gets a fresh deadline.
			r.deadline = pt.Add(r.timeout)
		}
		return
	}
}

// dequeued is called when the handler took the first inbox message.
func (p *Peer) dequeued(s *loopState) {
	s.inboxBytes -= s.inbox[0].size
	s.inbox[0] = inMsg{}
	s.inbox = s.inbox[1:]
	if len(s.inbox) == 0 {
		s.inbox = nil
	}
	if s.paused && len(s.inbox) < p.cfg.InboxSize && s.inboxBytes < p.cfg.InboxBytes {
		s.pausedTotal += p.clock.Now().Sub(s.pausedSince)
		s.paused = false
	}
}

func (p *Peer) onVersion(s *loopState, v *wire.MsgVersion) {
	if s.gotVersion {
		p.violation(p2p.DiscProtocolError, ErrDuplicateVersion, ScoreProtocol)
		return
	}
	s.gotVersion = true
	switch {
	case p.cfg.Nonces.Contains(v.Nonce):
		p.disconnect(discErr(p2p.DiscSelf, ErrSelfConnection))
		return
	case v.ProtocolVersion < 0 || uint32(v.ProtocolVersion) < p.cfg.MinProtocolVersion:
		p.disconnect(discErr(p2p.DiscIncompatibleVersion, fmt.Errorf("%w: %d < %d", ErrObsoleteVersion, v.ProtocolVersion, p.cfg.MinProtocolVersion)))
		return
	case !p.inbound && !p.cfg.AnyServices && !v.Services.Has(p.cfg.RequiredServices):
		p.disconnect(discErr(p2p.DiscUselessPeer, fmt.Errorf("%w: offers %v, need %v", ErrMissingServices, v.Services, p.cfg.RequiredServices)))
		return
	}
	p.remote = remoteInfo{
		version:     v.ProtocolVersion,
		services:    v.Services,
		userAgent:   v.UserAgent,
		startHeight: v.StartHeight,
		relay:       v.Relay,
	}
	if p.inbound {
		p.sendVersion()
	}
	if p.negotiated() >= wire.AddrV2Version {
		// Core's order: wtxidrelay, sendaddrv2, then verack (BIP339 and
		// BIP155 want both before verack).
		p.pushControl(&wire.MsgWTxIDRelay{})
		p.pushControl(&wire.MsgSendAddrV2{})
	}
	p.pushControl(&wire.MsgVerAck{})
	s.sentVerAck = true
	p.log.Debug("version received", "version", v.ProtocolVersion, "agent", v.UserAgent, "services", v.Services, "height", v.StartHeight)
	p.maybeReady(s)
}

func (p *Peer) onVerAck(s *loopState) {
	switch {
	case !s.gotVersion:
		p.violation(p2p.DiscProtocolError, fmt.Errorf("%w: got verack", ErrNoVersion), ScoreProtocol)
	case s.gotVerAck:
		p.violation(p2p.DiscProtocolError, ErrDuplicateVerAck, ScoreProtocol)
	default:
		s.gotVerAck = true
		p.maybeReady(s)
	}
}

func (p *Peer) maybeReady(s *loopState) {
	if s.ready || !s.gotVerAck || !s.sentVerAck {
		return
	}
	now := p.clock.Now()
	s.ready = true
	s.lastRecv = s.peerTime(now)
	s.nextPing = now // ping at once, to learn the RTT early (as Core)
	p.remote.readyAt = now
	if p.negotiated() >= wire.SendHeadersVersion {
		p.pushControl(&wire.MsgSendHeaders{})
	}
	p.queue.openData()
	close(p.ready)
	p.log.Debug("handshake done", "pver", p.negotiated())
}
