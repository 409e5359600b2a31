// Package rlp implements Ethereum's Recursive Length Prefix encoding, byte for
// byte as go-ethereum's rlp package reads and writes it.
//
// RLP knows two kinds of item: byte strings and lists of items. This package
// has no reflection: encoders append to a byte slice (AppendBytes, AppendUint,
// AppendBigInt, AppendList or StartList/EndList), and decoders split a byte
// slice into its first value and the rest (Split, SplitString, SplitList,
// SplitUint64) or walk a list with a Stream. Decoded content always aliases the
// input; nothing is copied and nothing is allocated from a length that the
// input claims.
//
// Decoding is as strict as go-ethereum: a size written in a longer form than
// needed (a single byte below 0x80 wrapped as a string, the long form for a
// size below 56, leading zero bytes in a size) is ErrCanonSize; an integer with
// leading zero bytes is ErrCanonInt; every size is checked against the bytes
// actually present before it is used (ErrValueTooLarge, or ErrElemTooLarge
// inside a list), because a peer can claim any length. Decode and Validate,
// which walk a whole value recursively, stop at MaxDepth levels of nesting so
// that a deeply nested input cannot exhaust the stack.
//
// The package is a pure codec: no I/O, no global state, safe for concurrent
// use.
package rlp
