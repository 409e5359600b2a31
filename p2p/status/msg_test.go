package status

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/rlp"
	"github.com/ledgernet/ledgernet/wire"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	vecID1 = enode.ID{0x11}
	vecID2 = enode.ID{0x22}
)

// Byte-exact vectors: the wire format is RLP and must not drift.
func TestVectors(t *testing.T) {
	rec := Record{ID: vecID1, Seq: 1, Height: 0x0100, Hash: wire.Hash{0xaa}, Topics: []string{"a", "bc"}, Services: 5, Version: "v", Sig: []byte{1, 2}}
	tests := []struct {
		name string
		enc  []byte
		want string
	}{
		{"announce empty", encodeAnnounce(nil), "c0"},
		{"announce", encodeAnnounce([]Entry{{ID: vecID1, Seq: 7, Age: 0}, {ID: vecID2, Seq: 0x0400, Age: 1000}}),
			"f84c e3 a0 1100000000000000000000000000000000000000000000000000000000000000 07 80" +
				" e7 a0 2200000000000000000000000000000000000000000000000000000000000000 820400 8203e8"},
		{"getstatus", encodeGetStatus([]enode.ID{vecID1}),
			"e1 a0 1100000000000000000000000000000000000000000000000000000000000000"},
		{"records", encodeRecords([]agedRecord{{Age: 3, Rec: rec}}),
			"f8 55 f8 53 03 f8 50 a0 1100000000000000000000000000000000000000000000000000000000000000 01 820100" +
				" a0 aa00000000000000000000000000000000000000000000000000000000000000 c4 61 826263 05 76 820102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if want := unhex(tt.want); !bytes.Equal(tt.enc, want) {
				t.Fatalf("encoding\n got %x\nwant %x", tt.enc, want)
			}
		})
	}
	rs, err := decodeRecords(unhex(tests[3].want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rs, []agedRecord{{Age: 3, Rec: rec}}) {
		t.Fatalf("decoded %+v", rs)
	}
}

func TestRoundTrip(t *testing.T) {
	es := []Entry{{ID: vecID1, Seq: 1 << 63, Age: 1<<32 - 1}, {ID: vecID2}}
	got, err := decodeAnnounce(encodeAnnounce(es))
	if err != nil || !reflect.DeepEqual(got, es) {
		t.Fatalf("announce: %+v, %v", got, err)
	}
	ids := []enode.ID{vecID1, vecID2}
	gids, err := decodeGetStatus(encodeGetStatus(ids))
	if err != nil || !reflect.DeepEqual(gids, ids) {
		t.Fatalf("getstatus: %+v, %v", gids, err)
	}
	r := signedRecord(t, 9)
	rs, err := decodeRecords(encodeRecords([]agedRecord{{Rec: r}}))
	if err != nil || !reflect.DeepEqual(rs[0].Rec, r) {
		t.Fatalf("records: %+v, %v", rs, err)
	}
}

// list wraps RLP items in a list.
func list(items ...[]byte) []byte {
	return rlp.AppendList(nil, func(b []byte) []byte {
		for _, it := range items {
			b = append(b, it...)
		}
		return b
	})
}

func str(s string) []byte            { return rlp.AppendString(nil, s) }
func bs(b []byte) []byte             { return rlp.AppendBytes(nil, b) }
func num(u uint64) []byte            { return rlp.AppendUint(nil, u) }
func rawRec(fields ...[]byte) []byte { return list(fields...) }

func recFields(topics []byte, version, sig []byte) [][]byte {
	return [][]byte{bs(vecID1[:]), num(1), num(2), bs(make([]byte, 32)), topics, version, num(0), sig}
}

func TestDecodeBad(t *testing.T) {
	// A valid record's fields, to break one at a time.
	okTopics := list(str("a"))
	field := func(i int, v []byte) []byte {
		f := [][]byte{bs(vecID1[:]), num(1), num(2), bs(make([]byte, 32)), okTopics, num(0), str("v"), bs(nil)}
		if i >= 0 {
			f[i] = v
		}
		return list(num(0), rawRec(f...))
	}
	manyTopics := make([][]byte, MaxTopics+1)
	for i := range manyTopics {
		manyTopics[i] = str(string(rune('a'+i%26)) + strings.Repeat("x", i/26))
	}
	manyIDs := make([][]byte, MaxRequest+1)
	for i := range manyIDs {
		manyIDs[i] = bs(vecID1[:])
	}
	entry := list(bs(vecID1[:]), num(1), num(0))
	manyEntries := make([][]byte, MaxAnnounce+1)
	for i := range manyEntries {
		manyEntries[i] = entry
	}
	tests := []struct {
		name   string
		decode func([]byte) error
		in     []byte
	}{
		{"announce not a list", ann, str("x")},
		{"announce trailing", ann, append(list(), 0x80)},
		{"announce entry short ID", ann, list(list(bs([]byte{1}), num(1), num(0)))},
		{"announce entry extra field", ann, list(list(bs(vecID1[:]), num(1), num(0), num(0)))},
		{"announce entry missing age", ann, list(list(bs(vecID1[:]), num(1)))},
		{"announce age over 32 bits", ann, list(list(bs(vecID1[:]), num(1), num(1<<32)))},
		{"announce non-canonical seq", ann, list(list(bs(vecID1[:]), bs([]byte{0, 1}), num(0)))},
		{"announce too many", ann, list(manyEntries...)},
		{"announce truncated", ann, list(entry)[:10]},
		{"getstatus short ID", get, list(bs([]byte{1, 2}))},
		{"getstatus list item", get, list(list())},
		{"getstatus too many", get, list(manyIDs...)},
		{"records not a list", recs, str("x")},
		{"records item not a list", recs, list(num(1))},
		{"records extra field", recs, list(list(num(0), rawRec(recFields(okTopics, str("v"), bs(nil))...), num(1)))},
		{"record short ID", recs, list(field(0, bs([]byte{1})))},
		{"record short hash", recs, list(field(3, bs([]byte{1})))},
		{"record topics not a list", recs, list(field(4, str("a")))},
		{"record empty topic", recs, list(field(4, list(str(""))))},
		{"record long topic", recs, list(field(4, list(str(strings.Repeat("t", MaxTopicLen+1)))))},
		{"record topic not UTF-8", recs, list(field(4, list(bs([]byte{0xff}))))},
		{"record topics unsorted", recs, list(field(4, list(str("b"), str("a"))))},
		{"record topics repeated", recs, list(field(4, list(str("a"), str("a"))))},
		{"record too many topics", recs, list(field(4, list(manyTopics...)))},
		{"record long version", recs, list(field(6, str(strings.Repeat("v", MaxVersionLen+1))))},
		{"record long signature", recs, list(field(7, bs(make([]byte, 200))))},
		{"record missing signature", recs, list(list(num(0), rawRec(bs(vecID1[:]), num(1), num(2), bs(make([]byte, 32)), okTopics, num(0), str("v"))))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(tt.in); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err %v, want ErrMalformed", err)
			}
		})
	}
	// The template itself decodes.
	if _, err := decodeRecords(list(field(-1, nil))); err != nil {
		t.Fatalf("template: %v", err)
	}
}

func ann(b []byte) error  { _, err := decodeAnnounce(b); return err }
func get(b []byte) error  { _, err := decodeGetStatus(b); return err }
func recs(b []byte) error { _, err := decodeRecords(b); return err }
