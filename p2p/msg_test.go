package p2p

import (
	"testing"
	"time"
)

func TestBufferPool(t *testing.T) {
	p := NewBufferPool(2, 100, 1000) // classes 128, 256, 512, 1024
	for _, tc := range []struct{ n, cap int }{{1, 1}, {99, 99}, {100, 128}, {128, 128}, {129, 256}, {500, 512}, {1024, 1024}, {1025, 1025}} {
		if got := p.Cap(tc.n); got != tc.cap {
			t.Errorf("Cap(%d) = %d, want %d", tc.n, got, tc.cap)
		}
	}
	if b := p.Get(500); b != nil {
		t.Fatalf("empty pool gave a buffer of %d", cap(b))
	}
	m := p.Msg(3, make([]byte, 500, p.Cap(500)), time.Unix(1, 0))
	if m.Code != 3 || len(m.Payload) != 500 || !m.ReceivedAt.Equal(time.Unix(1, 0)) {
		t.Fatalf("Msg: %+v", m)
	}
	first := &m.Payload[0]
	m.Release()
	if m.Payload != nil {
		t.Fatal("Release left the payload in the message")
	}
	m.Release() // a second Release on the same message does nothing
	if b := p.Get(50); b != nil {
		t.Fatal("buffer for a size below the pool's range")
	}
	b := p.Get(400)
	if len(b) != 400 || &b[0] != first {
		t.Fatalf("Get(400): len %d, same buffer %v", len(b), len(b) > 0 && &b[0] == first)
	}
	if p.Get(400) != nil {
		t.Fatal("one buffer given twice")
	}

	// A buffer is filed under the largest class it fills: 300 bytes of
	// capacity serve payloads up to 256, never 257.
	m = p.Msg(1, make([]byte, 300), time.Time{})
	m.Release()
	if p.Get(257) != nil {
		t.Fatal("a too small buffer was given")
	}
	if b := p.Get(200); len(b) != 200 || cap(b) != 300 {
		t.Fatalf("Get(200) after a 300-byte release: len %d cap %d", len(b), cap(b))
	}

	// Out of range buffers are not kept.
	for _, size := range []int{50, 5000} {
		m = p.Msg(1, make([]byte, size), time.Time{})
		m.Release()
	}
	if p.Get(100) != nil || p.Get(1000) != nil {
		t.Fatal("an out of range buffer was kept")
	}

	// A class holds at most perClass buffers.
	for range 3 {
		m = p.Msg(1, make([]byte, 512), time.Time{})
		m.Release()
	}
	got := 0
	for p.Get(500) != nil {
		got++
	}
	if got != 2 {
		t.Fatalf("class gave %d buffers, want its bound 2", got)
	}

	// Messages not made by a pool release nothing; a nil pool gives nothing.
	plain := Msg{Code: 1, Payload: []byte{1}}
	plain.Release()
	if plain.Payload == nil {
		t.Fatal("Release changed a message without a pool")
	}
	var none *BufferPool
	if none.Get(500) != nil || none.Cap(500) != 500 {
		t.Fatal("nil pool gave a buffer")
	}
}
