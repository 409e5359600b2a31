package api

import (
	"bytes"
	"testing"
)

// TestSharedEncodedOnce: every copy of a Shared message gets the same
// encoded bytes (one allocation for all streams); an unshared message is
// encoded to equal bytes each time.
func TestSharedEncodedOnce(t *testing.T) {
	m := Shared(Message{Origin: "o", Topic: "t", Payload: bytes.Repeat([]byte("x"), 1<<20)})
	a, err := eventFrame(m)
	if err != nil {
		t.Fatal(err)
	}
	cp := m
	b, _ := eventFrame(cp)
	if &a[0] != &b[0] {
		t.Fatal("a copy of a shared message was encoded again")
	}
	plain := Message{Origin: "o", Topic: "t", Payload: m.Payload}
	c, _ := eventFrame(plain)
	if &c[0] == &a[0] || !bytes.Equal(a, c) {
		t.Fatal("unshared encoding differs or is shared")
	}
	if !bytes.HasPrefix(a, []byte("data: {")) || !bytes.HasSuffix(a, []byte("}\n\n")) || !bytes.Contains(a, []byte(`"text":"xxx`)) {
		t.Fatalf("frame %q...", a[:40])
	}
}
