package store

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/wire"
)

// Errors of the chain state. Rule failures of a block come back as a
// *BlockError wrapping a sentinel of package chain (context-free block
// rules, header rules), package ledger (devnet ledger rules) or one of the
// block sentinels below.
var (
	// ErrWrongNetwork means the database was created for another network.
	ErrWrongNetwork = errors.New("store: database belongs to another network")
	// ErrCorrupt means the database contradicts itself (a missing block,
	// undo record or coin that the state says must exist).
	ErrCorrupt = errors.New("store: database is corrupt")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store: closed")
	// ErrNoCoinSet means the network keeps no coin set (Bitcoin
	// profiles: ledgernet does not validate Bitcoin's scripts).
	ErrNoCoinSet = errors.New("store: this network keeps no coin set")
	// ErrUnknownBlock means no block or header with that hash is known.
	ErrUnknownBlock = errors.New("store: unknown block")
	// ErrNoBlockData means the header is known but the block is not stored.
	ErrNoBlockData = errors.New("store: block data not stored")

	// ErrKnownInvalid means the block, or one of its ancestors, already
	// failed validation.
	ErrKnownInvalid = errors.New("store: block or an ancestor is known invalid")
	// ErrOverwriteUnspent means a transaction would create an output that
	// already exists unspent (Core's BIP30 rule).
	ErrOverwriteUnspent = errors.New("store: bad-txns-BIP30: transaction overwrites an unspent output")
	// ErrFeesOutOfRange means the fees of a block sum beyond MaxMoney.
	ErrFeesOutOfRange = errors.New("store: bad-txns-accumulated-fee-outofrange: block fees out of range")
	// ErrBadTemplate means a block template does not extend the tip.
	ErrBadTemplate = errors.New("store: block template does not extend the tip")
)

// BlockError reports a block that breaks a rule. Mutated blocks (see
// chain.IsBlockMutated) are not marked invalid: the header may be fine and
// another copy of the block valid; every other BlockError marks the block
// and its descendants invalid.
type BlockError struct {
	// Hash is the failing block's hash.
	Hash wire.Hash
	// Height is its height, or -1 when its parent is unknown.
	Height int32
	// Err wraps the rule's sentinel with details.
	Err error
}

// Error reads "store: block <hash> at height <h>: <reason>".
func (e *BlockError) Error() string {
	return fmt.Sprintf("store: block %s at height %d: %v", e.Hash, e.Height, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }
