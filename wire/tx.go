package wire

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Transaction limits. A transaction cannot be larger than a block, so the
// block payload cap bounds every length inside it.
const (
	// MaxTxSize bounds a transaction's serialized size.
	MaxTxSize = MaxBlockPayload
	// minTxInSize is outpoint (36) + script length (1) + sequence (4).
	minTxInSize = 41
	// minTxOutSize is value (8) + script length (1).
	minTxOutSize = 9
	// minTxSize is version (4) + input count (1) + output count (1) + locktime (4).
	minTxSize = 10
	// MaxWitnessItems bounds the witness stack of one input (as btcd).
	MaxWitnessItems = 4_000_000
)

// Witness flag values (BIP144).
const (
	witnessMarker = 0x00
	witnessFlag   = 0x01
)

// Encoding selects between the legacy transaction serialization and the
// BIP144 serialization with witness data.
type Encoding int

const (
	// BaseEncoding is the serialization without witness data (used for txids).
	BaseEncoding Encoding = iota
	// WitnessEncoding is the BIP144 serialization (marker, flag, witnesses).
	WitnessEncoding
)

// OutPoint names an output of an earlier transaction.
type OutPoint struct {
	Hash  Hash
	Index uint32
}

// String returns "txid:index".
func (o OutPoint) String() string { return fmt.Sprintf("%s:%d", o.Hash, o.Index) }

// TxIn is a transaction input.
type TxIn struct {
	PreviousOutPoint OutPoint
	SignatureScript  []byte
	Witness          [][]byte
	Sequence         uint32
}

// TxOut is a transaction output.
type TxOut struct {
	Value    int64
	PkScript []byte
}

// MsgTx is a transaction; as a message it is the "tx" command.
type MsgTx struct {
	Version  int32
	TxIn     []*TxIn
	TxOut    []*TxOut
	LockTime uint32
}

// Command implements Message.
func (*MsgTx) Command() string { return CmdTx }

// MaxPayloadLength implements Message.
func (*MsgTx) MaxPayloadLength(uint32) uint32 { return MaxTxSize }

// HasWitness reports whether any input carries witness data.
func (tx *MsgTx) HasWitness() bool {
	for _, in := range tx.TxIn {
		if len(in.Witness) != 0 {
			return true
		}
	}
	return false
}

// Append appends the serialization of tx to b. With WitnessEncoding the BIP144
// form is used when the transaction has witness data.
func (tx *MsgTx) Append(b []byte, enc Encoding) []byte {
	witness := enc == WitnessEncoding && tx.HasWitness()
	b = binary.LittleEndian.AppendUint32(b, uint32(tx.Version))
	if witness {
		b = append(b, witnessMarker, witnessFlag)
	}
	b = AppendVarInt(b, uint64(len(tx.TxIn)))
	for _, in := range tx.TxIn {
		b = append(b, in.PreviousOutPoint.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PreviousOutPoint.Index)
		b = AppendVarBytes(b, in.SignatureScript)
		b = binary.LittleEndian.AppendUint32(b, in.Sequence)
	}
	b = AppendVarInt(b, uint64(len(tx.TxOut)))
	for _, out := range tx.TxOut {
		b = binary.LittleEndian.AppendUint64(b, uint64(out.Value))
		b = AppendVarBytes(b, out.PkScript)
	}
	if witness {
		for _, in := range tx.TxIn {
			b = AppendVarInt(b, uint64(len(in.Witness)))
			for _, item := range in.Witness {
				b = AppendVarBytes(b, item)
			}
		}
	}
	return binary.LittleEndian.AppendUint32(b, tx.LockTime)
}

// Encode implements Message.
func (tx *MsgTx) Encode(b []byte, _ uint32, enc Encoding) ([]byte, error) {
	return tx.Append(b, enc), nil
}

// SerializeSize returns the size of the serialization with enc.
func (tx *MsgTx) SerializeSize(enc Encoding) int {
	witness := enc == WitnessEncoding && tx.HasWitness()
	n := 8 + VarIntSize(uint64(len(tx.TxIn))) + VarIntSize(uint64(len(tx.TxOut)))
	if witness {
		n += 2
	}
	for _, in := range tx.TxIn {
		n += 40 + VarIntSize(uint64(len(in.SignatureScript))) + len(in.SignatureScript)
		if witness {
			n += VarIntSize(uint64(len(in.Witness)))
			for _, item := range in.Witness {
				n += VarIntSize(uint64(len(item))) + len(item)
			}
		}
	}
	for _, out := range tx.TxOut {
		n += 8 + VarIntSize(uint64(len(out.PkScript))) + len(out.PkScript)
	}
	return n
}

// Weight returns the BIP141 weight: base size × 3 + total size.
func (tx *MsgTx) Weight() int {
	return tx.SerializeSize(BaseEncoding)*3 + tx.SerializeSize(WitnessEncoding)
}

// TxHash returns the transaction ID: double-SHA256 of the serialization
// without witness data.
func (tx *MsgTx) TxHash() Hash {
	return DoubleSHA256(tx.Append(make([]byte, 0, tx.SerializeSize(BaseEncoding)), BaseEncoding))
}

// WitnessHash returns the wtxid: double-SHA256 of the BIP144 serialization.
// It equals TxHash for a transaction without witness data.
func (tx *MsgTx) WitnessHash() Hash {
	if !tx.HasWitness() {
		return tx.TxHash()
	}
	return DoubleSHA256(tx.Append(make([]byte, 0, tx.SerializeSize(WitnessEncoding)), WitnessEncoding))
}

// Decode implements Message. It reads exactly one transaction and rejects
// trailing bytes. Scripts and witness items alias b.
func (tx *MsgTx) Decode(b []byte, _ uint32, enc Encoding) error {
	r := reader{buf: b}
	tx.decode(&r, enc, nil)
	r.end("tx")
	return r.err
}

// DecodePrefix decodes one transaction from the front of b and returns the
// number of bytes it used.
func (tx *MsgTx) DecodePrefix(b []byte, enc Encoding) (int, error) {
	r := reader{buf: b}
	tx.decode(&r, enc, nil)
	return r.pos, r.err
}

// decode follows Bitcoin Core's UnserializeTransaction: an empty input list
// followed by a non-zero flag byte means the extended (BIP144) form.
//
// Slices come from s when it is not nil (decoding a block), else from their
// own allocations.
func (tx *MsgTx) decode(r *reader, enc Encoding, s *txSlab) {
	*tx = MsgTx{}
	tx.Version = int32(r.u32("tx version"))
	var flags uint8
	nIn := r.count(MaxTxSize/minTxInSize, minTxInSize, "tx input count")
	if r.err != nil {
		return
	}
	if nIn == 0 && enc == WitnessEncoding {
		flags = r.u8("tx witness flag")
		if flags != 0 {
			nIn = r.count(MaxTxSize/minTxInSize, minTxInSize, "tx input count")
			tx.readInputs(r, nIn, s)
			tx.readOutputs(r, s)
		}
	} else {
		tx.readInputs(r, nIn, s)
		tx.readOutputs(r, s)
	}
	if r.err != nil {
		return
	}
	if flags&witnessFlag != 0 {
		flags ^= witnessFlag
		for _, in := range tx.TxIn {
			n := r.count(MaxWitnessItems, 1, "witness item count")
			if r.err != nil {
				return
			}
			if n > 0 {
				in.Witness = s.witness(n, r.remaining())
				for i := range in.Witness {
					in.Witness[i] = r.varBytes(MaxTxSize, "witness item")
				}
			}
		}
		if r.err == nil && !tx.HasWitness() {
			r.fail(fmt.Errorf("%w: superfluous witness record", ErrMalformed))
			return
		}
	}
	if flags != 0 && r.err == nil {
		r.fail(fmt.Errorf("%w: unknown transaction optional data (flags %#x)", ErrMalformed, flags))
		return
	}
	tx.LockTime = r.u32("tx locktime")
}

func (tx *MsgTx) readInputs(r *reader, n int, s *txSlab) {
	if r.err != nil {
		return
	}
	// The count was checked against the bytes left before this allocates.
	ins, ptrs := s.inputs(n, r.remaining())
	tx.TxIn = ptrs
	for i := range ins {
		in := &ins[i]
		in.PreviousOutPoint.Hash = r.hash("outpoint hash")
		in.PreviousOutPoint.Index = r.u32("outpoint index")
		in.SignatureScript = r.varBytes(MaxTxSize, "signature script")
		in.Sequence = r.u32("sequence")
		if r.err != nil {
			return
		}
		tx.TxIn[i] = in
	}
}

func (tx *MsgTx) readOutputs(r *reader, s *txSlab) {
	n := r.count(MaxTxSize/minTxOutSize, minTxOutSize, "tx output count")
	if r.err != nil {
		return
	}
	outs, ptrs := s.outputs(n, r.remaining())
	tx.TxOut = ptrs
	for i := range outs {
		out := &outs[i]
		out.Value = int64(r.u64("output value"))
		out.PkScript = r.varBytes(MaxTxSize, "pk script")
		if r.err != nil {
			return
		}
		tx.TxOut[i] = out
	}
}

// txHashFromBytes computes the txid straight from a decoded serialization
// without re-encoding: for a witness transaction the hashed bytes are the
// version, the inputs and outputs, and the locktime, skipping the marker,
// flag and witnesses.
func txHashFromBytes(raw []byte, witness bool, witnessStart int) Hash {
	if !witness {
		return DoubleSHA256(raw)
	}
	h := sha256.New()
	h.Write(raw[:4])
	h.Write(raw[6:witnessStart])
	h.Write(raw[len(raw)-4:])
	var first [32]byte
	h.Sum(first[:0])
	return sha256.Sum256(first[:])
}

// txSlab hands out the slices of a block's transactions from shared backing
// arrays, so decoding a block makes a few large allocations instead of
// several per transaction. Each slice is capped (s[i:j:j]) so that appending
// to one transaction's inputs reallocates instead of overwriting the next
// transaction's. A slab never holds more than the bytes left could fill, so
// a small block does not pay for a large one. A nil *txSlab allocates each
// slice on its own.
type txSlab struct {
	ins     []TxIn
	inPtrs  []*TxIn
	outs    []TxOut
	outPtrs []*TxOut
	wits    [][]byte
}

// slabChunk is the most elements a slab allocates ahead of need.
const slabChunk = 1024

// chunk is how many elements to allocate when n are needed and at most
// left/minSize more can follow.
func chunk(n, left, minSize int) int {
	return n + min(slabChunk, left/minSize)
}

func (s *txSlab) inputs(n, left int) ([]TxIn, []*TxIn) {
	if s == nil {
		return make([]TxIn, n), make([]*TxIn, n)
	}
	if len(s.ins) < n {
		s.ins = make([]TxIn, chunk(n, left, minTxInSize))
	}
	if len(s.inPtrs) < n {
		s.inPtrs = make([]*TxIn, chunk(n, left, minTxInSize))
	}
	ins, ptrs := s.ins[:n:n], s.inPtrs[:n:n]
	s.ins, s.inPtrs = s.ins[n:], s.inPtrs[n:]
	return ins, ptrs
}

func (s *txSlab) outputs(n, left int) ([]TxOut, []*TxOut) {
	if s == nil {
		return make([]TxOut, n), make([]*TxOut, n)
	}
	if len(s.outs) < n {
		s.outs = make([]TxOut, chunk(n, left, minTxOutSize))
	}
	if len(s.outPtrs) < n {
		s.outPtrs = make([]*TxOut, chunk(n, left, minTxOutSize))
	}
	outs, ptrs := s.outs[:n:n], s.outPtrs[:n:n]
	s.outs, s.outPtrs = s.outs[n:], s.outPtrs[n:]
	return outs, ptrs
}

// witness returns a stack of n items; each item takes at least one byte.
func (s *txSlab) witness(n, left int) [][]byte {
	if s == nil {
		return make([][]byte, n)
	}
	if len(s.wits) < n {
		s.wits = make([][]byte, chunk(n, left, 1))
	}
	w := s.wits[:n:n]
	s.wits = s.wits[n:]
	return w
}
