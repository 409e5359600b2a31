package rlp

import (
	"bytes"
	"math/big"
	"strings"
	"testing"
)

func TestAppendUint(t *testing.T) {
	tests := []struct {
		in   uint64
		want string
	}{
		{0, "80"}, {1, "01"}, {0x7f, "7f"}, {0x80, "8180"}, {0x400, "820400"},
		{0xffffff, "83ffffff"}, {1<<64 - 1, "88ffffffffffffffff"},
	}
	for _, tc := range tests {
		got := AppendUint(nil, tc.in)
		if !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("AppendUint(%d) = %x, want %s", tc.in, got, tc.want)
		}
		if UintSize(tc.in) != len(got) {
			t.Errorf("UintSize(%d) = %d, want %d", tc.in, UintSize(tc.in), len(got))
		}
	}
}

func TestAppendBigInt(t *testing.T) {
	tests := []struct {
		in   *big.Int
		want string
	}{
		{nil, "80"},
		{big.NewInt(0), "80"},
		{big.NewInt(127), "7f"},
		{big.NewInt(128), "8180"},
		{new(big.Int).Lsh(big.NewInt(1), 64), "89010000000000000000"},
	}
	for _, tc := range tests {
		if got := AppendBigInt(nil, tc.in); !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("AppendBigInt(%v) = %x, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAppendBigIntNegativePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a negative big.Int")
		}
	}()
	AppendBigInt(nil, big.NewInt(-1))
}

func TestAppendBytes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "80"},
		{"00", "00"},
		{"7f", "7f"},
		{"80", "8180"},
		{strings.Repeat("61", 55), "b7" + strings.Repeat("61", 55)},
		{strings.Repeat("61", 56), "b838" + strings.Repeat("61", 56)},
		{strings.Repeat("61", 256), "b90100" + strings.Repeat("61", 256)},
	}
	for _, tc := range tests {
		in := unhex(tc.in)
		if got := AppendBytes(nil, in); !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("AppendBytes(%s) = %x, want %s", tc.in, got, tc.want)
		}
		if got := AppendString(nil, string(in)); !bytes.Equal(got, unhex(tc.want)) {
			t.Errorf("AppendString(%s) = %x, want %s", tc.in, got, tc.want)
		}
		if BytesSize(in) != len(unhex(tc.want)) {
			t.Errorf("BytesSize(%s) = %d", tc.in, BytesSize(in))
		}
	}
}

func TestAppendBool(t *testing.T) {
	if got := AppendBool(AppendBool(nil, true), false); !bytes.Equal(got, []byte{0x01, 0x80}) {
		t.Errorf("AppendBool = %x", got)
	}
}

// TestEndListWidens checks the back-patching of list headers at the sizes
// where the header grows, with a prefix before the list and nested lists.
func TestEndListWidens(t *testing.T) {
	for _, size := range []int{0, 1, 55, 56, 57, 255, 256, 65535, 65536} {
		content := bytes.Repeat([]byte{0x01}, size)
		want := append([]byte{0xaa}, AppendListHeader(nil, size)...)
		want = append(want, content...)
		b, start := StartList([]byte{0xaa})
		b = append(b, content...)
		if got := EndList(b, start); !bytes.Equal(got, want) {
			t.Errorf("size %d: EndList = %x..., want %x...", size, got[:min(8, len(got))], want[:min(8, len(want))])
		}
		if ListSize(size) != len(want)-1 {
			t.Errorf("ListSize(%d) = %d, want %d", size, ListSize(size), len(want)-1)
		}
	}
	// Nested: an inner list that widens must not disturb the outer one.
	got := AppendList(nil, func(b []byte) []byte {
		b = AppendUint(b, 1)
		b = AppendList(b, func(b []byte) []byte { return append(b, bytes.Repeat([]byte{2}, 60)...) })
		return AppendUint(b, 3)
	})
	v, err := Decode(got)
	if err != nil || len(v.List) != 3 || len(v.List[1].List) != 60 || v.List[2].Bytes[0] != 3 {
		t.Errorf("nested lists: %x (%v)", got, err)
	}
}
