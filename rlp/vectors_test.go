package rlp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

const vectorsFile = "eth/rlp_vectors.json" // under testdata/

// vectorInput is one input value of the ethereum/tests RLP vectors: exactly
// one field is set.
type vectorInput struct {
	BytesHex *string       `json:"bytes_hex"`
	Uint     *string       `json:"uint"`
	BigInt   *string       `json:"bigint"`
	List     []vectorInput `json:"list"`
}

type vectorCase struct {
	Name       string       `json:"name"`
	Input      *vectorInput `json:"input"`
	EncodedHex string       `json:"encoded_hex"`
}

type vectorFile struct {
	Valid       []vectorCase `json:"valid"`
	Invalid     []vectorCase `json:"invalid"`
	RandomValid []vectorCase `json:"random_valid"`
}

// loadVectors reads the shared RLP vectors. A missing file fails the test:
// the vectors are the point of the test, so they must never be skipped.
func loadVectors(tb testing.TB) vectorFile {
	tb.Helper()
	data := fixtures.Read(tb, vectorsFile)
	var vf vectorFile
	if err := json.Unmarshal(data, &vf); err != nil {
		tb.Fatalf("parse %s: %v", vectorsFile, err)
	}
	if len(vf.Valid) == 0 || len(vf.Invalid) == 0 || len(vf.RandomValid) == 0 {
		tb.Fatalf("%s: a section is empty", vectorsFile)
	}
	return vf
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// encodeInput encodes a vector's input value with the package's encoders.
func encodeInput(tb testing.TB, b []byte, in vectorInput) []byte {
	tb.Helper()
	switch {
	case in.BytesHex != nil:
		return AppendBytes(b, mustHex(tb, *in.BytesHex))
	case in.Uint != nil, in.BigInt != nil:
		s := in.Uint
		if s == nil {
			s = in.BigInt
		}
		x, ok := new(big.Int).SetString(*s, 10)
		if !ok {
			tb.Fatalf("bad integer %q", *s)
		}
		if x.IsUint64() {
			return AppendUint(b, x.Uint64())
		}
		return AppendBigInt(b, x)
	default: // a list, possibly empty
		return AppendList(b, func(b []byte) []byte {
			for _, item := range in.List {
				b = encodeInput(tb, b, item)
			}
			return b
		})
	}
}

// checkInput compares a decoded value with a vector's input.
func checkInput(tb testing.TB, v Value, in vectorInput) {
	tb.Helper()
	switch {
	case in.BytesHex != nil:
		if v.Kind == List || !bytes.Equal(v.Bytes, mustHex(tb, *in.BytesHex)) {
			tb.Fatalf("decoded %v %x, want bytes %s", v.Kind, v.Bytes, *in.BytesHex)
		}
	case in.Uint != nil, in.BigInt != nil:
		s := in.Uint
		if s == nil {
			s = in.BigInt
		}
		x, _, err := SplitBigInt(v.Append(nil))
		if err != nil || x.String() != *s {
			tb.Fatalf("decoded %v (%v), want integer %s", x, err, *s)
		}
		if in.Uint != nil {
			u, _, err := SplitUint64(v.Append(nil))
			if err != nil || new(big.Int).SetUint64(u).String() != *s {
				tb.Fatalf("SplitUint64 = %d (%v), want %s", u, err, *s)
			}
		}
	default:
		if v.Kind != List || len(v.List) != len(in.List) {
			tb.Fatalf("decoded %v with %d items, want list of %d", v.Kind, len(v.List), len(in.List))
		}
		for i := range in.List {
			checkInput(tb, v.List[i], in.List[i])
		}
	}
}

func TestVectorsValid(t *testing.T) {
	for _, tc := range loadVectors(t).Valid {
		t.Run(tc.Name, func(t *testing.T) {
			want := mustHex(t, tc.EncodedHex)
			if tc.Input == nil {
				t.Fatal("vector has no input")
			}
			if got := encodeInput(t, nil, *tc.Input); !bytes.Equal(got, want) {
				t.Errorf("encode = %x, want %x", got, want)
			}
			v, err := Decode(want)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkInput(t, v, *tc.Input)
			if got := v.Append(nil); !bytes.Equal(got, want) {
				t.Errorf("re-encode = %x, want %x", got, want)
			}
			if err := Validate(want); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestVectorsInvalid(t *testing.T) {
	for _, tc := range loadVectors(t).Invalid {
		t.Run(tc.Name, func(t *testing.T) {
			in := mustHex(t, tc.EncodedHex)
			if v, err := Decode(in); err == nil {
				t.Errorf("Decode accepted %x as %+v", in, v)
			}
			if err := Validate(in); err == nil {
				t.Errorf("Validate accepted %x", in)
			}
		})
	}
}

func TestVectorsRandomValid(t *testing.T) {
	for _, tc := range loadVectors(t).RandomValid {
		t.Run(tc.Name, func(t *testing.T) {
			in := mustHex(t, tc.EncodedHex)
			v, err := Decode(in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got := v.Append(nil); !bytes.Equal(got, in) {
				t.Errorf("re-encode = %x, want %x", got, in)
			}
		})
	}
}
