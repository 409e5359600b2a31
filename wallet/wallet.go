package wallet

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/ledger"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/wire"
)

// Errors of the wallet.
var (
	ErrInsufficientFunds = errors.New("wallet: insufficient spendable funds")
	ErrBadAmount         = errors.New("wallet: amount must be positive")
	ErrBadAddress        = errors.New("wallet: malformed address")
	ErrBadKey            = errors.New("wallet: invalid private key")
)

// Address is a devnet address: the HASH160 of a compressed public key.
type Address [chain.PubKeyHashSize]byte

// addrPrefix marks the text form of an address.
const addrPrefix = "ln1"

// String returns "ln1" followed by the 40 hex digits of the key hash.
func (a Address) String() string { return addrPrefix + hex.EncodeToString(a[:]) }

// PkScript returns the P2PKH output script paying a.
func (a Address) PkScript() []byte { return chain.PayToPubKeyHashScript(a) }

// ParseAddress parses the form String returns.
func ParseAddress(s string) (Address, error) {
	var a Address
	h, ok := strings.CutPrefix(s, addrPrefix)
	if !ok || len(h) != 2*len(a) {
		return a, fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	if _, err := hex.Decode(a[:], []byte(h)); err != nil {
		return a, fmt.Errorf("%w: %q: %v", ErrBadAddress, s, err)
	}
	return a, nil
}

// CoinSource is where the wallet finds its coins (*store.Store has it).
type CoinSource interface {
	CoinsByScript(pkScript []byte) ([]store.OutputCoin, store.TipInfo, error)
}

// SpentChecker says whether a pooled transaction spends an outpoint
// (*mempool.Pool has it).
type SpentChecker interface {
	IsSpent(op wire.OutPoint) bool
}

// PendingSource is a SpentChecker that also lists the wallet's own
// unconfirmed change (*mempool.Pool has it). When the pool given to Coins,
// Balance or Pay has it, that change is spent too, after every confirmed
// coin.
type PendingSource interface {
	SpentChecker
	PendingOutputs(pkScript []byte) []store.OutputCoin
}

// Wallet holds one key. Its methods are safe for concurrent use: it has no
// mutable state.
type Wallet struct {
	params *chain.Params
	key    *secp256k1.PrivateKey
	pub    []byte
	addr   Address
	script []byte
}

// New returns a wallet for key on network p.
func New(p *chain.Params, key *secp256k1.PrivateKey) *Wallet {
	pub := key.PubKey().SerializeCompressed()
	a := Address(chain.Hash160(pub))
	return &Wallet{params: p, key: key, pub: pub, addr: a, script: a.PkScript()}
}

// Generate returns a wallet with a new key drawn from r (crypto/rand if
// nil).
func Generate(p *chain.Params, r io.Reader) (*Wallet, error) {
	if r == nil {
		r = rand.Reader
	}
	k, err := secp256k1.GeneratePrivateKeyFromRand(r)
	if err != nil {
		return nil, fmt.Errorf("wallet: generate key: %w", err)
	}
	return New(p, k), nil
}

// FromKeyBytes returns a wallet for a 32-byte private key; zero and values
// not below the group order are refused.
func FromKeyBytes(p *chain.Params, b []byte) (*Wallet, error) {
	var s secp256k1.ModNScalar
	if len(b) != 32 {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadKey, len(b))
	}
	if overflow := s.SetByteSlice(b); overflow || s.IsZero() {
		return nil, ErrBadKey
	}
	return New(p, secp256k1.NewPrivateKey(&s)), nil
}

// KeyBytes returns the 32-byte private key.
func (w *Wallet) KeyBytes() []byte { return w.key.Serialize() }

// Address returns the wallet's address.
func (w *Wallet) Address() Address { return w.addr }

// PkScript returns the script paying the wallet (for a miner's coinbase).
func (w *Wallet) PkScript() []byte { return append([]byte(nil), w.script...) }

// Balance is what a wallet holds, in the smallest unit.
type Balance struct {
	// Confirmed is every coin of the wallet.
	Confirmed int64
	// Spendable leaves out immature coinbase coins and coins a pooled
	// transaction spends, and adds Pending.
	Spendable int64
	// Immature is the coinbase value still maturing.
	Immature int64
	// Coins counts the coins.
	Coins int
	// Pending is the wallet's unconfirmed change, spendable too (when the
	// pool is a PendingSource).
	Pending int64
}

// Coins returns the wallet's coins that can be spent in the next block,
// oldest first: mature, and not spent by a pooled transaction (pool may be
// nil); then, if pool is a PendingSource, the wallet's unconfirmed change.
func (w *Wallet) Coins(src CoinSource, pool SpentChecker) ([]store.OutputCoin, error) {
	all, tip, err := src.CoinsByScript(w.script)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		if w.spendable(c, tip.Height+1, pool) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b store.OutputCoin) int { return cmp.Compare(a.Coin.Height, b.Coin.Height) })
	if ps, ok := pool.(PendingSource); ok {
		out = append(out, ps.PendingOutputs(w.script)...)
	}
	return out, nil
}

func (w *Wallet) spendable(c store.OutputCoin, next int32, pool SpentChecker) bool {
	if c.Coin.Coinbase && next-c.Coin.Height < w.params.CoinbaseMaturity {
		return false
	}
	return pool == nil || !pool.IsSpent(c.OutPoint)
}

// Balance sums the wallet's coins (pool may be nil).
func (w *Wallet) Balance(src CoinSource, pool SpentChecker) (Balance, error) {
	all, tip, err := src.CoinsByScript(w.script)
	if err != nil {
		return Balance{}, err
	}
	var b Balance
	for _, c := range all {
		b.Coins++
		b.Confirmed += c.Coin.Value
		switch {
		case c.Coin.Coinbase && tip.Height+1-c.Coin.Height < w.params.CoinbaseMaturity:
			b.Immature += c.Coin.Value
		case w.spendable(c, tip.Height+1, pool):
			b.Spendable += c.Coin.Value
		}
	}
	if ps, ok := pool.(PendingSource); ok {
		for _, c := range ps.PendingOutputs(w.script) {
			b.Pending += c.Coin.Value
		}
		b.Spendable += b.Pending
	}
	return b, nil
}

// Size estimates of a P2PKH transaction: a signed input is at most 148
// bytes (36 outpoint, 1+73 signature, 1+33 key, 1 length, 4 sequence), an
// output 34, and the rest 10.
const (
	inputSize  = 148
	outputSize = 34
	txOverhead = 10
)

// dustLimit is the smallest change output worth creating; less goes to fees.
const dustLimit = 546

// Payment is one output of a transaction the wallet builds.
type Payment struct {
	To     Address
	Amount int64
}

// CreateTx builds and signs a transaction paying the payments from coins
// (in order, as many as needed), at feeRate units per 1,000 bytes, with
// change to the wallet. It returns the transaction and its fee.
func (w *Wallet) CreateTx(coins []store.OutputCoin, pays []Payment, feeRate int64) (*wire.MsgTx, int64, error) {
	if len(pays) == 0 {
		return nil, 0, ErrBadAmount
	}
	var want int64
	tx := &wire.MsgTx{Version: 2}
	for _, p := range pays {
		if p.Amount <= 0 || p.Amount > chain.MaxMoney {
			return nil, 0, fmt.Errorf("%w: %d", ErrBadAmount, p.Amount)
		}
		want += p.Amount
		if want > chain.MaxMoney {
			return nil, 0, fmt.Errorf("%w: total %d", ErrBadAmount, want)
		}
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: p.Amount, PkScript: p.To.PkScript()})
	}
	fee := func(nIn, nOut int) int64 {
		return feeRate * int64(txOverhead+nIn*inputSize+nOut*outputSize) / 1000
	}
	var have int64
	var used []store.OutputCoin
	for _, c := range coins {
		if have >= want+fee(len(used), len(pays)+1) {
			break
		}
		used = append(used, c)
		have += c.Coin.Value
	}
	if have < want+fee(len(used), len(pays)) {
		return nil, 0, fmt.Errorf("%w: have %d, need %d plus fee", ErrInsufficientFunds, have, want)
	}
	// Change below the dust limit is left to the miner.
	paid := have - want
	if change := have - want - fee(len(used), len(pays)+1); change >= dustLimit {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: change, PkScript: w.script})
		paid -= change
	}
	for _, c := range used {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: c.OutPoint, Sequence: 0xffffffff})
	}
	for i, c := range used {
		if err := ledger.SignInput(tx, i, c.Coin.PkScript, w.key); err != nil {
			return nil, 0, err
		}
	}
	return tx, paid, nil
}

// Pay builds a transaction paying amount to to from the wallet's spendable
// coins (pool may be nil) at feeRate units per 1,000 bytes. Submitting it
// (to a mempool, to peers) is the caller's.
func (w *Wallet) Pay(src CoinSource, pool SpentChecker, to Address, amount, feeRate int64) (*wire.MsgTx, int64, error) {
	coins, err := w.Coins(src, pool)
	if err != nil {
		return nil, 0, err
	}
	return w.CreateTx(coins, []Payment{{To: to, Amount: amount}}, feeRate)
}
