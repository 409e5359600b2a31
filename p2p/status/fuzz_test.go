package status

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

func seedRecords(f *testing.F) {
	rec := Record{ID: vecID1, Seq: 1, Height: 0x0100, Hash: wire.Hash{0xaa}, Topics: []string{"a", "bc"}, Services: 5, Version: "v", Sig: []byte{1, 2}}
	f.Add(encodeRecords([]agedRecord{{Age: 3, Rec: rec}}))
	f.Add(encodeRecords([]agedRecord{{Rec: signedRecord(f, 1)}, {Age: 1, Rec: signedRecord(f, 2)}}))
	f.Add(encodeRecords(nil))
	f.Add(encodeAnnounce([]Entry{{ID: vecID1, Seq: 7}, {ID: vecID2, Seq: 1024, Age: 1000}}))
	f.Add(encodeGetStatus([]enode.ID{vecID1, vecID2}))
	f.Add([]byte{0xc3, 0x01})
}

// Every decoder: no panic, only ErrMalformed, and what decodes encodes to
// the same bytes (the format is canonical).
func FuzzDecodeAnnounce(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := decodeAnnounce(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if enc := encodeAnnounce(es); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, enc)
		}
	})
}

func FuzzDecodeGetStatus(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := decodeGetStatus(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if enc := encodeGetStatus(ids); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, enc)
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := decodeRecords(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if enc := encodeRecords(rs); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, enc)
		}
		for _, r := range rs {
			// Verification must not panic on anything the decoder passes.
			_ = DefaultPolicyCheck(r.Rec)
		}
	})
}

// DefaultPolicyCheck verifies a record as a Require node would.
func DefaultPolicyCheck(r Record) error {
	var s Service
	return s.cfg.Signatures.Check(r.ID, r.Digest(), r.Sig)
}
