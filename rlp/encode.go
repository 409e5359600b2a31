package rlp

import (
	"math/big"
	"math/bits"
)

// Tag bytes: strings of 0..55 bytes start with 0x80+size, longer strings with
// 0xB7+len(size) followed by the size; lists likewise from 0xC0 and 0xF7.
const (
	shortString = 0x80
	longString  = 0xB7
	shortList   = 0xC0
	longList    = 0xF7
)

// AppendBytes appends the RLP encoding of the byte string p to b. A single
// byte below 0x80 is its own encoding.
func AppendBytes(b, p []byte) []byte {
	if len(p) == 1 && p[0] < 0x80 {
		return append(b, p[0])
	}
	b = AppendStringHeader(b, len(p))
	return append(b, p...)
}

// AppendString appends the RLP encoding of s, as AppendBytes does.
func AppendString(b []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, s[0])
	}
	b = AppendStringHeader(b, len(s))
	return append(b, s...)
}

// AppendUint appends the canonical RLP encoding of u: the big-endian bytes of
// u without leading zeros, so 0 is the empty string 0x80.
func AppendUint(b []byte, u uint64) []byte {
	switch {
	case u == 0:
		return append(b, shortString)
	case u < 0x80:
		return append(b, byte(u))
	default:
		n := uintLen(u)
		b = append(b, shortString+byte(n))
		return appendBigEndian(b, u, n)
	}
}

// AppendBool appends true as 0x01 and false as 0x80, as go-ethereum does.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0x01)
	}
	return append(b, shortString)
}

// AppendBigInt appends the canonical RLP encoding of the non-negative integer
// i. A nil i encodes as 0. RLP has no negative integers: AppendBigInt panics
// if i is negative, which is a programming error, never a property of input.
func AppendBigInt(b []byte, i *big.Int) []byte {
	if i == nil {
		return append(b, shortString)
	}
	if i.Sign() < 0 {
		panic("rlp: cannot encode negative big.Int")
	}
	if i.IsUint64() {
		return AppendUint(b, i.Uint64())
	}
	n := (i.BitLen() + 7) / 8
	b = AppendStringHeader(b, n)
	start := len(b)
	b = append(b, make([]byte, n)...)
	i.FillBytes(b[start:])
	return b
}

// AppendStringHeader appends the header of a string whose content is size
// bytes long; the caller appends the content. The caller must not use it for a
// single byte below 0x80, which is encoded without a header.
func AppendStringHeader(b []byte, size int) []byte {
	return appendHeader(b, shortString, longString, size)
}

// AppendListHeader appends the header of a list whose encoded content is size
// bytes long; the caller appends the content.
func AppendListHeader(b []byte, size int) []byte {
	return appendHeader(b, shortList, longList, size)
}

func appendHeader(b []byte, short, long byte, size int) []byte {
	if size < 56 {
		return append(b, short+byte(size))
	}
	n := uintLen(uint64(size))
	b = append(b, long+byte(n))
	return appendBigEndian(b, uint64(size), n)
}

// StartList begins a list at the end of b. Append the list's items to the
// returned slice, then call EndList with the returned offset. Lists may nest.
func StartList(b []byte) ([]byte, int) {
	// One byte is reserved for the header; EndList widens it when the
	// content turns out to be 56 bytes or more.
	return append(b, shortList), len(b)
}

// EndList writes the header of the list started at offset start, now that its
// content is known, and returns the completed encoding.
func EndList(b []byte, start int) []byte {
	size := len(b) - start - 1
	if size < 56 {
		b[start] = shortList + byte(size)
		return b
	}
	n := uintLen(uint64(size))
	b = append(b, make([]byte, n)...)
	copy(b[start+1+n:], b[start+1:start+1+size])
	b[start] = longList + byte(n)
	putBigEndian(b[start+1:start+1+n], uint64(size))
	return b
}

// AppendList appends a list whose items f appends.
func AppendList(b []byte, f func([]byte) []byte) []byte {
	b, start := StartList(b)
	return EndList(f(b), start)
}

// HeaderSize returns the size of a string or list header for content of the
// given size.
func HeaderSize(size int) int {
	if size < 56 {
		return 1
	}
	return 1 + uintLen(uint64(size))
}

// ListSize returns the encoded size of a list whose content is size bytes.
func ListSize(size int) int { return HeaderSize(size) + size }

// BytesSize returns the encoded size of the byte string p.
func BytesSize(p []byte) int {
	if len(p) == 1 && p[0] < 0x80 {
		return 1
	}
	return HeaderSize(len(p)) + len(p)
}

// UintSize returns the encoded size of u.
func UintSize(u uint64) int {
	if u < 0x80 {
		return 1
	}
	return 1 + uintLen(u)
}

// uintLen is the number of bytes of u without leading zeros.
func uintLen(u uint64) int { return (bits.Len64(u) + 7) / 8 }

func appendBigEndian(b []byte, u uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(u>>(8*uint(i))))
	}
	return b
}

func putBigEndian(dst []byte, u uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte(u)
		u >>= 8
	}
}
