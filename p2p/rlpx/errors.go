package rlpx

import "errors"

// Errors returned by the handshake and the frame codec. Callers test them with
// errors.Is; the returned errors wrap them with context (and, where there is
// one, the underlying I/O error).
var (
	// ErrECIES means an ECIES message failed to decrypt: malformed, with an
	// invalid ephemeral public key, or with a wrong MAC.
	ErrECIES = errors.New("rlpx: ECIES decryption failed")

	// ErrHandshakeTooLarge means a handshake packet's size prefix claimed more
	// than MaxHandshakeSize bytes (or less than an ECIES message can be).
	ErrHandshakeTooLarge = errors.New("rlpx: handshake message size out of range")

	// ErrBadAuth means the initiator's auth message was invalid: it did not
	// decrypt, its RLP body was malformed, or its keys or signature were bad.
	ErrBadAuth = errors.New("rlpx: invalid auth message")

	// ErrBadAck means the recipient's ack message was invalid.
	ErrBadAck = errors.New("rlpx: invalid ack message")

	// ErrHandshakeTimeout means the handshake did not finish before its
	// deadline.
	ErrHandshakeTimeout = errors.New("rlpx: handshake timed out")

	// ErrNoRemoteKey means Handshake was called on an outbound connection
	// without the recipient's static public key.
	ErrNoRemoteKey = errors.New("rlpx: remote public key required to initiate")

	// ErrNoHandshake means ReadMsg or WriteMsg was called before a successful
	// Handshake.
	ErrNoHandshake = errors.New("rlpx: handshake not done")

	// ErrBadMAC means a frame header or frame body failed its MAC check. The
	// connection cannot be used after it: the MAC and cipher states are lost.
	ErrBadMAC = errors.New("rlpx: bad frame MAC")

	// ErrFrameTooLarge means a frame was larger than the maximum message size
	// (on read) or than 2^24-1 bytes (on write).
	ErrFrameTooLarge = errors.New("rlpx: frame too large")

	// ErrMessageTooLarge means a snappy-compressed message claimed a decoded
	// size over the maximum, or a message to write was at least 2^24 bytes.
	ErrMessageTooLarge = errors.New("rlpx: message too large")

	// ErrBadFrame means an authenticated frame had malformed content: an empty
	// or non-canonical message code, or corrupt snappy data.
	ErrBadFrame = errors.New("rlpx: malformed frame content")

	// ErrConnBroken means an earlier read or write error left the direction's
	// cipher and MAC state unusable.
	ErrConnBroken = errors.New("rlpx: connection unusable after earlier error")
)
