package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// NextBlockInfo is what a block built on the connected tip must carry.
type NextBlockInfo struct {
	// PrevBlock is the tip's hash; Height the new block's height.
	PrevBlock wire.Hash
	Height    int32
	// Timestamp is the later of now and MedianTimePast+1.
	Timestamp uint32
	// Bits is the required target for that timestamp.
	Bits uint32
	// MedianTimePast is the tip's: the block's timestamp must exceed it,
	// and it is the lock-time cutoff for the block's transactions.
	MedianTimePast uint32
}

// NextBlock returns what a block on the connected tip mined at now must
// carry.
func (s *Store) NextBlock(now time.Time) NextBlockInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	tip := s.tipNode()
	ts := uint32(max(now.Unix(), int64(tip.MedianTimePast())+1))
	bits, _ := s.hc.NextWorkRequired(tip, ts)
	return NextBlockInfo{
		PrevBlock:      tip.Hash(),
		Height:         tip.Height() + 1,
		Timestamp:      ts,
		Bits:           bits,
		MedianTimePast: tip.MedianTimePast(),
	}
}

// CheckBlockTemplate checks a block built on the connected tip, before its
// proof of work is solved: chain.CheckBlock and, on ledger networks, the
// ledger rules against the current coins. Nothing is stored.
func (s *Store) CheckBlockTemplate(b *wire.MsgBlock) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	tip := s.tipNode()
	if b.Header.PrevBlock != tip.Hash() {
		return fmt.Errorf("%w: parent %s, tip %s", ErrBadTemplate, b.Header.PrevBlock, tip.Hash())
	}
	height := tip.Height() + 1
	hash := b.BlockHash()
	opts := blockCheckOptions(s.params, height, b.Header.Timestamp, tip.MedianTimePast())
	if err := chain.CheckBlock(b, nil, opts); err != nil {
		return &BlockError{Hash: hash, Height: height, Err: err}
	}
	if !s.ledger {
		return nil
	}
	// Holding mu, no writer can be waiting on this read transaction.
	return s.db.View(func(tx *bolt.Tx) error {
		_, err := s.checkLedger(newCoinView(tx.Bucket(bucketCoins)), hash, height, b)
		return err
	})
}
