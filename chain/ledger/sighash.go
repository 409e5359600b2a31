package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/ledgernet/ledgernet/wire"
)

// SigHashAll is the only signature hash type the devnet accepts: the
// signature covers every input's outpoint and sequence and every output.
const SigHashAll uint32 = 1

// SignatureHash returns Bitcoin's legacy (pre-segwit) signature hash of input
// idx of tx for SIGHASH_ALL: the transaction serialized with every input
// script empty except input idx's, which is subScript (the spent output's
// script), followed by hashType as 4 little-endian bytes, double-SHA256.
//
// A P2PKH script has no OP_CODESEPARATOR and cannot contain the signature,
// so Core's script-code editing has nothing to remove and is not done here.
// idx must be a valid input index.
func SignatureHash(tx *wire.MsgTx, idx int, subScript []byte, hashType uint32) wire.Hash {
	var s sigHasher
	return s.hash(tx, idx, subScript, hashType)
}

// sigHasher streams the modified transaction into SHA-256 instead of copying
// it, reusing its hash state and scratch buffer across calls.
type sigHasher struct {
	h   hash.Hash
	buf []byte
}

func (s *sigHasher) hash(tx *wire.MsgTx, idx int, subScript []byte, hashType uint32) wire.Hash {
	if s.h == nil {
		s.h = sha256.New()
	}
	s.h.Reset()
	b := binary.LittleEndian.AppendUint32(s.buf[:0], uint32(tx.Version))
	b = wire.AppendVarInt(b, uint64(len(tx.TxIn)))
	for i, in := range tx.TxIn {
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		if i == idx {
			b = wire.AppendVarBytes(b, subScript)
		} else {
			b = append(b, 0)
		}
		b = binary.LittleEndian.AppendUint32(b, in.Sequence)
		if len(b) > 4096 {
			s.h.Write(b)
			b = b[:0]
		}
	}
	b = wire.AppendVarInt(b, uint64(len(tx.TxOut)))
	for _, out := range tx.TxOut {
		b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
		b = wire.AppendVarBytes(b, out.PkScript)
		if len(b) > 4096 {
			s.h.Write(b)
			b = b[:0]
		}
	}
	b = binary.LittleEndian.AppendUint32(b, tx.LockTime)
	b = binary.LittleEndian.AppendUint32(b, hashType)
	s.h.Write(b)
	s.buf = b[:0]
	var first [sha256.Size]byte
	s.h.Sum(first[:0])
	return sha256.Sum256(first[:])
}
