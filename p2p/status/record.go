package status

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/sha3"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/rlp"
	"github.com/ledgernet/ledgernet/wire"
)

// Limits of a record, checked by the decoder before anything is copied.
const (
	MaxTopics     = 256
	MaxTopicLen   = 128
	MaxVersionLen = 64
)

// Record is a node's status as its origin signed it, and what this node
// knows about its freshness.
type Record struct {
	ID  enode.ID `json:"id"`
	Seq uint64   `json:"seq"`
	// Height and Hash are the origin's chain tip.
	Height uint64    `json:"height"`
	Hash   wire.Hash `json:"hash"`
	// Topics are the topics the origin follows: sorted, no duplicates.
	Topics   []string `json:"topics"`
	Services uint64   `json:"services"`
	Version  string   `json:"version"`
	// Sig is the origin's signature (package originsig) of Digest; empty
	// when the origin does not sign (permissioned network, Optional policy).
	Sig []byte `json:"-"`

	// Not on the wire.

	// Heard is when the origin was last known to be alive: its own
	// announcement, or a relay's, less the age the relay reported.
	Heard time.Time `json:"heard"`
	// Peer reports whether the origin is a connected peer.
	Peer bool `json:"peer"`
	// Local marks this node's own record.
	Local bool `json:"local,omitempty"`
}

// digestPrefix separates status signatures from every other use of the
// node key.
const digestPrefix = "ledgernet/status/1\x00"

// Digest is what the origin signs: keccak-256 of the prefix and the RLP of
// every wire field but the signature.
func (r Record) Digest() [32]byte {
	var d [32]byte
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(digestPrefix))
	h.Write(r.appendFields(nil, false))
	h.Sum(d[:0])
	return d
}

// Clone returns a deep copy.
func (r Record) Clone() Record {
	r.Topics = slices.Clone(r.Topics)
	r.Sig = slices.Clone(r.Sig)
	return r
}

// appendFields appends the RLP list of the record's fields, with the
// signature when sig is set.
func (r *Record) appendFields(b []byte, sig bool) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, r.ID[:])
	b = rlp.AppendUint(b, r.Seq)
	b = rlp.AppendUint(b, r.Height)
	b = rlp.AppendBytes(b, r.Hash[:])
	b, ts := rlp.StartList(b)
	for _, t := range r.Topics {
		b = rlp.AppendString(b, t)
	}
	b = rlp.EndList(b, ts)
	b = rlp.AppendUint(b, r.Services)
	b = rlp.AppendString(b, r.Version)
	if sig {
		b = rlp.AppendBytes(b, r.Sig)
	}
	return rlp.EndList(b, start)
}

// decodeRecord reads one record from s. Topics and version are copied (a
// record outlives the message); the limits are checked before each copy.
func decodeRecord(s *rlp.Stream) (Record, error) {
	var r Record
	l, err := s.List()
	if err != nil {
		return r, err
	}
	id, err := l.Bytes()
	if err != nil {
		return r, err
	}
	if len(id) != len(r.ID) {
		return r, fmt.Errorf("node ID of %d bytes", len(id))
	}
	copy(r.ID[:], id)
	if r.Seq, err = l.Uint64(); err != nil {
		return r, err
	}
	if r.Height, err = l.Uint64(); err != nil {
		return r, err
	}
	hash, err := l.Bytes()
	if err != nil {
		return r, err
	}
	if len(hash) != len(r.Hash) {
		return r, fmt.Errorf("hash of %d bytes", len(hash))
	}
	copy(r.Hash[:], hash)
	ts, err := l.List()
	if err != nil {
		return r, err
	}
	for ts.More() {
		if len(r.Topics) == MaxTopics {
			return r, fmt.Errorf("more than %d topics", MaxTopics)
		}
		t, err := ts.Bytes()
		if err != nil {
			return r, err
		}
		if err := checkTopic(t); err != nil {
			return r, err
		}
		if n := len(r.Topics); n > 0 && r.Topics[n-1] >= string(t) {
			return r, fmt.Errorf("topics not sorted or repeated at %q", t)
		}
		r.Topics = append(r.Topics, string(t))
	}
	if r.Services, err = l.Uint64(); err != nil {
		return r, err
	}
	v, err := l.Bytes()
	if err != nil {
		return r, err
	}
	if len(v) > MaxVersionLen || !utf8.Valid(v) {
		return r, fmt.Errorf("version of %d bytes or not UTF-8", len(v))
	}
	r.Version = string(v)
	sig, err := l.Bytes()
	if err != nil {
		return r, err
	}
	if len(sig) > originsig.MaxSize {
		return r, fmt.Errorf("signature of %d bytes", len(sig))
	}
	if len(sig) > 0 {
		r.Sig = slices.Clone(sig)
	}
	// Strict: relays re-encode records from these fields, so anything a
	// later version appended would be lost and its signature broken; such
	// a version needs a new protocol version.
	return r, l.End()
}

func checkTopic[T string | []byte](t T) error {
	if len(t) == 0 || len(t) > MaxTopicLen {
		return fmt.Errorf("%w: topic of %d bytes, want 1 to %d", ErrInvalidTopic, len(t), MaxTopicLen)
	}
	if !utf8.Valid([]byte(t)) {
		return fmt.Errorf("%w: topic not UTF-8", ErrInvalidTopic)
	}
	return nil
}

// normTopics returns topics sorted, without duplicates, after checking each.
func normTopics(topics []string) ([]string, error) {
	out := slices.Clone(topics)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxTopics {
		return nil, fmt.Errorf("%w: %d topics, at most %d", ErrInvalidTopic, len(out), MaxTopics)
	}
	for _, t := range out {
		if err := checkTopic(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}
