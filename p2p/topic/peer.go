package topic

import (
	"errors"
	"fmt"
	"github.com/ledgernet/ledgernet/p2p/internal/msgloop"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/internal/tokenbucket"
	"github.com/ledgernet/ledgernet/p2p/originsig"
)

// peer is one connected peer.
type peer struct {
	id         enode.ID
	rw         p2p.MsgReadWriter
	disconnect func(error)
	out        chan p2p.Msg  // to the writer; bounded, full drops new
	done       chan struct{} // closed when Run ends
	wg         sync.WaitGroup

	// The reader's (Run's goroutine).
	msgs, bytes *tokenbucket.Bucket
	drops       int
	windowStart time.Time
	score       int
}

// Run speaks the topic protocol with the peer id over rw until rw fails,
// the peer misbehaves or the Service closes, and returns why. disconnect
// (may be nil) ends the peer's connection, so that Close can end a Run
// blocked in ReadMsg; Protocol and TLSProtocol pass the transport's.
func (s *Service) Run(id enode.ID, rw p2p.MsgReadWriter, disconnect func(error)) error {
	if disconnect == nil {
		disconnect = func(error) {}
	}
	now := s.cfg.Clock.Now()
	p := &peer{
		id:          id,
		rw:          rw,
		disconnect:  disconnect,
		out:         make(chan p2p.Msg, s.cfg.PeerQueue),
		done:        make(chan struct{}),
		msgs:        tokenbucket.New(s.cfg.RateMsgs, 2*s.cfg.RateMsgs, now),
		bytes:       tokenbucket.New(s.cfg.RateBytes, 2*s.cfg.RateBytes, now),
		windowStart: now,
	}
	reply := make(chan error, 1)
	select {
	case s.peerOps <- peerOp{p: p, add: true, reply: reply}:
	case <-s.done:
		return ErrClosed
	}
	if err := <-reply; err != nil {
		return err
	}
	p.wg.Add(1)
	go s.writeLoop(p)
	err := s.readLoop(p)
	select {
	case s.peerOps <- peerOp{p: p}:
	case <-s.done:
	}
	close(p.done)
	p.wg.Wait()
	if err != nil && !errors.Is(err, ErrClosed) {
		s.log.Debug("Topic peer ended", "peer", id.TerminalString(), "err", err)
	}
	return err
}

func (s *Service) writeLoop(p *peer) {
	defer p.wg.Done()
	msgloop.Write(p.rw, p.out, p.done, p.disconnect)
}

func (s *Service) readLoop(p *peer) error {
	// A read that fails after Close ended the connection reports ErrClosed.
	return msgloop.Read(p.rw, s.quit, ErrClosed,
		func(msg p2p.Msg) error { return s.handle(p, msg) },
		func() { s.stats.disconnects.Add(1) })
}

// handle checks one message in the order of cost: rate, size, decoding,
// duplicate, signature; then hands it to the loop. A non-nil error ends
// the peer.
func (s *Service) handle(p *peer, msg p2p.Msg) error {
	now := s.cfg.Clock.Now()
	// Rate first: it is the cheapest check, and a flood must cost us no
	// more than this. (A message the bytes bucket refuses still spends a
	// message token.)
	if !p.msgs.Allow(now, 1) || !p.bytes.Allow(now, float64(len(msg.Payload))) {
		s.stats.rateLimited.Add(1)
		if now.Sub(p.windowStart) > s.cfg.RateWindow {
			p.windowStart, p.drops = now, 0
		}
		if p.drops++; p.drops >= s.cfg.RateDrops {
			return fmt.Errorf("%w: %d messages dropped", ErrRateLimited, p.drops)
		}
		return nil
	}
	if msg.Code != TopicMsg {
		s.stats.malformed.Add(1)
		return fmt.Errorf("%w %d", ErrUnknownCode, msg.Code)
	}
	// Checked before decoding: the transport's own cap may be larger.
	if len(msg.Payload) > s.cfg.MaxPayload+maxOverhead {
		s.stats.malformed.Add(1)
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(msg.Payload))
	}
	m, err := decodeMessage(msg.Payload, s.cfg.MaxPayload)
	switch {
	case errors.Is(err, ErrHopLimit):
		s.stats.hopLimit.Add(1)
		return p.penalise(scoreHopLimit, err)
	case err != nil:
		s.stats.malformed.Add(1)
		return err
	}
	m.Hops = min(m.Hops, MaxHops)
	k := m.key()
	// Offered before verifying, so that copies arriving from other peers
	// meanwhile are dropped without a second signature check; reverted if
	// the signature fails, so that a forged copy cannot suppress the real
	// message beyond the check's duration (and costs its sender a score
	// that ends it after two).
	if m.Origin == s.self {
		s.stats.kind(m.Kind).duplicates.Add(1)
		return nil
	}
	prev, ok := s.seen.offer(k, m.Hops)
	if !ok {
		s.stats.kind(m.Kind).duplicates.Add(1)
		return nil
	}
	var digest [32]byte
	if len(m.Sig) > 0 { // hashing a 1 MiB payload costs milliseconds
		digest = m.Digest()
	}
	if err := s.cfg.Signatures.Check(m.Origin, digest, m.Sig); err != nil {
		s.seen.revert(k, m.Hops, prev)
		if errors.Is(err, originsig.ErrUnsigned) {
			s.stats.unsigned.Add(1)
			return p.penalise(scoreUnsigned, err)
		}
		s.stats.badSignature.Add(1)
		return p.penalise(scoreBadSig, err)
	}
	m.detach()
	select {
	case s.in <- inbound{p: p, m: m}:
		// A full loop queue blocks this reader: backpressure on this peer
		// only, through its transport queue.
		return nil
	case <-s.done:
		return ErrClosed
	}
}

// penalise raises p's misbehaviour score; the message is dropped, and the
// peer ended once the score reaches banScore.
func (p *peer) penalise(score int, err error) error {
	p.score += score
	if p.score >= banScore {
		return fmt.Errorf("%w: %w", ErrMisbehaving, err)
	}
	return nil
}
