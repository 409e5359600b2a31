package chain

import (
	"bytes"
	"crypto/sha256"

	"github.com/ledgernet/ledgernet/wire"
)

// MerkleRoot returns the root of Bitcoin's merkle tree over hashes, as Bitcoin
// Core's ComputeMerkleRoot: each level pairs adjacent hashes and replaces each
// pair with the double-SHA256 of their concatenation; a level with an odd
// count pairs its last hash with itself. An empty list has the zero root.
//
// mutated reports CVE-2012-2459: on some level two equal hashes were paired
// as siblings (at an even position, before the odd-count padding). Such a
// tree has the same root as a shorter list (duplicating the tail of a level
// does not change the root), so a block whose transaction list was padded
// this way would match its header while being a different, invalid list. A
// caller must reject the transaction list — not the header — when mutated is
// true.
//
// hashes is not modified.
func MerkleRoot(hashes []wire.Hash) (root wire.Hash, mutated bool) {
	switch len(hashes) {
	case 0:
		return wire.Hash{}, false
	case 1:
		return hashes[0], false
	}
	// One scratch level, written in place from the second level on: the
	// output index i never overtakes the inputs 2i and 2i+1 it reads.
	level := make([]wire.Hash, (len(hashes)+1)/2)
	n := merkleLevel(level, hashes, &mutated)
	for n > 1 {
		n = merkleLevel(level, level[:n], &mutated)
	}
	return level[0], mutated
}

// merkleLevel writes the parents of in to out and returns their count. out
// may alias in. It sets *mutated when two siblings are equal.
func merkleLevel(out, in []wire.Hash, mutated *bool) int {
	var pair [2 * wire.HashSize]byte
	n := 0
	for i := 0; i < len(in); i += 2 {
		copy(pair[:wire.HashSize], in[i][:])
		if i+1 < len(in) {
			if in[i] == in[i+1] {
				*mutated = true
			}
			copy(pair[wire.HashSize:], in[i+1][:])
		} else {
			// Odd count: pair the last hash with itself. This padding is
			// what the mutation check above must not count.
			copy(pair[wire.HashSize:], in[i][:])
		}
		first := sha256.Sum256(pair[:])
		out[n] = sha256.Sum256(first[:])
		n++
	}
	return n
}

// BlockTxIDs returns the txid of every transaction of block, in order. A
// caller that already has them (for example from wire.TxHashes on the raw
// bytes) should pass those to CheckBlock instead of calling this.
func BlockTxIDs(block *wire.MsgBlock) []wire.Hash {
	ids := make([]wire.Hash, len(block.Transactions))
	var buf []byte
	for i, tx := range block.Transactions {
		buf = tx.Append(buf[:0], wire.BaseEncoding)
		ids[i] = wire.DoubleSHA256(buf)
	}
	return ids
}

// BlockWitnessTxIDs returns the wtxid of every transaction of block, in order,
// with the coinbase's replaced by the zero hash as BIP141 requires for the
// witness merkle tree. txids, when it has one entry per transaction, supplies
// the wtxid of transactions without witness data (the two are equal), saving
// a hash each.
func BlockWitnessTxIDs(block *wire.MsgBlock, txids []wire.Hash) []wire.Hash {
	ids := make([]wire.Hash, len(block.Transactions))
	reuse := len(txids) == len(ids)
	var buf []byte
	for i, tx := range block.Transactions {
		switch {
		case i == 0:
			// The coinbase's wtxid is defined as zero: it cannot commit to
			// itself.
		case !tx.HasWitness() && reuse:
			ids[i] = txids[i]
		default:
			buf = tx.Append(buf[:0], wire.WitnessEncoding)
			ids[i] = wire.DoubleSHA256(buf)
		}
	}
	return ids
}

// WitnessMerkleRoot returns the root of block's BIP141 witness tree: the
// merkle tree over BlockWitnessTxIDs(block, txids). Its mutation flag is
// not returned: the txid tree already rules out a padded list.
func WitnessMerkleRoot(block *wire.MsgBlock, txids []wire.Hash) wire.Hash {
	root, _ := MerkleRoot(BlockWitnessTxIDs(block, txids))
	return root
}

// BIP141 witness commitment layout: an output script of OP_RETURN, a 36-byte
// push, the 4-byte tag aa21a9ed, then the 32-byte commitment. Longer scripts
// with the same prefix also count (Core's GetWitnessCommitmentIndex).
var witnessCommitmentPrefix = [...]byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}

const (
	// WitnessCommitmentScriptSize is the size of the script that
	// WitnessCommitmentOutput builds, and the least a commitment script
	// may have (Core's MINIMUM_WITNESS_COMMITMENT).
	WitnessCommitmentScriptSize = len(witnessCommitmentPrefix) + wire.HashSize
	// WitnessReservedValueSize is the size of the coinbase's single witness
	// item that the commitment hashes with the witness root.
	WitnessReservedValueSize = 32
)

// WitnessCommitmentIndex returns the index of the output of coinbase that
// holds the BIP141 witness commitment, or -1 if there is none. When several
// outputs match, the last one counts, as in Bitcoin Core.
func WitnessCommitmentIndex(coinbase *wire.MsgTx) int {
	pos := -1
	if coinbase == nil {
		return pos
	}
	for i, out := range coinbase.TxOut {
		s := out.PkScript
		if len(s) >= WitnessCommitmentScriptSize && bytes.HasPrefix(s, witnessCommitmentPrefix[:]) {
			pos = i
		}
	}
	return pos
}

// WitnessCommitment returns the BIP141 commitment to a witness merkle root:
// double-SHA256(witnessRoot ‖ reservedValue).
func WitnessCommitment(witnessRoot wire.Hash, reservedValue [WitnessReservedValueSize]byte) wire.Hash {
	var b [wire.HashSize + WitnessReservedValueSize]byte
	copy(b[:], witnessRoot[:])
	copy(b[wire.HashSize:], reservedValue[:])
	return wire.DoubleSHA256(b[:])
}

// WitnessCommitmentOutput builds the zero-value coinbase output that commits
// to a witness merkle root. A miner puts it last among the coinbase outputs
// and sets the coinbase input's witness to the single item reservedValue
// (all zero unless a future soft fork gives it a meaning).
func WitnessCommitmentOutput(witnessRoot wire.Hash, reservedValue [WitnessReservedValueSize]byte) *wire.TxOut {
	c := WitnessCommitment(witnessRoot, reservedValue)
	script := make([]byte, 0, WitnessCommitmentScriptSize)
	script = append(script, witnessCommitmentPrefix[:]...)
	script = append(script, c[:]...)
	return &wire.TxOut{Value: 0, PkScript: script}
}

// MerkleBranch returns the sibling hashes on the path from leaf index to the
// root of the tree MerkleRoot builds over hashes, lowest level first. With
// MerkleRootFromBranch it proves that a transaction is in a block. It returns
// nil when index is out of range.
func MerkleBranch(hashes []wire.Hash, index int) []wire.Hash {
	if index < 0 || index >= len(hashes) {
		return nil
	}
	var branch []wire.Hash
	level := append([]wire.Hash(nil), hashes...)
	var mutated bool
	for len(level) > 1 {
		sib := index ^ 1
		if sib >= len(level) {
			sib = index // odd count: the last hash is its own sibling
		}
		branch = append(branch, level[sib])
		level = level[:merkleLevel(level, level, &mutated)]
		index >>= 1
	}
	return branch
}

// MerkleRootFromBranch returns the root implied by leaf at position index and
// its branch from MerkleBranch. The proof holds when it equals the header's
// merkle root.
func MerkleRootFromBranch(leaf wire.Hash, branch []wire.Hash, index uint32) wire.Hash {
	var pair [2 * wire.HashSize]byte
	h := leaf
	for _, sib := range branch {
		if index&1 == 1 {
			copy(pair[:wire.HashSize], sib[:])
			copy(pair[wire.HashSize:], h[:])
		} else {
			copy(pair[:wire.HashSize], h[:])
			copy(pair[wire.HashSize:], sib[:])
		}
		first := sha256.Sum256(pair[:])
		h = sha256.Sum256(first[:])
		index >>= 1
	}
	return h
}
