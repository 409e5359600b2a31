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
	tx.decode(&r, enc)
	r.end("tx")
	return r.err
}

// DecodePrefix decodes one transaction from the front of b and returns the
// number of bytes it used.
func (tx *MsgTx) DecodePrefix(b []byte, enc Encoding) (int, error) {
	r := reader{buf: b}
	tx.decode(&r, enc)
	return r.pos, r.err
}

// decode follows Bitcoin Core's UnserializeTransaction: an empty input list
// followed by a non-zero flag byte means the extended (BIP144) form.
func (tx *MsgTx) decode(r *reader, enc Encoding) {
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
			tx.readInputs(r, nIn)
			tx.readOutputs(r)
		}
	} else {
		tx.readInputs(r, nIn)
		tx.readOutputs(r)
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
				in.Witness = make([][]byte, n)
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

func (tx *MsgTx) readInputs(r *reader, n int) {
	if r.err != nil {
		return
	}
	// One allocation for all inputs: the count was checked against the bytes left.
	ins := make([]TxIn, n)
	tx.TxIn = make([]*TxIn, n)
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

func (tx *MsgTx) readOutputs(r *reader) {
	n := r.count(MaxTxSize/minTxOutSize, minTxOutSize, "tx output count")
	if r.err != nil {
		return
	}
	outs := make([]TxOut, n)
	tx.TxOut = make([]*TxOut, n)
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
