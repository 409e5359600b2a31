package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// Database layout. One bbolt file, five buckets:
//
//	meta     "version" → schemaVersion (1 byte)
//	         "genesis" → the network's genesis hash (32)
//	         "tip"     → the connected tip: hash (32) ‖ height (4, big-endian)
//	                     ‖ median time past (4, big-endian) ‖ header (80)
//	headers  height (4, big-endian) ‖ hash (32) → header (80) ‖ status (1)
//	blocks   hash (32) → the block, witness serialization
//	undo     hash (32) → the coins the block spent, in input order
//	coins    txid (32) ‖ index (4, big-endian) → ledger.AppendCoin encoding
//
// Headers are keyed by height first so that a cursor walk returns parents
// before children, which is the order the header chain is rebuilt in. The
// connected tip, the coin set and the undo records change only together,
// in one transaction, so the tip always names the state the coins are in.
var (
	bucketMeta    = []byte("meta")
	bucketHeaders = []byte("headers")
	bucketBlocks  = []byte("blocks")
	bucketUndo    = []byte("undo")
	bucketCoins   = []byte("coins")

	keyVersion = []byte("version")
	keyGenesis = []byte("genesis")
	keyTip     = []byte("tip")
)

// schemaVersion is the layout above.
const schemaVersion = 1

const (
	headerKeySize   = 4 + wire.HashSize
	headerValueSize = wire.BlockHeaderSize + 1
	outPointKeySize = wire.HashSize + 4
	tipValueSize    = wire.HashSize + 4 + 4 + wire.BlockHeaderSize
)

func headerKey(height int32, hash wire.Hash) []byte {
	k := make([]byte, headerKeySize)
	binary.BigEndian.PutUint32(k, uint32(height))
	copy(k[4:], hash[:])
	return k
}

func headerValue(h *wire.BlockHeader, status chain.HeaderStatus) []byte {
	v := make([]byte, headerValueSize)
	h.Put(v)
	v[wire.BlockHeaderSize] = byte(status)
	return v
}

func outPointKey(op wire.OutPoint) [outPointKeySize]byte {
	var k [outPointKeySize]byte
	copy(k[:], op.Hash[:])
	binary.BigEndian.PutUint32(k[wire.HashSize:], op.Index)
	return k
}

func tipValue(hash wire.Hash, height int32, mtp uint32, h *wire.BlockHeader) []byte {
	v := make([]byte, tipValueSize)
	copy(v, hash[:])
	binary.BigEndian.PutUint32(v[wire.HashSize:], uint32(height))
	binary.BigEndian.PutUint32(v[wire.HashSize+4:], mtp)
	h.Put(v[wire.HashSize+8:])
	return v
}

// decodeTip reads a tip record (the chain work is not stored).
func decodeTip(v []byte) (TipInfo, error) {
	var t TipInfo
	if len(v) != tipValueSize {
		return t, fmt.Errorf("%w: tip record of %d bytes", ErrCorrupt, len(v))
	}
	copy(t.Hash[:], v)
	t.Height = int32(binary.BigEndian.Uint32(v[wire.HashSize:]))
	t.MedianTimePast = binary.BigEndian.Uint32(v[wire.HashSize+4:])
	_ = t.Header.DecodeBlockHeader(v[wire.HashSize+8:])
	return t, nil
}

// putHeader writes n's header with status. mu must be held.
func (s *Store) putHeader(tx *bolt.Tx, n *chain.HeaderNode, status chain.HeaderStatus) error {
	h := s.hc.Header(n)
	return tx.Bucket(bucketHeaders).Put(headerKey(n.Height(), n.Hash()), headerValue(&h, status))
}

// putTip records the connected tip. mu must be held.
func (s *Store) putTip(tx *bolt.Tx, n *chain.HeaderNode) error {
	h := s.hc.Header(n)
	return tx.Bucket(bucketMeta).Put(keyTip, tipValue(n.Hash(), n.Height(), n.MedianTimePast(), &h))
}

// initDB creates the buckets of a new database and checks the network of an
// existing one.
func initDB(db *bolt.DB, p *chain.Params) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketHeaders, bucketBlocks, bucketUndo, bucketCoins} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if g := meta.Get(keyGenesis); g != nil {
			if v := meta.Get(keyVersion); len(v) != 1 || v[0] != schemaVersion {
				return fmt.Errorf("%w: schema version %x, want %d", ErrCorrupt, v, schemaVersion)
			}
			if string(g) != string(p.GenesisHash[:]) {
				return fmt.Errorf("%w: genesis %x, want %s (%s)", ErrWrongNetwork, g, p.GenesisHash, p.Name)
			}
			return nil
		}
		// A new database: the genesis block is stored, valid and connected
		// (its outputs are not coins: Bitcoin's genesis output was never
		// spendable, and the devnet's pays no one).
		g := p.GenesisBlock
		gen := p.GenesisHash
		status := chain.StatusHeaderValid | chain.StatusHaveData | chain.StatusBlockValid
		if err := tx.Bucket(bucketHeaders).Put(headerKey(0, gen), headerValue(&g.Header, status)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketBlocks).Put(gen[:], g.Append(nil, wire.WitnessEncoding)); err != nil {
			return err
		}
		if err := meta.Put(keyTip, tipValue(gen, 0, g.Header.Timestamp, &g.Header)); err != nil {
			return err
		}
		if err := meta.Put(keyVersion, []byte{schemaVersion}); err != nil {
			return err
		}
		return meta.Put(keyGenesis, gen[:])
	})
}
