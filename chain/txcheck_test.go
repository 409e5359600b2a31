package chain

import (
	"errors"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

func testOutPoint(i uint32) wire.OutPoint {
	return wire.OutPoint{Hash: leaf(int(i) + 1000), Index: i}
}

// testTx is a valid non-coinbase transaction with nIn inputs and nOut outputs.
func testTx(nIn, nOut int) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 1}
	for i := range nIn {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: testOutPoint(uint32(i)), SignatureScript: []byte{0x51}, Sequence: 0xffffffff})
	}
	for range nOut {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 5000, PkScript: PayToPubKeyHashScript([20]byte{1})})
	}
	return tx
}

func testCoinbase(script []byte) *wire.MsgTx {
	return &wire.MsgTx{
		Version: 1,
		TxIn:    []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: 0xffffffff}, SignatureScript: script, Sequence: 0xffffffff}},
		TxOut:   []*wire.TxOut{{Value: 50 * 100_000_000, PkScript: []byte{OpCheckSig}}},
	}
}

func TestCheckTransaction(t *testing.T) {
	tests := []struct {
		name    string
		tx      func(*testing.T) *wire.MsgTx
		want    error
		context string // expected in the message
	}{
		{"valid", func(*testing.T) *wire.MsgTx { return testTx(2, 2) }, nil, ""},
		{"valid coinbase 2 bytes", func(*testing.T) *wire.MsgTx { return testCoinbase([]byte{1, 2}) }, nil, ""},
		{"valid coinbase 100 bytes", func(*testing.T) *wire.MsgTx { return testCoinbase(make([]byte, 100)) }, nil, ""},
		{"valid zero output", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxOut[0].Value = 0
			return tx
		}, nil, ""},
		{"valid MaxMoney output", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxOut[0].Value = MaxMoney
			return tx
		}, nil, ""},
		{"valid outputs summing to MaxMoney", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 2)
			tx.TxOut[0].Value, tx.TxOut[1].Value = MaxMoney-1, 1
			return tx
		}, nil, ""},
		{"valid 17 distinct inputs (map path)", func(*testing.T) *wire.MsgTx { return testTx(17, 1) }, nil, ""},
		{"no inputs", func(*testing.T) *wire.MsgTx { return testTx(0, 1) }, ErrNoTxInputs, ""},
		{"no outputs", func(*testing.T) *wire.MsgTx { return testTx(1, 0) }, ErrNoTxOutputs, ""},
		{"base size over the limit", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxOut[0].PkScript = make([]byte, 1_000_000)
			return tx
		}, ErrTxTooBig, ""},
		{"base size at the limit", func(t *testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			base := tx.SerializeSize(wire.BaseEncoding) - len(tx.TxOut[0].PkScript) - 1
			// Script length then needs a 5-byte compact size.
			tx.TxOut[0].PkScript = make([]byte, 1_000_000-base-5)
			if n := tx.SerializeSize(wire.BaseEncoding); n != 1_000_000 {
				t.Fatalf("built %d bytes", n)
			}
			return tx
		}, nil, ""},
		{"witness does not count toward size", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxIn[0].Witness = [][]byte{make([]byte, 2_000_000)}
			return tx
		}, nil, ""},
		{"negative output", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 3)
			tx.TxOut[2].Value = -1
			return tx
		}, ErrNegativeOutput, "output 2"},
		{"output MaxMoney+1", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 2)
			tx.TxOut[1].Value = MaxMoney + 1
			return tx
		}, ErrOutputTooLarge, "output 1"},
		{"output int64 max", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxOut[0].Value = 1<<63 - 1
			return tx
		}, ErrOutputTooLarge, "output 0"},
		{"sum over MaxMoney", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 2)
			tx.TxOut[0].Value, tx.TxOut[1].Value = MaxMoney, 1
			return tx
		}, ErrOutputTotalTooLarge, "output 1"},
		{"CVE-2010-5139 style overflow", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 3)
			for _, o := range tx.TxOut {
				o.Value = MaxMoney
			}
			return tx
		}, ErrOutputTotalTooLarge, "output 1"},
		{"duplicate input (pairwise path)", func(*testing.T) *wire.MsgTx {
			tx := testTx(3, 1)
			tx.TxIn[2].PreviousOutPoint = tx.TxIn[0].PreviousOutPoint
			return tx
		}, ErrDuplicateTxInput, "inputs 0 and 2"},
		{"duplicate input (map path)", func(*testing.T) *wire.MsgTx {
			tx := testTx(40, 1)
			tx.TxIn[39].PreviousOutPoint = tx.TxIn[20].PreviousOutPoint
			return tx
		}, ErrDuplicateTxInput, "inputs 20 and 39"},
		{"same hash, other index is not a duplicate", func(*testing.T) *wire.MsgTx {
			tx := testTx(2, 1)
			tx.TxIn[1].PreviousOutPoint.Hash = tx.TxIn[0].PreviousOutPoint.Hash
			return tx
		}, nil, ""},
		{"coinbase script 1 byte", func(*testing.T) *wire.MsgTx { return testCoinbase([]byte{1}) }, ErrCoinbaseScriptSize, "1 bytes"},
		{"coinbase script empty", func(*testing.T) *wire.MsgTx { return testCoinbase(nil) }, ErrCoinbaseScriptSize, ""},
		{"coinbase script 101 bytes", func(*testing.T) *wire.MsgTx { return testCoinbase(make([]byte, 101)) }, ErrCoinbaseScriptSize, "101 bytes"},
		{"null prevout beside another input", func(*testing.T) *wire.MsgTx {
			tx := testTx(2, 1)
			tx.TxIn[1].PreviousOutPoint = wire.OutPoint{Index: 0xffffffff}
			return tx
		}, ErrNullPrevOut, "input 1"},
		{"zero hash with index 0 is not null", func(*testing.T) *wire.MsgTx {
			tx := testTx(1, 1)
			tx.TxIn[0].PreviousOutPoint = wire.OutPoint{}
			return tx
		}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTransaction(tc.tx(t))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("CheckTransaction = %v, want %v", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.context) {
				t.Fatalf("error %q lacks %q", err, tc.context)
			}
		})
	}
}

func TestIsCoinBase(t *testing.T) {
	null := wire.OutPoint{Index: 0xffffffff}
	tests := []struct {
		name string
		ins  []wire.OutPoint
		want bool
	}{
		{"null outpoint", []wire.OutPoint{null}, true},
		{"no inputs", nil, false},
		{"two inputs", []wire.OutPoint{null, null}, false},
		{"index 0", []wire.OutPoint{{}}, false},
		{"non-zero hash", []wire.OutPoint{{Hash: wire.Hash{1}, Index: 0xffffffff}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := &wire.MsgTx{}
			for _, op := range tc.ins {
				tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: op})
			}
			if got := IsCoinBase(tx); got != tc.want {
				t.Fatalf("IsCoinBase = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIsFinalTx(t *testing.T) {
	const height, blockTime = 1000, 1_600_000_000
	tests := []struct {
		name     string
		lockTime uint32
		sequence uint32
		want     bool
	}{
		{"zero lock time", 0, 0, true},
		{"height passed", height - 1, 0, true},
		{"height not passed", height, 0, false},
		{"height not passed, final sequence", height, 0xffffffff, true},
		{"threshold-1 is a height", LockTimeThreshold - 1, 0, false},
		{"time passed", blockTime - 1, 0, true},
		{"time not passed", blockTime, 0, false},
		{"time not passed, final sequence", blockTime, 0xffffffff, true},
		{"max lock time", 0xffffffff, 0xfffffffe, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := testTx(2, 1)
			tx.LockTime = tc.lockTime
			tx.TxIn[1].Sequence = tc.sequence
			tx.TxIn[0].Sequence = 0xffffffff
			if got := IsFinalTx(tx, height, blockTime); got != tc.want {
				t.Fatalf("IsFinalTx = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTxLegacySigOpCount(t *testing.T) {
	tx := testTx(2, 2) // two P2PKH outputs: one CHECKSIG each
	tx.TxIn[0].SignatureScript = []byte{OpCheckMultiSig, 0x01, OpCheckSig}
	if got := TxLegacySigOpCount(tx); got != 22 {
		t.Fatalf("TxLegacySigOpCount = %d, want 22", got)
	}
}
