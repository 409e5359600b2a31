package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

func TestHashIndex(t *testing.T) {
	var nodes []HeaderNode
	node := func(id uint32) *HeaderNode { return &nodes[id] }
	x := newHashIndex(0)
	add := func(h wire.Hash) {
		id := uint32(len(nodes))
		nodes = append(nodes, HeaderNode{hash: h, id: id})
		x.put(&h, id)
	}
	// Many hashes (the table grows several times), and groups that share
	// their first eight bytes, which must all stay distinct.
	for i := range 5000 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		h := wire.Hash(sha256.Sum256(b[:]))
		add(h)
		if i%100 == 0 {
			for j := range 4 {
				same := h
				same[31] ^= byte(j + 1)
				add(same)
			}
		}
	}
	if x.n != len(nodes) {
		t.Fatalf("n = %d, want %d", x.n, len(nodes))
	}
	for i := range nodes {
		id, ok := x.get(&nodes[i].hash, node)
		if !ok || id != uint32(i) {
			t.Fatalf("node %d: got %d %v", i, id, ok)
		}
	}
	for i := range 1000 {
		h := nodes[i].hash
		h[20] ^= 0x55 // same key as an indexed hash, different hash
		if _, ok := x.get(&h, node); ok {
			t.Fatal("found a hash that was never added")
		}
		h = wire.Hash{byte(i), byte(i >> 8), 0xaa}
		if _, ok := x.get(&h, node); ok {
			t.Fatal("found a hash that was never added")
		}
	}
	if load := float64(x.n) / float64(len(x.keys)); load > 0.75 {
		t.Fatalf("load %.2f", load)
	}
}

func TestHashEqual(t *testing.T) {
	a := wire.Hash{1, 2, 3}
	for i := range wire.HashSize {
		b := a
		b[i] ^= 0x80
		if hashEqual(&a, &b) || !hashEqual(&a, &a) {
			t.Fatalf("byte %d", i)
		}
	}
}
