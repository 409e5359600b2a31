package wire

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// genesisCoinbase is the coinbase of the mainnet genesis block (legacy).
const genesisCoinbase = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000"

// segwitCoinbase is the coinbase of block 481,829, the first segwit block's
// era: one input whose witness is the 32-byte reserved value.
const segwitCoinbase = "010000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff5e03255a070459489e592f426978696e2f426974636f696e456e74657270726973652f4e59412ffabe6d6d0e2fee583706b08b63225903bb6b6d9accbc75fb61a14d3c075285aefa4031c0010000000000000018f0148762b9db6c00000000ffffffff02a8994968000000001976a914cef3550ff9e637ddd120717d43fc21f8a563caf888ac0000000000000000266a24aa21a9edc3c1145d8070a57e433238e42e4c022c1e51ca2a958094af243ae1ee252ca1060120000000000000000000000000000000000000000000000000000000000000000000000000"

func TestMsgTx(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		enc   Encoding
		txid  string
		wtxid string // empty: same as txid
	}{
		{"genesis coinbase", genesisCoinbase, WitnessEncoding, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", ""},
		{"genesis coinbase base", genesisCoinbase, BaseEncoding, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b", ""},
		{"segwit coinbase", segwitCoinbase, WitnessEncoding, "9c1ab453283035800c43eb6461eb46682b81be110a0cb89ee923882a5fd9daa4",
			// The hash of its whole serialization (the witness merkle tree
			// uses zero for a coinbase, but that is the tree's rule).
			"2bbda73aa4e561e7f849703994cc5e563e4bcf103fb0f6fef5ae44c95c7b83a6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := mustHex(t, tt.raw)
			var tx MsgTx
			if err := tx.Decode(raw, ProtocolVersion, tt.enc); err != nil {
				t.Fatal(err)
			}
			roundTrip(t, &tx, ProtocolVersion, tt.enc, raw)
			checkTruncations(t, CmdTx, raw, ProtocolVersion, tt.enc, nil, false)
			if got := tx.TxHash().String(); got != tt.txid {
				t.Fatalf("txid %s, want %s", got, tt.txid)
			}
			want := tt.wtxid
			if want == "" {
				want = tt.txid
			}
			if got := tx.WitnessHash().String(); got != want {
				t.Fatalf("wtxid %s, want %s", got, want)
			}
			if tx.SerializeSize(tt.enc) != len(raw) {
				t.Fatalf("SerializeSize %d", tx.SerializeSize(tt.enc))
			}
		})
	}
	// Without witness encoding, the segwit coinbase strips to its base form.
	var tx MsgTx
	if err := tx.Decode(mustHex(t, segwitCoinbase), ProtocolVersion, WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	base := encode(t, &tx, ProtocolVersion, BaseEncoding)
	if DoubleSHA256(base) != tx.TxHash() || len(base) != tx.SerializeSize(BaseEncoding) {
		t.Fatal("base encoding does not hash to the txid")
	}
	if tx.Weight() != 3*len(base)+len(mustHex(t, segwitCoinbase)) {
		t.Fatalf("weight %d", tx.Weight())
	}
}

func TestMsgTxBad(t *testing.T) {
	prevout := strings.Repeat("11", 32) + "00000000"
	in := prevout + "00" + "ffffffff"
	out := "0000000000000000" + "00"
	checkBad(t, CmdTx, WitnessEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"superfluous witness flag", ProtocolVersion, mustHex(t, "01000000"+"0001"+"01"+in+"01"+out+"00"+"00000000"), ErrMalformed},
		{"unknown flag", ProtocolVersion, mustHex(t, "01000000"+"0002"+"01"+in+"01"+out+"00000000"), ErrMalformed},
		{"input count too large", ProtocolVersion, mustHex(t, "01000000"+"ffffffffffffffff00"), ErrTooMany},
		{"input count past the end", ProtocolVersion, mustHex(t, "01000000"+"02"+in+"01"+out+"00000000"), ErrShortPayload},
		{"non-canonical input count", ProtocolVersion, mustHex(t, "01000000"+"fd0100"+in+"01"+out+"00000000"), ErrNonCanonicalVarInt},
		{"script past the end", ProtocolVersion, mustHex(t, "01000000"+"01"+prevout+"50"+"ffffffff"+"01"+out+"00000000"), ErrShortPayload},
		{"output count past the end", ProtocolVersion, mustHex(t, "01000000"+"01"+in+"09"+out+"00000000"), ErrShortPayload},
		{"witness items past the end", ProtocolVersion, mustHex(t, "01000000"+"0001"+"01"+in+"01"+out+"05"+"0100"+"00000000"), ErrShortPayload},
		{"witness item past the end", ProtocolVersion, mustHex(t, "01000000"+"0001"+"01"+in+"01"+out+"01"+"20aa"+"00000000"), ErrShortPayload},
		{"no locktime", ProtocolVersion, mustHex(t, "01000000"+"01"+in+"01"+out), ErrShortPayload},
		{"trailing", ProtocolVersion, mustHex(t, "01000000"+"01"+in+"01"+out+"00000000"+"00"), ErrTrailingBytes},
	})
}

// TestTxDecodePrefix reads consecutive transactions from one buffer.
func TestTxDecodePrefix(t *testing.T) {
	a, b := mustHex(t, genesisCoinbase), mustHex(t, segwitCoinbase)
	buf := append(bytes.Clone(a), b...)
	var tx MsgTx
	n, err := tx.DecodePrefix(buf, WitnessEncoding)
	if err != nil || n != len(a) {
		t.Fatal(n, err)
	}
	m, err := tx.DecodePrefix(buf[n:], WitnessEncoding)
	if err != nil || m != len(b) || hex.EncodeToString(encode(t, &tx, 0, WitnessEncoding)) != segwitCoinbase {
		t.Fatal(m, err)
	}
}
