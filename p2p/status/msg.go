package status

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/rlp"
)

// Protocol name, version and message codes. Code i travels as Commands[i]
// on the permissioned transport's envelope.
const (
	Name    = "status"
	Version = 1

	// AnnounceMsg carries (origin, seq, age) entries: the sender's own
	// seq and the seqs of the records it holds.
	AnnounceMsg = 0
	// GetStatusMsg asks for the full records of some origins.
	GetStatusMsg = 1
	// RecordsMsg answers GetStatus: full signed records with their age.
	RecordsMsg = 2

	// Length is the number of codes.
	Length = 3
)

// Commands is the envelope command of each code, for package tlsconn.
var Commands = []string{"status", "getstatus", "statusrec"}

// Message limits. A peer can claim any count; the decoders stop at these.
const (
	// MaxMsgSize caps a message payload, checked before decoding.
	MaxMsgSize = 1 << 20
	// MaxAnnounce is the most entries in one Announce.
	MaxAnnounce = 2048
	// MaxRequest is the most origins in one GetStatus.
	MaxRequest = 128
	// MaxRecordsPerMsg is the most records in one Records message.
	MaxRecordsPerMsg = 128
	// softRecordsSize: a Records response is split once it passes this.
	softRecordsSize = 256 << 10
)

// Entry is one (origin, seq, age) of an Announce.
type Entry struct {
	ID  enode.ID
	Seq uint64
	// Age is how long ago the sender last had news of the origin being
	// alive, in milliseconds, saturating.
	Age uint32
}

// ageOf converts a duration to a saturating millisecond age.
func ageOf(d time.Duration) uint32 {
	ms := d.Milliseconds()
	switch {
	case ms < 0:
		return 0
	case ms > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(ms)
}

func (e Entry) age() time.Duration { return time.Duration(e.Age) * time.Millisecond }

// AnnounceMsg: [[origin, seq, age], ...]

func encodeAnnounce(es []Entry) []byte {
	b, start := rlp.StartList(make([]byte, 0, 4+len(es)*52))
	for _, e := range es {
		var s int
		b, s = rlp.StartList(b)
		b = rlp.AppendBytes(b, e.ID[:])
		b = rlp.AppendUint(b, e.Seq)
		b = rlp.AppendUint(b, uint64(e.Age))
		b = rlp.EndList(b, s)
	}
	return rlp.EndList(b, start)
}

func decodeAnnounce(p []byte) ([]Entry, error) {
	s, err := rlp.NewListStream(p)
	if err != nil {
		return nil, malformed("announce", err)
	}
	var es []Entry
	for s.More() {
		if len(es) == MaxAnnounce {
			return nil, malformed("announce", fmt.Errorf("more than %d entries", MaxAnnounce))
		}
		l, err := s.List()
		if err != nil {
			return nil, malformed("announce", err)
		}
		var e Entry
		id, err := l.Bytes()
		if err == nil && len(id) != len(e.ID) {
			err = fmt.Errorf("node ID of %d bytes", len(id))
		}
		if err == nil {
			copy(e.ID[:], id)
			e.Seq, err = l.Uint64()
		}
		if err == nil {
			e.Age, err = l.Uint32()
		}
		if err == nil {
			err = l.End()
		}
		if err != nil {
			return nil, malformed("announce", err)
		}
		es = append(es, e)
	}
	return es, nil
}

// GetStatusMsg: [origin, ...]

func encodeGetStatus(ids []enode.ID) []byte {
	b, start := rlp.StartList(make([]byte, 0, 4+len(ids)*33))
	for _, id := range ids {
		b = rlp.AppendBytes(b, id[:])
	}
	return rlp.EndList(b, start)
}

func decodeGetStatus(p []byte) ([]enode.ID, error) {
	s, err := rlp.NewListStream(p)
	if err != nil {
		return nil, malformed("getstatus", err)
	}
	var ids []enode.ID
	for s.More() {
		if len(ids) == MaxRequest {
			return nil, malformed("getstatus", fmt.Errorf("more than %d origins", MaxRequest))
		}
		b, err := s.Bytes()
		if err != nil {
			return nil, malformed("getstatus", err)
		}
		var id enode.ID
		if len(b) != len(id) {
			return nil, malformed("getstatus", fmt.Errorf("node ID of %d bytes", len(b)))
		}
		copy(id[:], b)
		ids = append(ids, id)
	}
	return ids, nil
}

// RecordsMsg: [[age, record], ...]

// AgedRecord is a record in a Records message with its age.
type agedRecord struct {
	Age uint32
	Rec Record
}

func appendAgedRecord(b []byte, ar agedRecord) []byte {
	b, s := rlp.StartList(b)
	b = rlp.AppendUint(b, uint64(ar.Age))
	b = ar.Rec.appendFields(b, true)
	return rlp.EndList(b, s)
}

func encodeRecords(rs []agedRecord) []byte {
	b, start := rlp.StartList(nil)
	for _, r := range rs {
		b = appendAgedRecord(b, r)
	}
	return rlp.EndList(b, start)
}

func decodeRecords(p []byte) ([]agedRecord, error) {
	s, err := rlp.NewListStream(p)
	if err != nil {
		return nil, malformed("statusrec", err)
	}
	var rs []agedRecord
	for s.More() {
		if len(rs) == MaxRecordsPerMsg {
			return nil, malformed("statusrec", fmt.Errorf("more than %d records", MaxRecordsPerMsg))
		}
		l, err := s.List()
		if err != nil {
			return nil, malformed("statusrec", err)
		}
		var ar agedRecord
		ar.Age, err = l.Uint32()
		if err == nil {
			ar.Rec, err = decodeRecord(&l)
		}
		if err == nil {
			err = l.End()
		}
		if err != nil {
			return nil, malformed("statusrec", err)
		}
		rs = append(rs, ar)
	}
	return rs, nil
}

func malformed(what string, err error) error {
	if errors.Is(err, ErrInvalidTopic) {
		return fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}

func startRecords() ([]byte, int) { return rlp.StartList(nil) }

func endRecords(b []byte, start int) []byte { return rlp.EndList(b, start) }
