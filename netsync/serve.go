package netsync

import (
	"errors"

	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/wire"
)

// maxBlocksInQueue bounds the blocks one getdata puts in a peer's send
// queue at a time: the next is queued when one is written. Without it a
// large getdata would overflow the queue, and Send drops what does not fit.
const maxBlocksInQueue = 32

// maxGetBlocksInv is the most hashes a getblocks is answered with (Core and
// btcd: 500).
const maxGetBlocksInv = 500

// serveGetHeaders answers getheaders from the connected chain, always (an
// empty headers message when there is nothing after the locator), so that
// the asker never waits for a timeout.
func (m *Manager) serveGetHeaders(p *btcpeer.Peer, msg *wire.MsgGetHeaders) {
	hs := m.chain.HeadersAfter(msg.BlockLocatorHashes, msg.HashStop, wire.MaxBlockHeadersPerMsg)
	m.stats.headersServed.Add(uint64(len(hs)))
	newSender(m, p).send(&wire.MsgHeaders{Headers: hs})
	m.noteSentHeaders(p, hs)
}

// serveGetBlocks answers getblocks with an inv of up to 500 block hashes.
func (m *Manager) serveGetBlocks(p *btcpeer.Peer, msg *wire.MsgGetBlocks) {
	hs := m.chain.HeadersAfter(msg.BlockLocatorHashes, msg.HashStop, maxGetBlocksInv)
	if len(hs) == 0 {
		return
	}
	inv := make([]wire.InvVect, len(hs))
	for i := range hs {
		inv[i] = wire.InvVect{Type: wire.InvTypeBlock, Hash: hs[i].BlockHash()}
	}
	newSender(m, p).send(&wire.MsgInv{InvList: inv})
}

// serveGetData sends the blocks and transactions asked for, as stored (no
// decoding), and one notfound for the rest.
func (m *Manager) serveGetData(p *btcpeer.Peer, msg *wire.MsgGetData) {
	snd := newSender(m, p)
	var missing []wire.InvVect
	var served wire.Hash
	defer func() {
		if !served.IsZero() {
			m.send(event{kind: evServedBlock, peer: p, hash: served}, p)
		}
	}()
	for _, iv := range msg.InvList {
		if snd.closed() {
			return
		}
		switch iv.Type &^ wire.InvWitnessFlag {
		case wire.InvTypeBlock:
			raw, err := m.chain.RawBlock(iv.Hash)
			if err != nil {
				missing = append(missing, iv)
				continue
			}
			m.stats.blocksServed.Add(1)
			snd.send(&rawBlock{raw: raw})
			served = iv.Hash
		case wire.InvTypeTx, wire.InvTypeWTx:
			var tx *wire.MsgTx
			if m.pool != nil {
				tx = m.pool.Get(iv.Hash)
			}
			if tx == nil {
				missing = append(missing, iv)
				continue
			}
			snd.send(tx)
		default:
			missing = append(missing, iv)
		}
	}
	for len(missing) > 0 {
		n := min(len(missing), wire.MaxInvPerMsg)
		m.stats.notFoundSent.Add(uint64(n))
		snd.send(&wire.MsgNotFound{InvList: missing[:n]})
		missing = missing[n:]
	}
}

// sender queues messages for a peer with flow control: at most
// maxBlocksInQueue of its messages wait in the peer's send queue.
type sender struct {
	m     *Manager
	p     *btcpeer.Peer
	done  []chan error
	first int
}

func newSender(m *Manager, p *btcpeer.Peer) *sender { return &sender{m: m, p: p} }

func (s *sender) closed() bool {
	select {
	case <-s.p.Closing():
		return true
	case <-s.m.quit:
		return true
	default:
		return false
	}
}

// send waits for the oldest message to be written when maxBlocksInQueue
// are pending, then queues msg.
func (s *sender) send(msg wire.Message) {
	if len(s.done)-s.first >= maxBlocksInQueue {
		select {
		case <-s.done[s.first]:
		case <-s.p.Closing():
			return
		case <-s.m.quit:
			return
		}
		s.done[s.first] = nil
		s.first++
		if s.first > 1024 {
			s.done = append(s.done[:0], s.done[s.first:]...)
			s.first = 0
		}
	}
	done := make(chan error, 1)
	if err := s.p.QueueMessage(msg, done); err != nil {
		return
	}
	s.done = append(s.done, done)
}

// rawBlock is a stored block sent as it is, so that serving a block costs
// a copy instead of a decode and an encode.
type rawBlock struct{ raw []byte }

func (*rawBlock) Command() string                { return wire.CmdBlock }
func (*rawBlock) MaxPayloadLength(uint32) uint32 { return wire.MaxBlockPayload }
func (*rawBlock) Decode([]byte, uint32, wire.Encoding) error {
	return errors.New("netsync: rawBlock is only sent")
}

// Encode appends the stored (witness) serialization; a peer without
// witness support gets the block re-encoded without witnesses.
func (b *rawBlock) Encode(dst []byte, pver uint32, enc wire.Encoding) ([]byte, error) {
	if enc == wire.WitnessEncoding {
		return append(dst, b.raw...), nil
	}
	var blk wire.MsgBlock
	if err := blk.Decode(b.raw, pver, wire.WitnessEncoding); err != nil {
		return nil, err
	}
	return blk.Encode(dst, pver, enc)
}
