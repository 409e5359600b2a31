package rlp

import (
	"errors"
	"io"
	"math/big"
)

// Kind is the kind of an RLP value.
type Kind int8

// The kinds of RLP value. Byte is a single byte below 0x80, which is its own
// encoding; String is any other byte string.
const (
	Byte Kind = iota
	String
	List
)

func (k Kind) String() string {
	switch k {
	case Byte:
		return "Byte"
	case String:
		return "String"
	case List:
		return "List"
	default:
		return "Kind(?)"
	}
}

// Errors returned by the decoders. The texts are go-ethereum's, so log lines
// and disconnect reasons read the same in both implementations.
var (
	// ErrExpectedString means a list was found where a string was expected.
	ErrExpectedString = errors.New("rlp: expected String or Byte")
	// ErrExpectedList means a string was found where a list was expected.
	ErrExpectedList = errors.New("rlp: expected List")
	// ErrCanonInt means an integer has leading zero bytes (or is 0x00).
	ErrCanonInt = errors.New("rlp: non-canonical integer format")
	// ErrCanonSize means a size is written in a longer form than needed.
	ErrCanonSize = errors.New("rlp: non-canonical size information")
	// ErrElemTooLarge means an item claims more bytes than its list holds.
	ErrElemTooLarge = errors.New("rlp: element is larger than containing list")
	// ErrValueTooLarge means a value claims more bytes than the input holds.
	ErrValueTooLarge = errors.New("rlp: value size exceeds available input length")
	// ErrMoreThanOneValue means bytes follow the single value expected.
	ErrMoreThanOneValue = errors.New("rlp: input contains more than one value")
	// ErrUintOverflow means an integer does not fit the requested type.
	ErrUintOverflow = errors.New("rlp: uint overflow")
	// ErrUnexpectedEOF means the input ends inside a header. It is
	// io.ErrUnexpectedEOF, as in go-ethereum.
	ErrUnexpectedEOF = io.ErrUnexpectedEOF
	// ErrEOL is returned by a Stream that has no values left.
	ErrEOL = errors.New("rlp: end of list")
	// ErrNotAtEOL is returned by Stream.End when values remain in a list.
	ErrNotAtEOL = errors.New("rlp: list has more elements than expected")
	// ErrTooDeep means a value nests lists more than MaxDepth levels.
	ErrTooDeep = errors.New("rlp: nesting too deep")
)

// readKind reads the header at the start of buf. The content size is returned
// unchecked against len(buf) (the caller checks it) and as a uint64 so that a
// claimed 8-byte size cannot overflow an int.
func readKind(buf []byte) (k Kind, tagsize int, contentsize uint64, err error) {
	if len(buf) == 0 {
		return 0, 0, 0, io.ErrUnexpectedEOF
	}
	b := buf[0]
	switch {
	case b < shortString:
		return Byte, 0, 1, nil
	case b <= longString:
		contentsize = uint64(b - shortString)
		// A single byte below 0x80 must be written as itself.
		if contentsize == 1 && len(buf) > 1 && buf[1] < shortString {
			return 0, 0, 0, ErrCanonSize
		}
		return String, 1, contentsize, nil
	case b < shortList:
		slen := b - longString
		contentsize, err = readSize(buf[1:], slen)
		return String, 1 + int(slen), contentsize, err
	case b <= longList:
		return List, 1, uint64(b - shortList), nil
	default:
		slen := b - longList
		contentsize, err = readSize(buf[1:], slen)
		return List, 1 + int(slen), contentsize, err
	}
}

// readSize reads a long-form size of slen (1..8) bytes.
func readSize(b []byte, slen byte) (uint64, error) {
	if int(slen) > len(b) {
		return 0, io.ErrUnexpectedEOF
	}
	if b[0] == 0 {
		return 0, ErrCanonSize
	}
	var s uint64
	for _, c := range b[:slen] {
		s = s<<8 | uint64(c)
	}
	// Sizes below 56 have a short form.
	if s < 56 {
		return 0, ErrCanonSize
	}
	return s, nil
}

// Split returns the kind and content of the first RLP value in b and the bytes
// after it. Content and rest alias b. For a Byte, content is b[:1].
func Split(b []byte) (k Kind, content, rest []byte, err error) {
	k, ts, cs, err := readKind(b)
	if err != nil {
		return 0, nil, b, err
	}
	// Checked before use: a peer can claim any length.
	if cs > uint64(len(b)-ts) {
		return 0, nil, b, ErrValueTooLarge
	}
	end := ts + int(cs)
	return k, b[ts:end], b[end:], nil
}

// SplitString splits b into the content of a string value and the rest.
func SplitString(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k == List {
		return nil, b, ErrExpectedString
	}
	return content, rest, nil
}

// SplitList splits b into the content of a list value and the rest.
func SplitList(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k != List {
		return nil, b, ErrExpectedList
	}
	return content, rest, nil
}

// SplitUint64 decodes an integer at the start of b. It rejects leading zero
// bytes (ErrCanonInt) and integers longer than 8 bytes (ErrUintOverflow).
func SplitUint64(b []byte) (x uint64, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return 0, b, err
	}
	x, err = parseUint(content)
	if err != nil {
		return 0, b, err
	}
	return x, rest, nil
}

// parseUint decodes the content of an integer string.
func parseUint(content []byte) (uint64, error) {
	switch {
	case len(content) == 0:
		return 0, nil
	case content[0] == 0:
		return 0, ErrCanonInt
	case len(content) > 8:
		return 0, ErrUintOverflow
	}
	var x uint64
	for _, c := range content {
		x = x<<8 | uint64(c)
	}
	return x, nil
}

// SplitBigInt decodes a non-negative integer of any size at the start of b,
// rejecting leading zero bytes.
func SplitBigInt(b []byte) (x *big.Int, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return nil, b, err
	}
	if len(content) > 0 && content[0] == 0 {
		return nil, b, ErrCanonInt
	}
	return new(big.Int).SetBytes(content), rest, nil
}

// CountValues counts the values in b, which holds zero or more encoded values
// one after another (such as a list's content). It does not look inside
// lists.
func CountValues(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		_, _, rest, err := Split(b)
		if err != nil {
			return 0, err
		}
		b = rest
		n++
	}
	return n, nil
}
