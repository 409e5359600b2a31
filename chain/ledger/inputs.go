package ledger

import (
	"fmt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// CheckTxInputs applies the value and maturity rules to a non-coinbase tx
// that has passed chain.CheckTransaction, in a block at spendHeight, given
// the coins its inputs spend in input order (the caller looked them up and
// reports a missing one as ErrMissingOrSpent). It returns the fee. It does
// not check signatures: see VerifyInput.
func CheckTxInputs(p *chain.Params, tx *wire.MsgTx, coins []Coin, spendHeight int32) (int64, error) {
	if len(coins) != len(tx.TxIn) {
		return 0, fmt.Errorf("ledger: %d coins for %d inputs", len(coins), len(tx.TxIn))
	}
	var in int64
	for i := range coins {
		c := &coins[i]
		if c.Coinbase && spendHeight-c.Height < p.CoinbaseMaturity {
			return 0, fmt.Errorf("input %d: %w: created at %d, spent at %d, maturity %d",
				i, ErrImmatureSpend, c.Height, spendHeight, p.CoinbaseMaturity)
		}
		if c.Value < 0 || c.Value > chain.MaxMoney {
			return 0, fmt.Errorf("input %d: %w: %d", i, ErrInputValueRange, c.Value)
		}
		// Both terms are at most MaxMoney, so the sum cannot overflow
		// before the check.
		in += c.Value
		if in > chain.MaxMoney {
			return 0, fmt.Errorf("input %d: %w: total %d", i, ErrInputValueRange, in)
		}
	}
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value // CheckTransaction bounded each and the sum
	}
	if in < out {
		return 0, fmt.Errorf("%w: in %d, out %d", ErrSpendTooHigh, in, out)
	}
	return in - out, nil
}

// CheckCoinbaseValue checks that a block's coinbase pays at most
// Subsidy(height) plus fees, the sum of its other transactions' fees.
func CheckCoinbaseValue(p *chain.Params, coinbase *wire.MsgTx, height int32, fees int64) error {
	var out int64
	for _, o := range coinbase.TxOut {
		out += o.Value // CheckTransaction bounded each and the sum
	}
	limit := Subsidy(p, height) + fees
	if out > limit {
		return fmt.Errorf("%w: pays %d, limit %d (subsidy %d + fees %d)", ErrBadCoinbaseValue, out, limit, Subsidy(p, height), fees)
	}
	return nil
}
