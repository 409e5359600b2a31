package chain

import (
	"encoding/binary"

	"github.com/ledgernet/ledgernet/wire"
)

// hashIndex maps block hashes to node ids for a HeaderChain. It is an
// open-addressing table of one word per slot, the key (the first four bytes
// of the hash) above the node id, with the full hash checked against the
// node: eight bytes a slot, a fifth of the memory of a map[wire.Hash]uint32,
// no pointers for the garbage collector to scan, and one cache line to
// fetch per insert. (From a few tens of thousands of headers the table
// outgrows the core's caches; a key and an id kept in two arrays cost two
// misses.)
//
// The key bytes are the least significant of the hash, which proof of work
// does not constrain, so they are uniform; their low bits place the slot.
// Two hashes sharing a key simply occupy two slots (probing continues past
// a key match whose node has another hash): a collision, by chance or made
// on purpose (about 2^16 hashes per pair, each with valid proof of work),
// only lengthens a probe by one hash comparison.
type hashIndex struct {
	keys []uint64 // key<<32 | node id + 1; 0 marks an empty slot
	n    int
	mask uint64
	// touched sums the slots prefetch read, only so that the compiler
	// cannot drop the loads.
	touched uint64
}

func newHashIndex(hint int) hashIndex {
	size := 16
	for size*3/4 < hint {
		size *= 2
	}
	return hashIndex{keys: make([]uint64, size), mask: uint64(size - 1)}
}

func hashKey(h *wire.Hash) uint64 { return uint64(binary.LittleEndian.Uint32(h[:4])) }

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
		s := x.keys[i]
		if s == 0 {
			return 0, false
		}
		if s>>32 == k && hashEqual(&node(uint32(s)-1).hash, h) {
			return uint32(s) - 1, true
		}
	}
}

// put adds a hash that is not in the index.
func (x *hashIndex) put(h *wire.Hash, id uint32) {
	if (x.n+1)*4 > len(x.keys)*3 {
		x.grow()
	}
	x.insert(hashKey(h)<<32 | uint64(id+1))
	x.n++
}

// insert stores slot word s (key<<32 | id+1) in the first free slot from
// its key's.
func (x *hashIndex) insert(s uint64) {
	i := (s >> 32) & x.mask
	for x.keys[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.keys[i] = s
}

// grow doubles the table and reinserts every entry.
func (x *hashIndex) grow() {
	old := *x
	*x = newHashIndex(len(old.keys)) // twice the slots: hint is 3/4 of them
	x.n = old.n
	for _, s := range old.keys {
		if s != 0 {
			x.insert(s)
		}
	}
}

// prefetch reads the home slot of each of a batch of hashes about to be
// inserted. The slots are random, so in a table larger than the caches an
// insert nearly always misses; independent loads in one loop let those
// misses overlap, where the inserts, one per header between the checks,
// would each wait for their own.
func (x *hashIndex) prefetch(hashes []wire.Hash) {
	var sum uint64
	for i := range hashes {
		sum += x.keys[hashKey(&hashes[i])&x.mask]
	}
	x.touched += sum
}
