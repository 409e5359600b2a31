package wire

import "fmt"

// MaxBlockPayload is the largest block message payload (as btcd and Core:
// the BIP141 weight limit means a serialized block is at most 4,000,000 bytes).
const MaxBlockPayload = 4_000_000

// MsgBlock is a block; as a message it is the "block" command.
type MsgBlock struct {
	Header       BlockHeader
	Transactions []*MsgTx
}

// Command implements Message.
func (*MsgBlock) Command() string { return CmdBlock }

// MaxPayloadLength implements Message.
func (*MsgBlock) MaxPayloadLength(uint32) uint32 { return MaxBlockPayload }

// BlockHash returns the hash of the block's header.
func (b *MsgBlock) BlockHash() Hash { return b.Header.BlockHash() }

// Append appends the serialization of the block to dst.
func (b *MsgBlock) Append(dst []byte, enc Encoding) []byte {
	dst = b.Header.Append(dst)
	dst = AppendVarInt(dst, uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		dst = tx.Append(dst, enc)
	}
	return dst
}

// Encode implements Message.
func (b *MsgBlock) Encode(dst []byte, _ uint32, enc Encoding) ([]byte, error) {
	return b.Append(dst, enc), nil
}

// SerializeSize returns the size of the block's serialization with enc.
func (b *MsgBlock) SerializeSize(enc Encoding) int {
	n := BlockHeaderSize + VarIntSize(uint64(len(b.Transactions)))
	for _, tx := range b.Transactions {
		n += tx.SerializeSize(enc)
	}
	return n
}

// Decode implements Message. It reads exactly one block and rejects trailing
// bytes. Scripts and witness items alias p.
func (b *MsgBlock) Decode(p []byte, _ uint32, enc Encoding) error {
	r := reader{buf: p}
	b.decode(&r, enc)
	r.end("block")
	return r.err
}

func (b *MsgBlock) decode(r *reader, enc Encoding) {
	*b = MsgBlock{}
	r.blockHeader(&b.Header)
	n := r.count(MaxBlockPayload/minTxSize, minTxSize, "block transaction count")
	if r.err != nil {
		return
	}
	txs := make([]MsgTx, n)
	b.Transactions = make([]*MsgTx, n)
	var slab txSlab
	for i := range txs {
		txs[i].decode(r, enc, &slab)
		if r.err != nil {
			r.err = fmt.Errorf("transaction %d: %w", i, r.err)
			return
		}
		b.Transactions[i] = &txs[i]
	}
}

// TxHashes decodes the block in p and returns the txid of each transaction,
// hashing the serialized bytes directly instead of re-encoding each one.
func TxHashes(p []byte, enc Encoding) ([]Hash, error) {
	r := reader{buf: p}
	var hdr BlockHeader
	r.blockHeader(&hdr)
	n := r.count(MaxBlockPayload/minTxSize, minTxSize, "block transaction count")
	if r.err != nil {
		return nil, r.err
	}
	hashes := make([]Hash, n)
	var tx MsgTx
	for i := range hashes {
		start := r.pos
		tx.decode(&r, enc, nil)
		if r.err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, r.err)
		}
		raw := r.buf[start:r.pos]
		witness := len(raw) > 6 && raw[4] == witnessMarker && raw[5] == witnessFlag && enc == WitnessEncoding
		ws := 0
		if witness {
			ws = len(raw) - 4
			for _, in := range tx.TxIn {
				ws -= VarIntSize(uint64(len(in.Witness)))
				for _, item := range in.Witness {
					ws -= VarIntSize(uint64(len(item))) + len(item)
				}
			}
		}
		hashes[i] = txHashFromBytes(raw, witness, ws)
	}
	r.end("block")
	return hashes, r.err
}
