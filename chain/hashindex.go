package chain

import (
	"encoding/binary"

	"github.com/ledgernet/ledgernet/wire"
)

// hashIndex maps block hashes to node ids for a HeaderChain. It is an
// open-addressing table keyed by the first eight bytes of the hash, with the
// full hash checked against the node: a third of the memory of a
// map[wire.Hash]uint32, one probe per insert, and no pointers for the
// garbage collector to scan.
//
// The key bytes are the least significant of the hash, which proof of work
// does not constrain, so they are uniform. Two hashes sharing a key simply
// occupy two slots (probing continues past a key match whose node has
// another hash); making that happen on purpose costs an attacker about 2^32
// hashes per pair, each with valid proof of work, and only lengthens a probe.
type hashIndex struct {
	keys []uint64
	ids  []uint32 // node id + 1; 0 marks an empty slot
	n    int
	mask uint64
}

func newHashIndex(hint int) hashIndex {
	size := 16
	for size*3/4 < hint {
		size *= 2
	}
	return hashIndex{keys: make([]uint64, size), ids: make([]uint32, size), mask: uint64(size - 1)}
}

func hashKey(h *wire.Hash) uint64 { return binary.LittleEndian.Uint64(h[:8]) }

// hashEqual compares two hashes as four words.
func hashEqual(a, b *wire.Hash) bool {
	return binary.LittleEndian.Uint64(a[0:]) == binary.LittleEndian.Uint64(b[0:]) &&
		binary.LittleEndian.Uint64(a[8:]) == binary.LittleEndian.Uint64(b[8:]) &&
		binary.LittleEndian.Uint64(a[16:]) == binary.LittleEndian.Uint64(b[16:]) &&
		binary.LittleEndian.Uint64(a[24:]) == binary.LittleEndian.Uint64(b[24:])
}

// get returns the id of the node with hash h; node resolves ids.
func (x *hashIndex) get(h *wire.Hash, node func(uint32) *HeaderNode) (uint32, bool) {
	k := hashKey(h)
	for i := k & x.mask; ; i = (i + 1) & x.mask {
		id := x.ids[i]
		if id == 0 {
			return 0, false
		}
		if x.keys[i] == k && hashEqual(&node(id-1).hash, h) {
			return id - 1, true
		}
	}
}

// put adds a hash that is not in the index.
func (x *hashIndex) put(h *wire.Hash, id uint32) {
	if (x.n+1)*4 > len(x.keys)*3 {
		x.grow()
	}
	x.insert(hashKey(h), id+1)
	x.n++
}

func (x *hashIndex) insert(k uint64, id1 uint32) {
	i := k & x.mask
	for x.ids[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.keys[i], x.ids[i] = k, id1
}

// grow doubles the table and reinserts every entry.
func (x *hashIndex) grow() {
	old := *x
	*x = newHashIndex(len(old.keys)) // twice the slots: hint is 3/4 of them
	x.n = old.n
	for i, id1 := range old.ids {
		if id1 != 0 {
			x.insert(old.keys[i], id1)
		}
	}
}
