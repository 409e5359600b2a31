package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/wire"
)

// testSpacing keeps test chains at the devnet's proof-of-work limit: a
// retarget period of 59 gaps of 6 s is longer than the 300 s target, so the
// target would grow, and the limit caps it.
const testSpacing = 6

// testNow is a fixed clock far enough ahead of every test block.
func testNow() time.Time {
	return time.Unix(int64(chain.DevNetParams().GenesisBlock.Header.Timestamp)+10_000_000, 0)
}

func openTest(t testing.TB, dir string, p *chain.Params) *Store {
	t.Helper()
	s, err := Open(filepath.Join(dir, FileName), p, Config{Now: testNow, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testKey returns a deterministic key.
func testKey(seed byte) *secp256k1.PrivateKey {
	var b [32]byte
	b[31] = seed
	b[0] = 0x42
	return secp256k1.PrivKeyFromBytes(b[:])
}

func keyScript(k *secp256k1.PrivateKey) []byte {
	return chain.PayToPubKeyHashScript(chain.Hash160(k.PubKey().SerializeCompressed()))
}

// blockSpec describes a test block.
type blockSpec struct {
	prev   wire.Hash
	height int32
	// tag makes blocks of different branches differ.
	tag    byte
	payTo  []byte
	txs    []*wire.MsgTx
	fees   int64
	extra  int64 // added to the coinbase value
	tsSkew uint32
}

// makeBlock builds and solves a devnet block.
func makeBlock(t testing.TB, p *chain.Params, s blockSpec) *wire.MsgBlock {
	t.Helper()
	script := chain.AppendScriptInt(nil, int64(s.height))
	script = chain.AppendPush(script, []byte{s.tag, 0xee})
	cb := &wire.MsgTx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
			SignatureScript:  script,
			Sequence:         0xffffffff,
		}},
		TxOut: []*wire.TxOut{{Value: ledger.Subsidy(p, s.height) + s.fees + s.extra, PkScript: s.payTo}},
	}
	b := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:   4,
			PrevBlock: s.prev,
			Timestamp: p.GenesisBlock.Header.Timestamp + uint32(s.height)*testSpacing + s.tsSkew,
			Bits:      p.PowLimitBits,
		},
		Transactions: append([]*wire.MsgTx{cb}, s.txs...),
	}
	b.Header.MerkleRoot, _ = chain.MerkleRoot(chain.BlockTxIDs(b))
	solve(t, &b.Header)
	return b
}

func solve(t testing.TB, h *wire.BlockHeader) {
	target, _, _ := chain.CompactToUint256(h.Bits)
	for n := uint32(0); ; n++ {
		h.Nonce = n
		hash := h.BlockHash()
		if v := chain.HashToUint256(&hash); v.Cmp(target) <= 0 {
			return
		}
		if n == 0xffffffff {
			t.Fatal("no nonce")
		}
	}
}

// spend builds a transaction spending coins (all paying key) to outs.
func spend(t testing.TB, key *secp256k1.PrivateKey, ins []wire.OutPoint, outs ...*wire.TxOut) *wire.MsgTx {
	t.Helper()
	tx := &wire.MsgTx{Version: 2, TxOut: outs}
	for _, op := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: op, Sequence: 0xffffffff})
	}
	for i := range ins {
		if err := ledger.SignInput(tx, i, keyScript(key), key); err != nil {
			t.Fatal(err)
		}
	}
	return tx
}

func coinbaseOut(b *wire.MsgBlock) wire.OutPoint {
	return wire.OutPoint{Hash: b.Transactions[0].TxHash(), Index: 0}
}

// builder extends a branch of test blocks.
type builder struct {
	t      testing.TB
	p      *chain.Params
	tag    byte
	blocks []*wire.MsgBlock // blocks[i] at height base+1+i
	base   int32
	prev   wire.Hash
	payTo  []byte
}

func newBuilder(t testing.TB, p *chain.Params, tag byte, prev wire.Hash, height int32, payTo []byte) *builder {
	return &builder{t: t, p: p, tag: tag, base: height, prev: prev, payTo: payTo}
}

func (b *builder) height() int32 { return b.base + int32(len(b.blocks)) }

// next appends a block with txs paying fees.
func (b *builder) next(txs []*wire.MsgTx, fees int64) *wire.MsgBlock {
	blk := makeBlock(b.t, b.p, blockSpec{prev: b.prev, height: b.height() + 1, tag: b.tag, payTo: b.payTo, txs: txs, fees: fees})
	b.blocks = append(b.blocks, blk)
	b.prev = blk.BlockHash()
	return blk
}

// fork returns a builder starting after block i (by height) of this one.
func (b *builder) fork(tag byte, height int32) *builder {
	prev := b.p.GenesisHash
	if height > b.base {
		prev = b.blocks[height-b.base-1].BlockHash()
	}
	return &builder{t: b.t, p: b.p, tag: tag, base: height, prev: prev, payTo: b.payTo}
}

func mustProcess(t testing.TB, s *Store, blocks ...*wire.MsgBlock) {
	t.Helper()
	if err := s.ProcessBlocks(blocks); err != nil {
		t.Fatal(err)
	}
}

// coinSet dumps the coin set.
func coinSet(t testing.TB, s *Store) map[wire.OutPoint]ledger.Coin {
	t.Helper()
	out := make(map[wire.OutPoint]ledger.Coin)
	if _, err := s.ForEachCoin(func(op wire.OutPoint, c ledger.Coin) error {
		out[op] = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameCoins(a, b map[wire.OutPoint]ledger.Coin) error {
	if len(a) != len(b) {
		return fmt.Errorf("%d coins vs %d", len(a), len(b))
	}
	for _, op := range slices.SortedFunc(maps.Keys(a), func(x, y wire.OutPoint) int {
		return bytes.Compare(append(x.Hash[:], byte(x.Index)), append(y.Hash[:], byte(y.Index)))
	}) {
		c, d := a[op], b[op]
		if _, ok := b[op]; !ok {
			return fmt.Errorf("coin %s missing", op)
		}
		if c.Value != d.Value || c.Height != d.Height || c.Coinbase != d.Coinbase || !bytes.Equal(c.PkScript, d.PkScript) {
			return fmt.Errorf("coin %s differs: %+v vs %+v", op, c, d)
		}
	}
	return nil
}

// verifyState checks the database against itself: replaying the connected
// chain's blocks from genesis gives exactly the stored coin set, every
// connected block but genesis has an undo record and no other block has
// one, and the stored tip is the in-memory tip.
func verifyState(s *Store) error {
	var (
		tip    TipInfo
		hashes []wire.Hash
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if tip, err = decodeTip(tx.Bucket(bucketMeta).Get(keyTip)); err != nil {
			return err
		}
		// The chain from the tip back, through the stored headers.
		byHash := make(map[wire.Hash]wire.BlockHeader)
		err = tx.Bucket(bucketHeaders).ForEach(func(k, v []byte) error {
			var h wire.BlockHeader
			_ = h.DecodeBlockHeader(v)
			byHash[wire.Hash(k[4:])] = h
			return nil
		})
		if err != nil {
			return err
		}
		for h := tip.Hash; ; {
			hashes = append(hashes, h)
			hd, ok := byHash[h]
			if !ok {
				return fmt.Errorf("header %s of the connected chain missing", h)
			}
			if hd.PrevBlock.IsZero() {
				break
			}
			h = hd.PrevBlock
		}
		slices.Reverse(hashes)
		if int32(len(hashes)-1) != tip.Height {
			return fmt.Errorf("tip height %d, chain of %d", tip.Height, len(hashes))
		}
		if !s.ledger {
			return nil
		}
		want := make(map[wire.OutPoint]ledger.Coin)
		undo := tx.Bucket(bucketUndo)
		for height, h := range hashes {
			raw := tx.Bucket(bucketBlocks).Get(h[:])
			if raw == nil {
				return fmt.Errorf("connected block %s not stored", h)
			}
			var b wire.MsgBlock
			if err := b.Decode(append([]byte(nil), raw...), wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
				return err
			}
			if height == 0 {
				continue
			}
			if undo.Get(h[:]) == nil {
				return fmt.Errorf("connected block %d %s has no undo record", height, h)
			}
			for i, t := range b.Transactions {
				if i > 0 {
					for _, in := range t.TxIn {
						if _, ok := want[in.PreviousOutPoint]; !ok {
							return fmt.Errorf("block %d spends %s, not in the replayed set", height, in.PreviousOutPoint)
						}
						delete(want, in.PreviousOutPoint)
					}
				}
				id := t.TxHash()
				for o, out := range t.TxOut {
					if ledger.Spendable(out.PkScript) {
						want[wire.OutPoint{Hash: id, Index: uint32(o)}] = ledger.Coin{
							Value: out.Value, PkScript: out.PkScript, Height: int32(height), Coinbase: i == 0}
					}
				}
			}
		}
		if n := undo.Stats().KeyN; n != len(hashes)-1 {
			return fmt.Errorf("%d undo records for %d connected blocks", n, len(hashes)-1)
		}
		got := make(map[wire.OutPoint]ledger.Coin)
		err = tx.Bucket(bucketCoins).ForEach(func(k, v []byte) error {
			c, _, err := ledger.DecodeCoin(v)
			if err != nil {
				return err
			}
			got[wire.OutPoint{Hash: wire.Hash(k[:32]), Index: binary.BigEndian.Uint32(k[32:])}] = c
			return nil
		})
		if err != nil {
			return err
		}
		return sameCoins(want, got)
	})
	if err != nil {
		return err
	}
	if mem := s.Tip(); mem.Hash != tip.Hash {
		return fmt.Errorf("in-memory tip %s, stored %s", mem.Hash, tip.Hash)
	}
	return nil
}

// readBlkFile splits a blk-framed file (magic, LE length, block) into
// decoded blocks.
func readBlkFile(t testing.TB, path string, magic uint32) []*wire.MsgBlock {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []*wire.MsgBlock
	for len(raw) > 0 {
		if len(raw) < 8 || binary.LittleEndian.Uint32(raw) != magic {
			t.Fatalf("blk file: bad framing at block %d", len(out))
		}
		n := binary.LittleEndian.Uint32(raw[4:])
		if uint64(n) > uint64(len(raw)-8) {
			t.Fatalf("blk file: block %d claims %d bytes", len(out), n)
		}
		b := new(wire.MsgBlock)
		if err := b.Decode(raw[8:8+n], wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
			t.Fatalf("blk file: block %d: %v", len(out), err)
		}
		out = append(out, b)
		raw = raw[8+n:]
	}
	return out
}

var errHook = errors.New("test hook: abort before commit")
