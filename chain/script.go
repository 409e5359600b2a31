package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	//lint:ignore SA1019 HASH160 (RIPEMD-160 of SHA-256) is Bitcoin consensus; the deprecation is about new designs.
	"golang.org/x/crypto/ripemd160"
)

// Script opcodes this package needs. Names and values are Bitcoin's.
const (
	OpFalse               byte = 0x00
	OpPushData1           byte = 0x4c
	OpPushData2           byte = 0x4d
	OpPushData4           byte = 0x4e
	Op1Negate             byte = 0x4f
	Op1                   byte = 0x51
	Op16                  byte = 0x60
	OpReturn              byte = 0x6a
	OpDup                 byte = 0x76
	OpEqualVerify         byte = 0x88
	OpHash160             byte = 0xa9
	OpCheckSig            byte = 0xac
	OpCheckSigVerify      byte = 0xad
	OpCheckMultiSig       byte = 0xae
	OpCheckMultiSigVerify byte = 0xaf
)

// ErrScriptTruncated means a push opcode claims more bytes than the script
// has left. Core's GetOp fails the same way; the script is not invalid to
// hold in a transaction (scripts are only run when spent) but the walk stops.
var ErrScriptTruncated = errors.New("chain: script push runs past the end")

// ScriptTokenizer walks a script one opcode at a time without evaluating it,
// as Bitcoin Core's CScript::GetOp. Use it as
//
//	t := NewScriptTokenizer(script)
//	for t.Next() { ... t.Opcode(), t.Data() ... }
//	if t.Err() != nil { ... }
type ScriptTokenizer struct {
	script []byte
	pos    int
	op     byte
	data   []byte
	err    error
}

// NewScriptTokenizer returns a tokenizer positioned before the first opcode.
func NewScriptTokenizer(script []byte) ScriptTokenizer {
	return ScriptTokenizer{script: script}
}

// Next advances to the next opcode. It returns false at the end of the script
// or at a malformed push (then Err is set).
func (t *ScriptTokenizer) Next() bool {
	if t.err != nil || t.pos >= len(t.script) {
		return false
	}
	op := t.script[t.pos]
	rest := t.script[t.pos+1:]
	var size uint64 // wide enough that no claimed length wraps
	hdr := 0
	switch {
	case op < OpPushData1:
		size = uint64(op)
	case op == OpPushData1:
		hdr = 1
	case op == OpPushData2:
		hdr = 2
	case op == OpPushData4:
		hdr = 4
	default:
		t.op, t.data = op, nil
		t.pos++
		return true
	}
	if len(rest) < hdr {
		t.err = fmt.Errorf("%w: opcode %#x at offset %d needs a %d-byte length", ErrScriptTruncated, op, t.pos, hdr)
		return false
	}
	switch hdr {
	case 1:
		size = uint64(rest[0])
	case 2:
		size = uint64(binary.LittleEndian.Uint16(rest))
	case 4:
		size = uint64(binary.LittleEndian.Uint32(rest))
	}
	rest = rest[hdr:]
	if size > uint64(len(rest)) {
		t.err = fmt.Errorf("%w: push of %d bytes at offset %d, %d left", ErrScriptTruncated, size, t.pos, len(rest))
		return false
	}
	t.op = op
	t.data = rest[:size:size]
	t.pos += 1 + hdr + int(size)
	return true
}

// Opcode returns the current opcode.
func (t *ScriptTokenizer) Opcode() byte { return t.op }

// Data returns the bytes the current opcode pushes (nil for a non-push). It
// aliases the script.
func (t *ScriptTokenizer) Data() []byte { return t.data }

// Offset returns the offset of the next opcode.
func (t *ScriptTokenizer) Offset() int { return t.pos }

// Err returns the error that stopped the walk, if any.
func (t *ScriptTokenizer) Err() error { return t.err }

// maxPubKeysPerMultiSig is what a legacy (inaccurate) sigop count charges
// for each CHECKMULTISIG, whatever the key count.
const maxPubKeysPerMultiSig = 20

// LegacySigOpCount counts the signature operations in script the way Core's
// CScript::GetSigOpCount(false) does for the block sigop limit: CHECKSIG and
// CHECKSIGVERIFY count 1, CHECKMULTISIG and CHECKMULTISIGVERIFY count 20.
// Counting stops silently at a malformed push, as in Core; opcodes inside
// pushed data are not counted.
func LegacySigOpCount(script []byte) int {
	n := 0
	t := NewScriptTokenizer(script)
	for t.Next() {
		switch t.Opcode() {
		case OpCheckSig, OpCheckSigVerify:
			n++
		case OpCheckMultiSig, OpCheckMultiSigVerify:
			n += maxPubKeysPerMultiSig
		}
	}
	return n
}

// AppendPush appends a push of data to script using the smallest encoding
// (BIP62 minimal push rules for data; a one-byte 1..16 or 0x81 still uses a
// plain push here, as Core's CScript << vector does).
func AppendPush(script, data []byte) []byte {
	n := len(data)
	switch {
	case n < int(OpPushData1):
		script = append(script, byte(n))
	case n <= 0xff:
		script = append(script, OpPushData1, byte(n))
	case n <= 0xffff:
		script = append(script, OpPushData2)
		script = binary.LittleEndian.AppendUint16(script, uint16(n))
	default:
		script = append(script, OpPushData4)
		script = binary.LittleEndian.AppendUint32(script, uint32(n))
	}
	return append(script, data...)
}

// ScriptNum returns n in Bitcoin's script number encoding (CScriptNum):
// little-endian magnitude, minimal length, sign in the top bit of the last
// byte. Zero is the empty vector.
func ScriptNum(n int64) []byte {
	if n == 0 {
		return nil
	}
	neg := n < 0
	// The magnitude of math.MinInt64 does not fit an int64; uint64 holds it.
	m := uint64(n)
	if neg {
		m = -m
	}
	var out []byte
	for m > 0 {
		out = append(out, byte(m))
		m >>= 8
	}
	// A set top bit would read as the sign: add a byte for it.
	if out[len(out)-1]&0x80 != 0 {
		if neg {
			out = append(out, 0x80)
		} else {
			out = append(out, 0x00)
		}
	} else if neg {
		out[len(out)-1] |= 0x80
	}
	return out
}

// AppendScriptInt appends n to script as Core's CScript << int64 does: OP_0
// for 0, OP_1NEGATE for -1, OP_1..OP_16 for 1..16, otherwise a push of its
// ScriptNum encoding. BIP34 coinbases must start with this encoding of the
// block height.
func AppendScriptInt(script []byte, n int64) []byte {
	switch {
	case n == 0:
		return append(script, OpFalse)
	case n == -1:
		return append(script, Op1Negate)
	case n >= 1 && n <= 16:
		return append(script, Op1+byte(n-1))
	}
	return AppendPush(script, ScriptNum(n))
}

// PubKeyHashSize is the size of a HASH160.
const PubKeyHashSize = ripemd160.Size

// Hash160 returns RIPEMD160(SHA256(b)), Bitcoin's HASH160, which names the
// key a pay-to-public-key-hash output pays.
func Hash160(b []byte) [PubKeyHashSize]byte {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	var out [PubKeyHashSize]byte
	h.Sum(out[:0])
	return out
}

// p2pkhScriptSize is OP_DUP OP_HASH160 <20> hash OP_EQUALVERIFY OP_CHECKSIG.
const p2pkhScriptSize = 25

// PayToPubKeyHashScript returns the output script
// OP_DUP OP_HASH160 <pubKeyHash> OP_EQUALVERIFY OP_CHECKSIG.
func PayToPubKeyHashScript(pubKeyHash [PubKeyHashSize]byte) []byte {
	s := make([]byte, 0, p2pkhScriptSize)
	s = append(s, OpDup, OpHash160, PubKeyHashSize)
	s = append(s, pubKeyHash[:]...)
	return append(s, OpEqualVerify, OpCheckSig)
}

// ExtractPubKeyHash returns the key hash of a pay-to-public-key-hash output
// script, and false for any other script. Only the exact 25-byte standard
// form matches (as Core's Solver): the same template with a non-minimal push
// is not P2PKH.
func ExtractPubKeyHash(script []byte) (pubKeyHash [PubKeyHashSize]byte, ok bool) {
	if len(script) != p2pkhScriptSize ||
		script[0] != OpDup || script[1] != OpHash160 || script[2] != PubKeyHashSize ||
		script[23] != OpEqualVerify || script[24] != OpCheckSig {
		return pubKeyHash, false
	}
	copy(pubKeyHash[:], script[3:23])
	return pubKeyHash, true
}

// ErrNotP2PKHSignatureScript means a signature script is not exactly two
// pushes (signature, public key).
var ErrNotP2PKHSignatureScript = errors.New("chain: not a pay-to-public-key-hash signature script")

// P2PKHSignatureScript returns the signature script that spends a
// pay-to-public-key-hash output: <signature> <public key>, each a minimal
// push. sig is the DER signature followed by the sighash type byte.
func P2PKHSignatureScript(sig, pubKey []byte) []byte {
	s := make([]byte, 0, len(sig)+len(pubKey)+4)
	return AppendPush(AppendPush(s, sig), pubKey)
}

// ParseP2PKHSignatureScript splits a signature script into its signature and
// public key. Both alias script. It checks the form only; whether the key
// hashes to the output's key hash and the signature verifies is for the
// caller that has the spent output.
func ParseP2PKHSignatureScript(script []byte) (sig, pubKey []byte, err error) {
	t := NewScriptTokenizer(script)
	var pushes [2][]byte
	n := 0
	for t.Next() {
		if t.Opcode() > OpPushData4 || n == len(pushes) {
			return nil, nil, fmt.Errorf("%w: opcode %#x at item %d", ErrNotP2PKHSignatureScript, t.Opcode(), n)
		}
		pushes[n] = t.Data()
		n++
	}
	if err := t.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotP2PKHSignatureScript, err)
	}
	if n != len(pushes) || len(pushes[0]) == 0 || len(pushes[1]) == 0 {
		return nil, nil, fmt.Errorf("%w: want two non-empty pushes, got %d", ErrNotP2PKHSignatureScript, n)
	}
	return pushes[0], pushes[1], nil
}
