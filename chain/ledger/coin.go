package ledger

import (
	"fmt"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// Coin is an unspent transaction output with what the rules need to know
// about where it came from.
type Coin struct {
	// Value is the output's value in the smallest unit.
	Value int64
	// PkScript is the output's script.
	PkScript []byte
	// Height is the height of the block that created the output.
	Height int32
	// Coinbase reports whether a coinbase created it (maturity applies).
	Coinbase bool
}

// Spendable reports whether an output with this script can ever be spent on
// the devnet (pay-to-public-key-hash). Other outputs never enter the coin
// set.
func Spendable(pkScript []byte) bool {
	_, ok := chain.ExtractPubKeyHash(pkScript)
	return ok
}

// maxCoinScript bounds a stored script: a coin's script came from a
// transaction, which is at most a block.
const maxCoinScript = wire.MaxTxSize

// AppendCoin appends the compact encoding of c: a compact size holding
// height×2 + coinbase, a compact size holding the value, and the script with
// a compact-size length. A P2PKH coin takes 35 bytes or fewer.
func AppendCoin(b []byte, c *Coin) []byte {
	code := uint64(c.Height) << 1
	if c.Coinbase {
		code |= 1
	}
	b = wire.AppendVarInt(b, code)
	b = wire.AppendVarInt(b, uint64(c.Value))
	return wire.AppendVarBytes(b, c.PkScript)
}

// DecodeCoin decodes one coin from the front of b and returns how many bytes
// it used. The script is copied: b may be storage memory that is only valid
// for a moment.
func DecodeCoin(b []byte) (Coin, int, error) {
	var c Coin
	code, n, err := wire.ReadVarInt(b)
	if err != nil {
		return c, 0, fmt.Errorf("%w: height: %w", ErrBadCoin, err)
	}
	if code>>1 > uint64(1<<31-1) {
		return c, 0, fmt.Errorf("%w: height %d", ErrBadCoin, code>>1)
	}
	c.Height, c.Coinbase = int32(code>>1), code&1 == 1
	pos := n
	v, n, err := wire.ReadVarInt(b[pos:])
	if err != nil {
		return c, 0, fmt.Errorf("%w: value: %w", ErrBadCoin, err)
	}
	if v > uint64(chain.MaxMoney) {
		return c, 0, fmt.Errorf("%w: value %d", ErrBadCoin, v)
	}
	c.Value = int64(v)
	pos += n
	l, n, err := wire.ReadVarInt(b[pos:])
	if err != nil {
		return c, 0, fmt.Errorf("%w: script length: %w", ErrBadCoin, err)
	}
	pos += n
	// Checked against what is left before anything is allocated.
	if l > maxCoinScript || l > uint64(len(b)-pos) {
		return c, 0, fmt.Errorf("%w: script of %d bytes, %d left", ErrBadCoin, l, len(b)-pos)
	}
	c.PkScript = append([]byte(nil), b[pos:pos+int(l)]...)
	return c, pos + int(l), nil
}

// baseSubsidy is the first block's reward: 50 coins of 10^8 units.
const baseSubsidy int64 = 50 * 100_000_000

// Subsidy returns the new coins a block at height may create: 50 coins,
// halved every p.SubsidyHalvingInterval blocks, zero after 64 halvings.
func Subsidy(p *chain.Params, height int32) int64 {
	if p.SubsidyHalvingInterval <= 0 || height < 0 {
		return baseSubsidy
	}
	halvings := height / p.SubsidyHalvingInterval
	if halvings >= 64 {
		return 0
	}
	return baseSubsidy >> uint(halvings)
}
