package enr

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/ledgernet/ledgernet/rlp"
)

// SizeLimit is the largest encoded record EIP-778 allows, in bytes.
const SizeLimit = 300

// textPrefix starts the text form of a record.
const textPrefix = "enr:"

// maxTextLen is the longest text form of a record within SizeLimit.
var maxTextLen = len(textPrefix) + base64.RawURLEncoding.EncodedLen(SizeLimit)

// Errors about records.
var (
	ErrTooBig         = errors.New("enr: record bigger than size limit")
	ErrNotSorted      = errors.New("enr: record key/value pairs are not sorted by key")
	ErrDuplicateKey   = errors.New("enr: record contains duplicate key")
	ErrIncompletePair = errors.New("enr: record contains incomplete k/v pair")
	ErrIncompleteList = errors.New("enr: record contains less than two list elements")
	ErrInvalidSig     = errors.New("enr: invalid signature on node record")
	ErrMissingID      = errors.New(`enr: record has no "id" entry`)
	ErrUnknownScheme  = errors.New("enr: unknown identity scheme")
	ErrUnsigned       = errors.New("enr: record is not signed")
	ErrMissingPrefix  = errors.New("enr: missing 'enr:' prefix for base64-encoded record")
	ErrNotFound       = errors.New("enr: no such entry")
)

// KeyError is an error about one entry of a record.
type KeyError struct {
	Key string
	Err error
}

func (e *KeyError) Error() string {
	if e.Err == ErrNotFound {
		return fmt.Sprintf("enr: missing %q entry", e.Key)
	}
	return fmt.Sprintf("enr: invalid %q entry: %v", e.Key, e.Err)
}

func (e *KeyError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says an entry is missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// pair is one entry; v is the value's complete RLP encoding.
type pair struct {
	k string
	v []byte
}

// Record is a node record. The zero value is an empty, unsigned record with
// seq 0. A Record is not safe for concurrent mutation.
type Record struct {
	seq       uint64
	signature []byte // nil when unsigned
	raw       []byte // encoding of the signed record; nil when unsigned
	pairs     []pair // sorted by k, unique
}

// Seq returns the sequence number.
func (r *Record) Seq() uint64 { return r.seq }

// SetSeq sets the sequence number and removes the signature.
func (r *Record) SetSeq(seq uint64) {
	r.signature, r.raw = nil, nil
	r.seq = seq
}

// Signature returns the signature, or nil if the record is unsigned.
func (r *Record) Signature() []byte { return bytes.Clone(r.signature) }

// Signed reports whether the record carries a signature.
func (r *Record) Signed() bool { return r.signature != nil }

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := &Record{seq: r.seq, signature: bytes.Clone(r.signature), raw: bytes.Clone(r.raw)}
	c.pairs = make([]pair, len(r.pairs))
	for i, p := range r.pairs {
		c.pairs[i] = pair{p.k, bytes.Clone(p.v)}
	}
	return c
}

// Len returns the number of entries.
func (r *Record) Len() int { return len(r.pairs) }

// All yields every key with its raw RLP value, in key order. The values
// alias the record and must not be modified.
func (r *Record) All() iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for _, p := range r.pairs {
			if !yield(p.k, p.v) {
				return
			}
		}
	}
}

// Get returns the raw RLP value of key.
func (r *Record) Get(key string) ([]byte, bool) {
	i, ok := r.find(key)
	if !ok {
		return nil, false
	}
	return r.pairs[i].v, true
}

func (r *Record) find(key string) (int, bool) {
	return slices.BinarySearchFunc(r.pairs, key, func(p pair, k string) int {
		return strings.Compare(p.k, k)
	})
}

// Set adds or replaces an entry. If the record was signed, the signature is
// removed and seq is incremented, as go-ethereum does: several changes
// between two signatures bump seq once.
func (r *Record) Set(e Entry) {
	r.setRaw(e.ENRKey(), e.AppendRLP(nil))
}

// SetRaw adds or replaces an entry whose value is given as RLP; raw must be
// exactly one well-formed RLP value.
func (r *Record) SetRaw(key string, raw []byte) error {
	if err := rlp.Validate(raw); err != nil {
		return &KeyError{Key: key, Err: err}
	}
	r.setRaw(key, bytes.Clone(raw))
	return nil
}

func (r *Record) setRaw(key string, raw []byte) {
	r.invalidate()
	i, ok := r.find(key)
	if ok {
		r.pairs[i].v = raw
		return
	}
	r.pairs = slices.Insert(r.pairs, i, pair{key, raw})
}

// Delete removes an entry, reporting whether it existed. Like Set, it
// invalidates a signature.
func (r *Record) Delete(key string) bool {
	i, ok := r.find(key)
	if !ok {
		return false
	}
	r.invalidate()
	r.pairs = slices.Delete(r.pairs, i, i+1)
	return true
}

func (r *Record) invalidate() {
	if r.signature != nil {
		r.seq++
	}
	r.signature, r.raw = nil, nil
}

// Load decodes the entry e.ENRKey() into e. A missing entry gives a
// *KeyError wrapping ErrNotFound; a malformed one a *KeyError wrapping the
// decoding error.
func (r *Record) Load(e EntryDecoder) error {
	raw, ok := r.Get(e.ENRKey())
	if !ok {
		return &KeyError{Key: e.ENRKey(), Err: ErrNotFound}
	}
	if err := e.DecodeRLP(raw); err != nil {
		return &KeyError{Key: e.ENRKey(), Err: err}
	}
	return nil
}

// IdentityScheme returns the value of the "id" entry, or "" if there is none
// or it is malformed.
func (r *Record) IdentityScheme() string {
	var id ID
	if r.Load(&id) != nil {
		return ""
	}
	return string(id)
}

// AppendContent appends the signed content rlp([seq, k1, v1, ...]).
func (r *Record) AppendContent(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = r.appendElements(b)
	return rlp.EndList(b, start)
}

func (r *Record) appendElements(b []byte) []byte {
	b = rlp.AppendUint(b, r.seq)
	for _, p := range r.pairs {
		b = rlp.AppendString(b, p.k)
		b = append(b, p.v...)
	}
	return b
}

// encode returns the record encoded with signature sig.
func (r *Record) encode(sig []byte) ([]byte, error) {
	b := make([]byte, 0, SizeLimit)
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, sig)
	b = r.appendElements(b)
	b = rlp.EndList(b, start)
	if len(b) > SizeLimit {
		return nil, ErrTooBig
	}
	return b, nil
}

// SignedSize returns the encoded size the record would have with a 64-byte
// v4 signature, so callers can check SizeLimit before signing.
func (r *Record) SignedSize() int {
	n := rlp.HeaderSize(sigSize) + sigSize + rlp.UintSize(r.seq)
	for _, p := range r.pairs {
		n += rlp.BytesSize([]byte(p.k)) + len(p.v)
	}
	return rlp.ListSize(n)
}

// Encode returns the RLP encoding of the signed record.
func (r *Record) Encode() ([]byte, error) {
	if r.raw == nil {
		return nil, ErrUnsigned
	}
	return bytes.Clone(r.raw), nil
}

// AppendEncoding appends the RLP encoding of the signed record to b.
func (r *Record) AppendEncoding(b []byte) ([]byte, error) {
	if r.raw == nil {
		return b, ErrUnsigned
	}
	return append(b, r.raw...), nil
}

// Text returns the text form "enr:<base64>" of the signed record.
func (r *Record) Text() (string, error) {
	if r.raw == nil {
		return "", ErrUnsigned
	}
	return textPrefix + base64.RawURLEncoding.EncodeToString(r.raw), nil
}

// String returns the text form, or a placeholder for an unsigned record.
func (r *Record) String() string {
	s, err := r.Text()
	if err != nil {
		return fmt.Sprintf("enr:<unsigned seq=%d>", r.seq)
	}
	return s
}

// Decode decodes a record from its RLP encoding b, which must hold exactly
// the record, and verifies its signature under its identity scheme.
func Decode(b []byte) (*Record, error) {
	r, err := DecodeUnverified(b)
	if err != nil {
		return nil, err
	}
	if err := r.Verify(); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeUnverified decodes a record like Decode but does not check the
// signature, which is what go-ethereum's enr.Record decoding does; tools use
// it to show a record whose signature is bad. Values are copied out of b.
func DecodeUnverified(b []byte) (*Record, error) {
	// Checked before anything else: the record is bounded by the spec.
	if len(b) > SizeLimit {
		return nil, ErrTooBig
	}
	// Values alias a private copy, so the record does not alias b.
	raw := bytes.Clone(b)
	s, err := rlp.NewListStream(raw)
	if err != nil {
		return nil, fmt.Errorf("enr: %w", err)
	}
	r := &Record{raw: raw}
	if r.signature, err = s.Bytes(); err != nil {
		return nil, listErr(err, ErrIncompleteList)
	}
	if r.seq, err = s.Uint64(); err != nil {
		return nil, listErr(err, ErrIncompleteList)
	}
	n, err := rlp.CountValues(s.Rest())
	if err == rlp.ErrValueTooLarge {
		err = rlp.ErrElemTooLarge // the item overruns the record's list
	}
	if err != nil {
		return nil, fmt.Errorf("enr: %w", err)
	}
	r.pairs = make([]pair, 0, n/2)
	for s.More() {
		k, err := s.Bytes()
		if err != nil {
			return nil, fmt.Errorf("enr: key: %w", err)
		}
		v, err := s.Raw()
		if err != nil {
			return nil, listErr(err, ErrIncompletePair)
		}
		key := string(k)
		if len(r.pairs) > 0 {
			prev := r.pairs[len(r.pairs)-1].k
			switch {
			case key == prev:
				return nil, fmt.Errorf("%w: %q", ErrDuplicateKey, key)
			case key < prev:
				return nil, fmt.Errorf("%w: %q after %q", ErrNotSorted, key, prev)
			}
		}
		r.pairs = append(r.pairs, pair{key, v[:len(v):len(v)]})
	}
	return r, nil
}

func listErr(err, eol error) error {
	if err == rlp.ErrEOL {
		return eol
	}
	return fmt.Errorf("enr: %w", err)
}

// Parse decodes and verifies the text form "enr:<base64>".
func Parse(text string) (*Record, error) {
	b, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// ParseUnverified decodes the text form without checking the signature.
func ParseUnverified(text string) (*Record, error) {
	b, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	return DecodeUnverified(b)
}

func decodeText(text string) ([]byte, error) {
	if !strings.HasPrefix(text, textPrefix) {
		return nil, ErrMissingPrefix
	}
	// Bounded before decoding. (go-ethereum decodes first; its base64 also
	// skips embedded newlines, so it may accept a longer text that decodes to
	// the same record. Such text is not produced by any implementation.)
	if len(text) > maxTextLen {
		return nil, ErrTooBig
	}
	b, err := base64.RawURLEncoding.DecodeString(text[len(textPrefix):])
	if err != nil {
		return nil, fmt.Errorf("enr: invalid base64: %w", err)
	}
	return b, nil
}
