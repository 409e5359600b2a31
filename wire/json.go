package wire

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// JSON views for tools (ledgernet wire decode). Hashes print in display
// order, scripts and witness items in hex. These are for reading only: the
// wire form is the only serialization that round-trips.

type headerJSON struct {
	Hash       Hash   `json:"hash"`
	Version    int32  `json:"version"`
	PrevBlock  Hash   `json:"prev_block"`
	MerkleRoot Hash   `json:"merkle_root"`
	Time       uint32 `json:"time"`
	Bits       string `json:"bits"`
	Nonce      uint32 `json:"nonce"`
}

// MarshalJSON includes the header's hash and prints bits in hex, as Core's
// RPC does.
func (h BlockHeader) MarshalJSON() ([]byte, error) {
	return json.Marshal(headerJSON{
		Hash: h.BlockHash(), Version: h.Version, PrevBlock: h.PrevBlock, MerkleRoot: h.MerkleRoot,
		Time: h.Timestamp, Bits: fmt.Sprintf("%08x", h.Bits), Nonce: h.Nonce,
	})
}

type txInJSON struct {
	PrevOut   string   `json:"prev_out"`
	ScriptSig string   `json:"script_sig"`
	Witness   []string `json:"witness,omitempty"`
	Sequence  uint32   `json:"sequence"`
}

type txOutJSON struct {
	Value        int64  `json:"value"`
	ScriptPubKey string `json:"script_pubkey"`
}

type txJSON struct {
	TxID     Hash        `json:"txid"`
	WTxID    Hash        `json:"wtxid"`
	Version  int32       `json:"version"`
	Size     int         `json:"size"`
	Weight   int         `json:"weight"`
	Inputs   []txInJSON  `json:"inputs"`
	Outputs  []txOutJSON `json:"outputs"`
	LockTime uint32      `json:"locktime"`
}

func (tx *MsgTx) jsonView() txJSON {
	v := txJSON{
		TxID: tx.TxHash(), WTxID: tx.WitnessHash(), Version: tx.Version,
		Size: tx.SerializeSize(WitnessEncoding), Weight: tx.Weight(), LockTime: tx.LockTime,
		Inputs: make([]txInJSON, len(tx.TxIn)), Outputs: make([]txOutJSON, len(tx.TxOut)),
	}
	for i, in := range tx.TxIn {
		j := txInJSON{PrevOut: in.PreviousOutPoint.String(), ScriptSig: hex.EncodeToString(in.SignatureScript), Sequence: in.Sequence}
		for _, w := range in.Witness {
			j.Witness = append(j.Witness, hex.EncodeToString(w))
		}
		v.Inputs[i] = j
	}
	for i, out := range tx.TxOut {
		v.Outputs[i] = txOutJSON{Value: out.Value, ScriptPubKey: hex.EncodeToString(out.PkScript)}
	}
	return v
}

// MarshalJSON prints the transaction with its txid and wtxid.
func (tx *MsgTx) MarshalJSON() ([]byte, error) { return json.Marshal(tx.jsonView()) }

// MarshalJSON prints the block's hash, header and transactions.
func (b *MsgBlock) MarshalJSON() ([]byte, error) {
	v := struct {
		Hash         Hash        `json:"hash"`
		Header       BlockHeader `json:"header"`
		Transactions []*MsgTx    `json:"transactions"`
	}{b.BlockHash(), b.Header, b.Transactions}
	return json.Marshal(v)
}
