package store

import (
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// activate moves the connected tip to the best chain of stored blocks: while
// a candidate has more work than the tip, disconnect back to the fork and
// connect the candidate's chain. A block that fails is marked invalid and
// the loop tries the best chain left (which may be the one it came from).
// It returns the first *BlockError met, or a storage error. mu must be held.
func (s *Store) activate() error {
	start := s.tipNode()
	var firstBad error
	defer func() {
		if t := s.tipNode(); t != start {
			s.events = append(s.events, Event{Kind: EventTipChanged, Hash: t.Hash(), Height: t.Height()})
		}
	}()
	for {
		best := s.bestCandidate()
		if best == nil {
			return firstBad
		}
		fork := s.fork(best)
		var ops []step
		for n := s.tipNode(); n != fork; n = s.hc.Parent(n) {
			ops = append(ops, step{n: n})
		}
		first := len(ops)
		for n := best; n != fork; n = s.hc.Parent(n) {
			ops = append(ops, step{n: n, connect: true})
		}
		slices.Reverse(ops[first:])
		if first > 0 {
			s.log.Info("reorganising", "fork", fork.Hash(), "height", fork.Height(),
				"disconnect", first, "connect", len(ops)-first, "new_tip", best.Hash())
		}
		for len(ops) > 0 {
			done, err := s.applySteps(ops[:min(s.batch, len(ops))])
			ops = ops[done:]
			if err == nil {
				continue
			}
			if !isBlockError(err) {
				return err
			}
			s.log.Warn("invalid block", "err", err)
			if firstBad == nil {
				firstBad = err
			}
			break
		}
	}
}

// step is one block to connect or disconnect.
type step struct {
	n       *chain.HeaderNode
	connect bool
}

// applySteps connects and disconnects blocks, in order, in one database
// transaction, and then updates the in-memory state and queues the events.
// It stops at a block that breaks a rule: the steps before it are committed
// with the block marked invalid, and the *BlockError is returned with the
// number of steps done. A storage error commits nothing. mu must be held.
func (s *Store) applySteps(steps []step) (int, error) {
	var (
		blocks  = make([]*wire.MsgBlock, 0, len(steps))
		bad     *chain.HeaderNode
		badErr  error
		tipNode = s.tipNode()
	)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, st := range steps {
			b, err := s.blockInTx(tx, st.n)
			if err != nil {
				return err
			}
			if st.connect {
				if s.hc.Parent(st.n) != tipNode {
					return fmt.Errorf("store: connect %s: parent is not the tip %s", st.n.Hash(), tipNode.Hash())
				}
				if err := s.connectBlock(tx, st.n, b); err != nil {
					if isBlockError(err) {
						bad, badErr = st.n, err
						break
					}
					return err
				}
				if !hasStatus(st.n, chain.StatusBlockValid) {
					if err := s.putHeader(tx, st.n, st.n.Status()|chain.StatusBlockValid); err != nil {
						return err
					}
				}
				tipNode = st.n
			} else {
				if st.n != tipNode {
					return fmt.Errorf("store: disconnect %s: not the tip %s", st.n.Hash(), tipNode.Hash())
				}
				if err := s.disconnectBlock(tx, st.n, b); err != nil {
					return err
				}
				tipNode = s.hc.Parent(st.n)
			}
			blocks = append(blocks, b)
		}
		if bad != nil {
			if err := s.putHeader(tx, bad, bad.Status()|chain.StatusBlockInvalid); err != nil {
				return err
			}
		}
		if err := s.putTip(tx, tipNode); err != nil {
			return err
		}
		if s.hookBeforeCommit != nil {
			return s.hookBeforeCommit()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Committed: now the memory may follow.
	var disconnected []*chain.HeaderNode
	for i, b := range blocks {
		st := steps[i]
		if st.connect {
			s.hc.SetStatus(st.n, chain.StatusBlockValid)
			s.active = append(s.active, st.n.Hash())
			s.events = append(s.events, Event{Kind: EventBlockConnected, Hash: st.n.Hash(), Height: st.n.Height(), Block: b})
		} else {
			s.active = s.active[:len(s.active)-1]
			disconnected = append(disconnected, st.n)
			s.events = append(s.events, Event{Kind: EventBlockDisconnected, Hash: st.n.Hash(), Height: st.n.Height(), Block: b})
		}
	}
	s.setTip(tipNode)
	// A disconnected block may have to come back if the new chain fails.
	for _, n := range disconnected {
		s.addCandidate(n)
	}
	if bad != nil {
		s.markInvalid(bad)
		return len(blocks), badErr
	}
	return len(blocks), nil
}

// blockInTx returns n's block from the cache or from tx (a read in another
// transaction could deadlock against this one's remap).
func (s *Store) blockInTx(tx *bolt.Tx, n *chain.HeaderNode) (*wire.MsgBlock, error) {
	h := n.Hash()
	if b, ok := s.cache[h]; ok {
		return b, nil
	}
	v := tx.Bucket(bucketBlocks).Get(h[:])
	if v == nil {
		return nil, fmt.Errorf("%w: block %s marked stored but missing", ErrCorrupt, h)
	}
	b := new(wire.MsgBlock)
	// Decode aliases its input: it gets its own copy of bbolt's memory.
	if err := b.Decode(append([]byte(nil), v...), wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
		return nil, fmt.Errorf("%w: block %s: %w", ErrCorrupt, h, err)
	}
	return b, nil
}

var _ = errors.Is
