package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"
)

func unhex(s string) []byte {
	b, err := hexDecode(s)
	if err != nil {
		panic(err)
	}
	return b
}

func hexDecode(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "")
	out := make([]byte, len(s)/2)
	for i := range out {
		var x byte
		for _, c := range s[2*i : 2*i+2] {
			x <<= 4
			switch {
			case c >= '0' && c <= '9':
				x |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				x |= byte(c-'a') + 10
			default:
				return nil, errors.New("bad hex")
			}
		}
		out[i] = x
	}
	return out, nil
}

// TestDecodeBadInputs lists inputs that Decode must reject, each with the
// error go-ethereum gives.
func TestDecodeBadInputs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", io.ErrUnexpectedEOF},
		{"single byte as string 00", "8100", ErrCanonSize},
		{"single byte as string 7f", "817f", ErrCanonSize},
		{"short string truncated", "83 6162", ErrValueTooLarge},
		{"short string header only", "81", ErrValueTooLarge},
		{"long form for size 55", "b7" + strings.Repeat("00", 0), ErrValueTooLarge},
		{"long string size below 56", "b801ff", ErrCanonSize},
		{"long string size 55", "b837" + strings.Repeat("61", 55), ErrCanonSize},
		{"long string size leading zero", "b90040" + strings.Repeat("61", 64), ErrCanonSize},
		{"long string size truncated", "b9 01", io.ErrUnexpectedEOF},
		{"long string size missing", "b8", io.ErrUnexpectedEOF},
		{"long string huge size", "bf ffffffffffffffff 00", ErrValueTooLarge},
		{"long string 2^63 size", "bf 8000000000000000", ErrValueTooLarge},
		{"short list truncated", "c3 0102", ErrValueTooLarge},
		{"long list size below 56", "f803112233", ErrCanonSize},
		{"long list size leading zero", "f90040", ErrCanonSize},
		{"long list huge size", "ff ffffffffffffffff", ErrValueTooLarge},
		{"item larger than list", "c2 83616263", ErrElemTooLarge},
		{"nested item larger than list", "c3 c2 8261", ErrElemTooLarge},
		{"bad item in list", "c2 8100", ErrCanonSize},
		{"trailing byte", "8001", ErrMoreThanOneValue},
		{"trailing list", "c0c0", ErrMoreThanOneValue},
		{"too deep", nested(MaxDepth + 1), ErrTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := unhex(tc.in)
			if _, err := Decode(in); !errors.Is(err, tc.want) {
				t.Errorf("Decode(%x) error = %v, want %v", in, err, tc.want)
			}
			if err := Validate(in); !errors.Is(err, tc.want) {
				t.Errorf("Validate(%x) error = %v, want %v", in, err, tc.want)
			}
		})
	}
}

// nested returns the hex encoding of depth lists, each inside the next.
func nested(depth int) string {
	var b []byte
	starts := make([]int, depth)
	for i := range depth {
		b, starts[i] = StartList(b)
	}
	for i := depth - 1; i >= 0; i-- {
		b = EndList(b, starts[i])
	}
	return fmt.Sprintf("%x", b)
}

func TestMaxDepthAccepted(t *testing.T) {
	in := unhex(nested(MaxDepth))
	if _, err := Decode(in); err != nil {
		t.Fatalf("depth %d rejected: %v", MaxDepth, err)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in            string
		kind          Kind
		content, rest string
	}{
		{"00", Byte, "00", ""},
		{"7f01", Byte, "7f", "01"},
		{"80", String, "", ""},
		{"8180", String, "80", ""},
		{"83616263ff", String, "616263", "ff"},
		{"c0", List, "", ""},
		{"c20102c0", List, "0102", "c0"},
		{"b838" + strings.Repeat("61", 56), String, strings.Repeat("61", 56), ""},
		{"f838" + strings.Repeat("01", 56), List, strings.Repeat("01", 56), ""},
	}
	for _, tc := range tests {
		k, content, rest, err := Split(unhex(tc.in))
		if err != nil {
			t.Errorf("Split(%s): %v", tc.in, err)
			continue
		}
		if k != tc.kind || !bytes.Equal(content, unhex(tc.content)) || !bytes.Equal(rest, unhex(tc.rest)) {
			t.Errorf("Split(%s) = %v %x %x, want %v %s %s", tc.in, k, content, rest, tc.kind, tc.content, tc.rest)
		}
	}
}

func TestSplitTypes(t *testing.T) {
	if _, _, err := SplitString(unhex("c0")); err != ErrExpectedString {
		t.Errorf("SplitString(list) = %v", err)
	}
	if _, _, err := SplitList(unhex("80")); err != ErrExpectedList {
		t.Errorf("SplitList(string) = %v", err)
	}
	if _, _, err := SplitList(unhex("01")); err != ErrExpectedList {
		t.Errorf("SplitList(byte) = %v", err)
	}
}

func TestSplitUint64(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  error
	}{
		{"80", 0, nil},
		{"01", 1, nil},
		{"7f", 127, nil},
		{"8180", 128, nil},
		{"820400", 1024, nil},
		{"88ffffffffffffffff", 1<<64 - 1, nil},
		{"00", 0, ErrCanonInt},
		{"820001", 0, ErrCanonInt},
		{"8100", 0, ErrCanonSize},
		{"89010000000000000000", 0, ErrUintOverflow},
		{"c0", 0, ErrExpectedString},
		{"", 0, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		got, _, err := SplitUint64(unhex(tc.in))
		if err != tc.err || got != tc.want {
			t.Errorf("SplitUint64(%s) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestSplitBigInt(t *testing.T) {
	x, rest, err := SplitBigInt(unhex("a1010000000000000000000000000000000000000000000000000000000000000000ff"))
	want := new(big.Int).Lsh(big.NewInt(1), 256)
	if err != nil || x.Cmp(want) != 0 || !bytes.Equal(rest, []byte{0xff}) {
		t.Errorf("SplitBigInt = %v %x %v", x, rest, err)
	}
	if _, _, err := SplitBigInt(unhex("820001")); err != ErrCanonInt {
		t.Errorf("leading zero: %v", err)
	}
}

func TestCountValues(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false},
		{"00", 1, false},
		{"0080c0c20102", 4, false},
		{"8100", 0, true},
		{"83", 0, true},
		{"01c3", 0, true},
	}
	for _, tc := range tests {
		n, err := CountValues(unhex(tc.in))
		if (err != nil) != tc.fail || n != tc.n {
			t.Errorf("CountValues(%s) = %d, %v", tc.in, n, err)
		}
	}
}
