package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// TestSignatureHashMainnet checks SignatureHash against real signatures:
// every input of Bitcoin's first 14,132 blocks spends a P2PK or P2PKH
// output with a SIGHASH_ALL signature made by the original client, and each
// must verify over the hash computed here.
func TestSignatureHashMainnet(t *testing.T) {
	raw := fixtures.Read(t, "btc/mainnet/blocks_0_14131.blk")
	outs := make(map[wire.OutPoint][]byte) // every output's script
	verified, p2pkh := 0, 0
	for n := 0; len(raw) > 0; n++ {
		if len(raw) < 8 || binary.LittleEndian.Uint32(raw) != 0xd9b4bef9 {
			t.Fatalf("block %d: bad framing", n)
		}
		size := binary.LittleEndian.Uint32(raw[4:])
		var b wire.MsgBlock
		if err := b.Decode(raw[8:8+size], wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
			t.Fatal(err)
		}
		raw = raw[8+size:]
		for _, tx := range b.Transactions {
			id := tx.TxHash()
			if !chain.IsCoinBase(tx) {
				for i, in := range tx.TxIn {
					prev, ok := outs[in.PreviousOutPoint]
					if !ok {
						t.Fatalf("block %d: input spends unknown %s", n, in.PreviousOutPoint)
					}
					sig, pub := splitSpend(t, in.SignatureScript, prev)
					if sig[len(sig)-1] != byte(SigHashAll) {
						t.Fatalf("block %d: hash type %#x", n, sig[len(sig)-1])
					}
					s, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
					if err != nil {
						t.Fatalf("block %d: %v", n, err)
					}
					key, err := secp256k1.ParsePubKey(pub)
					if err != nil {
						t.Fatal(err)
					}
					h := SignatureHash(tx, i, prev, SigHashAll)
					if !s.Verify(h[:], key) {
						t.Fatalf("block %d tx %s input %d: signature does not verify over the computed hash", n, id, i)
					}
					verified++
					if _, ok := chain.ExtractPubKeyHash(prev); ok {
						p2pkh++
					}
				}
			}
			for o, out := range tx.TxOut {
				outs[wire.OutPoint{Hash: id, Index: uint32(o)}] = out.PkScript
			}
		}
	}
	if verified < 800 || p2pkh < 8 {
		t.Fatalf("only %d signatures (%d P2PKH) checked", verified, p2pkh)
	}
	t.Logf("%d real signatures verified, %d of them P2PKH spends", verified, p2pkh)
}

// splitSpend returns the signature and public key of a P2PK or P2PKH spend.
func splitSpend(t *testing.T, sigScript, prev []byte) (sig, pub []byte) {
	t.Helper()
	if _, ok := chain.ExtractPubKeyHash(prev); ok {
		sig, pub, err := chain.ParseP2PKHSignatureScript(sigScript)
		if err != nil {
			t.Fatal(err)
		}
		return sig, pub
	}
	// P2PK: <pubkey> OP_CHECKSIG, spent by <sig>.
	tk := chain.NewScriptTokenizer(prev)
	if !tk.Next() || len(tk.Data()) == 0 {
		t.Fatalf("unexpected output script %x", prev)
	}
	pub = tk.Data()
	tk = chain.NewScriptTokenizer(sigScript)
	if !tk.Next() {
		t.Fatalf("unexpected signature script %x", sigScript)
	}
	return tk.Data(), pub
}

func key(seed byte) *secp256k1.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x11, seed
	return secp256k1.PrivKeyFromBytes(b[:])
}

func p2pkh(k *secp256k1.PrivateKey) []byte {
	return chain.PayToPubKeyHashScript(chain.Hash160(k.PubKey().SerializeCompressed()))
}

func signedTx(t *testing.T, k *secp256k1.PrivateKey) *wire.MsgTx {
	t.Helper()
	tx := &wire.MsgTx{
		Version: 2,
		TxIn: []*wire.TxIn{
			{PreviousOutPoint: wire.OutPoint{Hash: wire.Hash{1}, Index: 0}, Sequence: 0xffffffff},
			{PreviousOutPoint: wire.OutPoint{Hash: wire.Hash{2}, Index: 3}, Sequence: 0xfffffffe},
		},
		TxOut: []*wire.TxOut{{Value: 5000, PkScript: p2pkh(key(9))}},
	}
	for i := range tx.TxIn {
		if err := SignInput(tx, i, p2pkh(k), k); err != nil {
			t.Fatal(err)
		}
	}
	return tx
}

func TestVerifyInput(t *testing.T) {
	a, b := key(1), key(2)
	if err := VerifyInput(signedTx(t, a), 1, p2pkh(a)); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	// Each input signs only its own position.
	swapped := signedTx(t, a)
	swapped.TxIn[0].SignatureScript, swapped.TxIn[1].SignatureScript = swapped.TxIn[1].SignatureScript, swapped.TxIn[0].SignatureScript
	cases := []struct {
		name   string
		mutate func(tx *wire.MsgTx) (*wire.MsgTx, []byte)
		want   error
	}{
		{"output changed after signing", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			tx.TxOut[0].Value++
			return tx, p2pkh(a)
		}, ErrBadSignature},
		{"other input's sequence changed", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			tx.TxIn[1].Sequence = 0
			return tx, p2pkh(a)
		}, ErrBadSignature},
		{"lock time changed", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			tx.LockTime = 1
			return tx, p2pkh(a)
		}, ErrBadSignature},
		{"signature of another input", func(*wire.MsgTx) (*wire.MsgTx, []byte) { return swapped, p2pkh(a) }, ErrBadSignature},
		{"coin pays another key", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) { return tx, p2pkh(b) }, ErrPubKeyHashMismatch},
		{"coin not P2PKH", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			return tx, append(chain.AppendPush(nil, a.PubKey().SerializeCompressed()), chain.OpCheckSig)
		}, ErrNotSpendable},
		{"uncompressed key", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			sig, _, _ := chain.ParseP2PKHSignatureScript(tx.TxIn[0].SignatureScript)
			unc := a.PubKey().SerializeUncompressed()
			tx.TxIn[0].SignatureScript = chain.P2PKHSignatureScript(sig, unc)
			return tx, chain.PayToPubKeyHashScript(chain.Hash160(unc))
		}, ErrBadPubKey},
		{"key not on the curve", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			sig, _, _ := chain.ParseP2PKHSignatureScript(tx.TxIn[0].SignatureScript)
			bad := bytes.Repeat([]byte{0xff}, 33)
			bad[0] = 0x02
			tx.TxIn[0].SignatureScript = chain.P2PKHSignatureScript(sig, bad)
			return tx, chain.PayToPubKeyHashScript(chain.Hash160(bad))
		}, ErrBadPubKey},
		{"three pushes", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			tx.TxIn[0].SignatureScript = chain.AppendPush(tx.TxIn[0].SignatureScript, []byte{1})
			return tx, p2pkh(a)
		}, ErrBadSignatureScript},
		{"signature not DER", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			sig, pub, _ := chain.ParseP2PKHSignatureScript(tx.TxIn[0].SignatureScript)
			bad := append([]byte{0x31}, sig[1:]...)
			tx.TxIn[0].SignatureScript = chain.P2PKHSignatureScript(bad, pub)
			return tx, p2pkh(a)
		}, ErrBadSignatureEncoding},
		{"hash type SIGHASH_NONE", func(tx *wire.MsgTx) (*wire.MsgTx, []byte) {
			sig, pub, _ := chain.ParseP2PKHSignatureScript(tx.TxIn[0].SignatureScript)
			bad := append(append([]byte(nil), sig[:len(sig)-1]...), 2)
			tx.TxIn[0].SignatureScript = chain.P2PKHSignatureScript(bad, pub)
			return tx, p2pkh(a)
		}, ErrBadSigHashType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, script := tc.mutate(signedTx(t, a))
			if err := VerifyInput(tx, 0, script); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if err := SignInput(signedTx(t, a), 0, p2pkh(b), a); !errors.Is(err, ErrPubKeyHashMismatch) {
		t.Fatalf("signing another key's coin: %v", err)
	}
}

func TestCoinEncoding(t *testing.T) {
	for _, c := range []Coin{
		{Value: 0, PkScript: nil, Height: 0},
		{Value: 50_0000_0000, PkScript: p2pkh(key(1)), Height: 1, Coinbase: true},
		{Value: chain.MaxMoney, PkScript: bytes.Repeat([]byte{0x6a}, 300), Height: 1<<31 - 1},
	} {
		b := AppendCoin([]byte{0xaa}, &c)[1:]
		got, n, err := DecodeCoin(append(b, 0x55))
		if err != nil || n != len(b) {
			t.Fatalf("%+v: decode %v, used %d of %d", c, err, n, len(b))
		}
		if got.Value != c.Value || got.Height != c.Height || got.Coinbase != c.Coinbase || !bytes.Equal(got.PkScript, c.PkScript) {
			t.Fatalf("round trip %+v → %+v", c, got)
		}
	}
	if n := len(AppendCoin(nil, &Coin{Value: 50_0000_0000, PkScript: p2pkh(key(1)), Height: 100_000})); n > 40 {
		t.Fatalf("P2PKH coin takes %d bytes", n)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"no value", []byte{0x02}},
		{"value above MaxMoney", wire.AppendVarInt([]byte{0x02}, uint64(chain.MaxMoney)+1)},
		{"height above int32", wire.AppendVarInt(nil, 1<<33)},
		{"no script length", []byte{0x02, 0x05}},
		{"script runs past the end", []byte{0x02, 0x05, 0x19, 0x76}},
		{"huge script length", []byte{0x02, 0x05, 0xfe, 0xff, 0xff, 0xff, 0x7f}},
		{"non-canonical length", []byte{0x02, 0x05, 0xfd, 0x01, 0x00, 0x00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := DecodeCoin(tc.b); !errors.Is(err, ErrBadCoin) {
				t.Fatalf("got %v, want ErrBadCoin", err)
			}
		})
	}
}

func FuzzDecodeCoin(f *testing.F) {
	f.Add(AppendCoin(nil, &Coin{Value: 50_0000_0000, PkScript: p2pkh(key(1)), Height: 7, Coinbase: true}))
	f.Add([]byte{0x02, 0x05, 0xfe, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, n, err := DecodeCoin(b)
		if err != nil {
			return
		}
		again := AppendCoin(nil, &c)
		if !bytes.Equal(again, b[:n]) {
			t.Fatalf("re-encoding %x gives %x", b[:n], again)
		}
	})
}

func TestSubsidy(t *testing.T) {
	p := chain.DevNetParams()
	for _, tc := range []struct {
		height int32
		want   int64
	}{
		{0, 50_0000_0000},
		{1, 50_0000_0000},
		{209_999, 50_0000_0000},
		{210_000, 25_0000_0000},
		{420_000, 12_5000_0000},
		{210_000 * 33, 0},
		{210_000 * 64, 0},
		{1<<31 - 1, 0},
	} {
		if got := Subsidy(p, tc.height); got != tc.want {
			t.Errorf("Subsidy(%d) = %d, want %d", tc.height, got, tc.want)
		}
	}
	if got := Subsidy(chain.RegTestParams(), 150); got != 25_0000_0000 {
		t.Errorf("regtest halves every 150: %d", got)
	}
}

func TestCheckTxInputs(t *testing.T) {
	p := chain.DevNetParams()
	tx := &wire.MsgTx{TxIn: []*wire.TxIn{{}, {}}, TxOut: []*wire.TxOut{{Value: 70}}}
	coin := func(v int64, h int32, cb bool) Coin { return Coin{Value: v, Height: h, Coinbase: cb} }
	for _, tc := range []struct {
		name    string
		coins   []Coin
		height  int32
		wantFee int64
		want    error
	}{
		{"fee", []Coin{coin(50, 1, false), coin(30, 1, false)}, 2, 10, nil},
		{"exact", []Coin{coin(40, 1, false), coin(30, 1, false)}, 2, 0, nil},
		{"outputs exceed inputs", []Coin{coin(40, 1, false), coin(29, 1, false)}, 2, 0, ErrSpendTooHigh},
		{"coinbase mature", []Coin{coin(50, 1, true), coin(30, 1, false)}, 21, 10, nil},
		{"coinbase immature", []Coin{coin(50, 2, true), coin(30, 1, false)}, 21, 0, ErrImmatureSpend},
		{"negative coin", []Coin{coin(-1, 1, false), coin(30, 1, false)}, 2, 0, ErrInputValueRange},
		{"sum beyond MaxMoney", []Coin{coin(chain.MaxMoney, 1, false), coin(1, 1, false)}, 2, 0, ErrInputValueRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fee, err := CheckTxInputs(p, tx, tc.coins, tc.height)
			if !errors.Is(err, tc.want) || (err == nil && fee != tc.wantFee) {
				t.Fatalf("fee %d, err %v; want %d, %v", fee, err, tc.wantFee, tc.want)
			}
		})
	}
	cb := &wire.MsgTx{TxOut: []*wire.TxOut{{Value: Subsidy(p, 5) + 10}}}
	if err := CheckCoinbaseValue(p, cb, 5, 10); err != nil {
		t.Fatal(err)
	}
	if err := CheckCoinbaseValue(p, cb, 5, 9); !errors.Is(err, ErrBadCoinbaseValue) {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkVerifyInput(b *testing.B) {
	k := key(1)
	tx := &wire.MsgTx{
		Version: 2,
		TxIn:    []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: wire.Hash{1}}, Sequence: 0xffffffff}},
		TxOut:   []*wire.TxOut{{Value: 5000, PkScript: p2pkh(key(9))}, {Value: 5000, PkScript: p2pkh(k)}},
	}
	if err := SignInput(tx, 0, p2pkh(k), k); err != nil {
		b.Fatal(err)
	}
	var v Verifier
	for b.Loop() {
		if err := v.Verify(tx, 0, p2pkh(k)); err != nil {
			b.Fatal(err)
		}
	}
}
