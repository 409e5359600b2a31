package status

import (
	"errors"
	"fmt"
	"github.com/ledgernet/ledgernet/p2p/internal/msgloop"
	"sync"
	"sync/atomic"
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
	bucket      *tokenbucket.Bucket
	drops       int
	windowStart time.Time
	score       int

	// The loop's: entries waiting for the next flush.
	announce map[enode.ID]Entry

	// requested is how many records we asked p for and have not had yet:
	// the loop adds, the reader takes. A record beyond it is unsolicited
	// and dropped unverified, so that a peer cannot make us check more
	// signatures than we asked for. It is capped, as a peer may answer
	// fewer records than asked (those it no longer holds).
	requested atomic.Int64
}

// maxRequested caps peer.requested.
const maxRequested = 4 * MaxRequest

func (p *peer) solicit(n int) {
	if p.requested.Add(int64(n)) > maxRequested {
		p.requested.Store(maxRequested)
	}
}

// unsolicit takes back n requests that were never sent, not below zero.
func (p *peer) unsolicit(n int) {
	for {
		old := p.requested.Load()
		if p.requested.CompareAndSwap(old, max(old-int64(n), 0)) {
			return
		}
	}
}

func (p *peer) queueAnnounce(e Entry) {
	if old, ok := p.announce[e.ID]; !ok || e.Seq >= old.Seq {
		p.announce[e.ID] = e
	}
}

// Run speaks the status protocol with the peer id over rw until rw fails,
// the peer misbehaves or the Service closes; it returns why. disconnect
// (may be nil) ends the peer's connection, so that Close can end a Run
// blocked in ReadMsg; Protocol and TLSProtocol pass the transport's. Run is
// what both transports' protocol glue calls; a test can call it over any
// MsgReadWriter.
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
		bucket:      tokenbucket.New(s.cfg.RateLimit, float64(s.cfg.RateBurst), now),
		windowStart: now,
		announce:    map[enode.ID]Entry{},
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
		s.log.Debug("Status peer ended", "peer", id.TerminalString(), "err", err)
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

// handle checks, decodes and verifies one message, then hands it to the
// loop. A non-nil error ends the peer.
func (s *Service) handle(p *peer, msg p2p.Msg) error {
	now := s.cfg.Clock.Now()
	if !p.bucket.Allow(now, 1) {
		s.stats.rateLimited.Add(1)
		if now.Sub(p.windowStart) > s.cfg.RateWindow {
			p.windowStart, p.drops = now, 0
		}
		if p.drops++; p.drops >= s.cfg.RateDrops {
			return fmt.Errorf("%w: %d messages dropped", ErrRateLimited, p.drops)
		}
		return nil
	}
	// Checked before decoding: the transport's own cap may be larger.
	if len(msg.Payload) > MaxMsgSize {
		s.stats.malformed.Add(1)
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(msg.Payload))
	}
	m := inbound{p: p, code: msg.Code}
	var err error
	switch msg.Code {
	case AnnounceMsg:
		m.announce, err = decodeAnnounce(msg.Payload)
		s.stats.announceRecv.Add(1)
	case GetStatusMsg:
		m.get, err = decodeGetStatus(msg.Payload)
		s.stats.requestsRecv.Add(1)
	case RecordsMsg:
		var rs []agedRecord
		if rs, err = decodeRecords(msg.Payload); err == nil {
			m.records, err = s.verify(p, rs)
		}
	default:
		err = fmt.Errorf("%w %d", ErrUnknownCode, msg.Code)
	}
	if err != nil {
		if errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnknownCode) {
			s.stats.malformed.Add(1)
		}
		return err
	}
	select {
	case s.in <- m:
		// A full loop queue blocks this reader: backpressure on this peer
		// only, as its transport queue fills.
		return nil
	case <-s.done:
		return ErrClosed
	}
}

// verify keeps the records that are newer than the ones held and carry a
// valid signature; the checks cost a signature recovery each, so a record
// the table already has at this seq is skipped first.
func (s *Service) verify(p *peer, rs []agedRecord) ([]agedRecord, error) {
	s.stats.recordsRecv.Add(uint64(len(rs)))
	out := rs[:0]
	for _, ar := range rs {
		if p.requested.Add(-1) < 0 {
			p.requested.Add(1)
			s.stats.unsolicited.Add(1)
			if p.score += scoreUnsolicited; p.score >= banScore {
				return nil, fmt.Errorf("%w: unsolicited records", ErrMisbehaving)
			}
			continue
		}
		if held, ok := s.heldSeq(ar.Rec.ID); ok && ar.Rec.Seq <= held {
			s.stats.stale.Add(1)
			continue
		}
		var digest [32]byte
		if len(ar.Rec.Sig) > 0 {
			digest = ar.Rec.Digest()
		}
		err := s.cfg.Signatures.Check(ar.Rec.ID, digest, ar.Rec.Sig)
		switch {
		case err == nil:
			out = append(out, ar)
			continue
		case errors.Is(err, originsig.ErrUnsigned):
			s.stats.unsigned.Add(1)
			p.score += scoreUnsigned
		default:
			s.stats.badSignature.Add(1)
			p.score += scoreBadSig
		}
		if p.score >= banScore {
			return nil, fmt.Errorf("%w: record of %v: %w", ErrMisbehaving, ar.Rec.ID.TerminalString(), err)
		}
	}
	return out, nil
}
