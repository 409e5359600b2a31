package wallet

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

type fakeCoins struct {
	coins []store.OutputCoin
	tip   int32
}

func (f *fakeCoins) CoinsByScript(s []byte) ([]store.OutputCoin, store.TipInfo, error) {
	var out []store.OutputCoin
	for _, c := range f.coins {
		if bytes.Equal(c.Coin.PkScript, s) {
			out = append(out, c)
		}
	}
	return out, store.TipInfo{Height: f.tip}, nil
}

type spentSet map[wire.OutPoint]bool

func (s spentSet) IsSpent(op wire.OutPoint) bool { return s[op] }

func testWallet(t *testing.T, seed byte) *Wallet {
	t.Helper()
	w, err := FromKeyBytes(chain.DevNetParams(), bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAddress(t *testing.T) {
	w := testWallet(t, 1)
	a := w.Address()
	back, err := ParseAddress(a.String())
	if err != nil || back != a {
		t.Fatalf("round trip %s: %v", a, err)
	}
	if a != Address(chain.Hash160(w.key.PubKey().SerializeCompressed())) {
		t.Fatal("address is not HASH160 of the compressed key")
	}
	if h, ok := chain.ExtractPubKeyHash(w.PkScript()); !ok || h != a {
		t.Fatal("PkScript is not P2PKH to the address")
	}
	for _, s := range []string{"", "ln1", "ln1zz" + a.String()[5:], "bc1" + a.String()[3:], a.String() + "00"} {
		if _, err := ParseAddress(s); !errors.Is(err, ErrBadAddress) {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, k := range [][]byte{nil, make([]byte, 32), bytes.Repeat([]byte{0xff}, 32), make([]byte, 31)} {
		if _, err := FromKeyBytes(chain.DevNetParams(), k); !errors.Is(err, ErrBadKey) {
			t.Errorf("key %x: %v", k, err)
		}
	}
	if w2, _ := FromKeyBytes(chain.DevNetParams(), w.KeyBytes()); w2.Address() != a {
		t.Fatal("KeyBytes does not round-trip")
	}
}

func coinAt(w *Wallet, i byte, value int64, height int32, coinbase bool) store.OutputCoin {
	return store.OutputCoin{
		OutPoint: wire.OutPoint{Hash: wire.Hash{i}, Index: uint32(i)},
		Coin:     ledger.Coin{Value: value, PkScript: w.PkScript(), Height: height, Coinbase: coinbase},
	}
}

func TestCreateTx(t *testing.T) {
	w, to := testWallet(t, 1), testWallet(t, 2).Address()
	const coin = 1_0000_0000
	src := &fakeCoins{tip: 100, coins: []store.OutputCoin{
		coinAt(w, 1, coin, 10, false),
		coinAt(w, 2, coin, 11, false),
		coinAt(w, 3, coin, 12, false),
		coinAt(w, 4, 50*coin, 95, true), // immature at 101
	}}
	tx, fee, err := w.Pay(src, spentSet{}, to, coin+coin/2, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(tx.TxIn) != 2 || len(tx.TxOut) != 2 || tx.TxOut[0].Value != coin+coin/2 {
		t.Fatalf("%d inputs, %d outputs", len(tx.TxIn), len(tx.TxOut))
	}
	if got := 2*coin - tx.TxOut[0].Value - tx.TxOut[1].Value; got != fee || fee < int64(tx.SerializeSize(wire.BaseEncoding)) {
		t.Fatalf("fee %d, paid %d, size %d", fee, got, tx.SerializeSize(wire.BaseEncoding))
	}
	for i := range tx.TxIn {
		if err := ledger.VerifyInput(tx, i, w.PkScript()); err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
	}
	// Leaving less than dust: no change, the rest is fee.
	tx, fee, err = w.CreateTx(src.coins[:1], []Payment{{To: to, Amount: coin - 500}}, 1)
	if err != nil || len(tx.TxOut) != 1 || fee != 500 {
		t.Fatalf("dust change: %v, %d outputs, fee %d", err, len(tx.TxOut), fee)
	}
	// The immature coinbase and pool-spent coins do not count.
	if _, _, err := w.Pay(src, spentSet{src.coins[0].OutPoint: true}, to, 2*coin+1, 1000); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("got %v", err)
	}
	bal, err := w.Balance(src, spentSet{src.coins[0].OutPoint: true})
	if err != nil {
		t.Fatal(err)
	}
	if bal.Confirmed != 53*coin || bal.Immature != 50*coin || bal.Spendable != 2*coin || bal.Coins != 4 {
		t.Fatalf("balance %+v", bal)
	}
	for _, amount := range []int64{0, -1, chain.MaxMoney + 1} {
		if _, _, err := w.CreateTx(src.coins, []Payment{{To: to, Amount: amount}}, 1000); !errors.Is(err, ErrBadAmount) {
			t.Errorf("amount %d: %v", amount, err)
		}
	}
}
