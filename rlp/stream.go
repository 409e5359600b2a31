package rlp

import "math/big"

// Stream reads RLP values one after another from a byte slice, usually the
// content of a list. It is a small value type: copying it forks the reading
// position. Values returned alias the input. When a read fails the position is
// unchanged. The zero Stream is empty.
//
// A hand-written decoder for a list [a, b, [c, d]] reads:
//
//	s, err := rlp.NewListStream(data)
//	a, err := s.Bytes()
//	b, err := s.Uint64()
//	inner, err := s.List()
//	...
//	err = s.End()
type Stream struct {
	b      []byte
	inList bool
}

// NewStream returns a Stream over b, a sequence of zero or more values.
func NewStream(b []byte) Stream { return Stream{b: b} }

// NewListStream returns a Stream over the items of the list that b encodes.
// b must hold exactly that one list.
func NewListStream(b []byte) (Stream, error) {
	content, rest, err := SplitList(b)
	if err != nil {
		return Stream{}, err
	}
	if len(rest) > 0 {
		return Stream{}, ErrMoreThanOneValue
	}
	return Stream{b: content, inList: true}, nil
}

// More reports whether values remain.
func (s *Stream) More() bool { return len(s.b) > 0 }

// Rest returns the undecoded bytes, for example the extra list items that a
// newer protocol version may add (EIP-8 forward compatibility).
func (s *Stream) Rest() []byte { return s.b }

// End returns nil if no values remain: ErrNotAtEOL in a list, or
// ErrMoreThanOneValue at top level, otherwise.
func (s *Stream) End() error {
	if len(s.b) == 0 {
		return nil
	}
	if s.inList {
		return ErrNotAtEOL
	}
	return ErrMoreThanOneValue
}

func (s *Stream) split() (Kind, []byte, []byte, error) {
	if len(s.b) == 0 {
		return 0, nil, nil, ErrEOL
	}
	k, content, rest, err := Split(s.b)
	if err == ErrValueTooLarge && s.inList {
		err = ErrElemTooLarge
	}
	return k, content, rest, err
}

// Kind returns the kind and content size of the next value without
// consuming it.
func (s *Stream) Kind() (Kind, int, error) {
	k, content, _, err := s.split()
	return k, len(content), err
}

// Raw consumes the next value and returns its whole encoding.
func (s *Stream) Raw() ([]byte, error) {
	_, _, rest, err := s.split()
	if err != nil {
		return nil, err
	}
	raw := s.b[:len(s.b)-len(rest)]
	s.b = rest
	return raw, nil
}

// Skip consumes the next value.
func (s *Stream) Skip() error {
	_, err := s.Raw()
	return err
}

// Bytes consumes the next value, which must be a string, and returns its
// content.
func (s *Stream) Bytes() ([]byte, error) {
	k, content, rest, err := s.split()
	if err != nil {
		return nil, err
	}
	if k == List {
		return nil, ErrExpectedString
	}
	s.b = rest
	return content, nil
}

// List consumes the next value, which must be a list, and returns a Stream
// over its items.
func (s *Stream) List() (Stream, error) {
	k, content, rest, err := s.split()
	if err != nil {
		return Stream{}, err
	}
	if k != List {
		return Stream{}, ErrExpectedList
	}
	s.b = rest
	return Stream{b: content, inList: true}, nil
}

// Uint64 consumes the next value as a canonical unsigned integer.
func (s *Stream) Uint64() (uint64, error) { return s.uint(8) }

// Uint32 consumes the next value as an integer of at most 4 bytes.
func (s *Stream) Uint32() (uint32, error) {
	x, err := s.uint(4)
	return uint32(x), err
}

// Uint16 consumes the next value as an integer of at most 2 bytes.
func (s *Stream) Uint16() (uint16, error) {
	x, err := s.uint(2)
	return uint16(x), err
}

// Uint8 consumes the next value as an integer of at most 1 byte.
func (s *Stream) Uint8() (uint8, error) {
	x, err := s.uint(1)
	return uint8(x), err
}

func (s *Stream) uint(maxBytes int) (uint64, error) {
	k, content, rest, err := s.split()
	if err != nil {
		return 0, err
	}
	if k == List {
		return 0, ErrExpectedString
	}
	if len(content) > maxBytes {
		return 0, ErrUintOverflow
	}
	x, err := parseUint(content)
	if err != nil {
		return 0, err
	}
	s.b = rest
	return x, nil
}

// Bool consumes the next value as a boolean: 0x01 is true, 0x80 false.
func (s *Stream) Bool() (bool, error) {
	save := *s
	x, err := s.uint(1)
	if err != nil {
		return false, err
	}
	if x > 1 {
		*s = save
		return false, ErrCanonInt
	}
	return x == 1, nil
}

// BigInt consumes the next value as a canonical non-negative integer.
func (s *Stream) BigInt() (*big.Int, error) {
	k, content, rest, err := s.split()
	if err != nil {
		return nil, err
	}
	if k == List {
		return nil, ErrExpectedString
	}
	if len(content) > 0 && content[0] == 0 {
		return nil, ErrCanonInt
	}
	s.b = rest
	return new(big.Int).SetBytes(content), nil
}
